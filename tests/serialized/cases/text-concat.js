// Models: a library that spins up an inline worker from a function, `'(' + fn + ')()'` in a
// Blob (the webworkify / inline-worker pattern). The worker body reads a setting of the
// enclosing scope only under a `typeof` guard, so in the worker it falls back to a default.
// expect: runs
(function () {
  var chunkSize = navigator.hardwareConcurrency * 32;

  function sumWorker() {
    var size = typeof chunkSize !== 'undefined' ? chunkSize : 16;
    self.onmessage = function (e) {
      var total = 0;
      for (var i = 0; i < e.data.length; i++) total += e.data[i];
      self.postMessage({ total: total, size: size });
    };
  }

  var url = URL.createObjectURL(new Blob(['(' + sumWorker + ')()'], { type: 'text/javascript' }));
  var w = new Worker(url);
  w.onmessage = function (e) {
    console.info('sum', e.data.total, 'chunk', chunkSize);
  };
  w.postMessage([1, 2, 3, 4]);
})();
