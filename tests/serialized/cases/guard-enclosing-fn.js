// Models: the guard in an enclosing function of the serialized text: the outer worker
// function returns early when `config` is missing; an inner helper, only called after the
// guard, reads `config` without a guard of its own.
// expect: runs
(function () {
  var config = { retries: navigator.hardwareConcurrency };

  function outer() {
    function inner(n) {
      return n * config.retries;
    }
    if (typeof config === 'undefined') {
      postMessage({ standalone: true });
      return;
    }
    postMessage({ standalone: false, value: inner(3) });
  }

  var w = new Worker(URL.createObjectURL(new Blob(['(' + outer + ')()'])));
  w.onmessage = function (e) { console.info('standalone', e.data.standalone); };
})();
