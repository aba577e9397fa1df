// Models: a worker function returned by an IIFE that holds its configuration
// (`var task = (function () { var retries = ...; return function () {...} })()`). It reads
// the IIFE's `retries` under `typeof` with an early fallback.
// expect: runs
(function () {
  var task = (function () {
    var retries = navigator.hardwareConcurrency * 2;
    return function () {
      var n = 1;
      if (typeof retries !== 'undefined') n = retries;
      postMessage({ retries: n });
    };
  })();

  var w = new Worker(URL.createObjectURL(new Blob(['(' + task + ')()'])));
  w.onmessage = function (e) { console.info('retries', e.data.retries); };
})();
