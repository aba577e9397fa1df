// Models: a worker function with inner named functions (a declaration and a named function
// expression). esbuild's keepNames wraps such functions in `__name(fn, "name")`, a helper
// declared at the top of the bundle, which does not exist in the worker.
// expect: runs
(function () {
  function matrixWorker() {
    function multiply(a, b) {
      return a.map(function row(r) {
        return b[0].map(function (_, j) { return r.reduce(function (s, v, k) { return s + v * b[k][j]; }, 0); });
      });
    }
    var square = function square(m) { return multiply(m, m); };
    self.onmessage = function (e) { postMessage(square(e.data)); };
  }

  var w = new Worker(URL.createObjectURL(new Blob(['(' + matrixWorker + ')()'])));
  w.onmessage = function (e) { console.info('square', JSON.stringify(e.data)); };
  w.postMessage([[1, 2], [3, 4]]);
})();
