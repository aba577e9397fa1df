// Models: a serialized function that contains an inner function reading an enclosing
// binding, but the inner function is never called in the worker (it is only used on the
// main thread path). Nothing throws.
// expect: runs
(function () {
  var mainOnlyLog = [];

  function worker() {
    function record(x) {
      mainOnlyLog.push(x);
    }
    var inWorker = typeof document === 'undefined';
    if (!inWorker) record('main');
    postMessage({ inWorker: inWorker });
  }

  var w = new Worker(URL.createObjectURL(new Blob(['(' + worker + ')()'])));
  w.onmessage = function (e) { console.info('inWorker', e.data.inWorker); };
})();
