// Models: a guard on ANOTHER binding of the same enclosing scope: `counter` and `limit` are
// declared side by side, the function returns early when `counter` is missing and then
// reads `limit` unguarded (it can only be missing together with `counter`).
// expect: runs
(function () {
  var counter = 0, limit = navigator.hardwareConcurrency * 5;

  function throttle() {
    onmessage = function (e) {
      if (typeof counter === 'undefined') return postMessage({ mode: 'standalone', n: e.data });
      counter++;
      postMessage({ mode: 'shared', n: Math.min(e.data, limit) });
    };
  }

  var w = new Worker(URL.createObjectURL(new Blob(['(' + throttle + ')()'])));
  w.onmessage = function (e) { console.info('throttle', e.data.mode, e.data.n, counter, limit); };
  w.postMessage(25);
})();
