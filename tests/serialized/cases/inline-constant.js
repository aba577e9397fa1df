// Models: a guarded read of an enclosing CONSTANT. Minifiers that know the value inline it
// into the function, so the worker no longer takes the `typeof` fallback: nothing throws,
// but the worker observes a different value than the unminified code did.
// expect: runs
(function () {
  var batch = 64;

  function batcher() {
    var size = typeof batch !== 'undefined' ? batch : 8;
    postMessage({ size: size });
  }

  var w = new Worker(URL.createObjectURL(new Blob(['(' + batcher + ')()'])));
  w.onmessage = function (e) { console.info('batch size seen by the worker', e.data.size, 'page', batch); };
})();
