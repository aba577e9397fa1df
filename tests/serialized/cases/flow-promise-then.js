// Models: a worker function resolved through a promise (lazy loaders:
// `Promise.resolve(fn).then(g => new Worker(URL.createObjectURL(new Blob(['(' + g + ')()']))))`).
// The function reads the enclosing `budget` under `typeof`.
// expect: runs
(function () {
  var budget = navigator.hardwareConcurrency * 16;

  function loader() {
    var b = typeof budget !== 'undefined' ? budget : 1;
    postMessage({ loaded: true, budget: b });
  }

  Promise.resolve(loader).then(function (g) {
    var w = new Worker(URL.createObjectURL(new Blob(['(' + g + ')()'])));
    w.onmessage = function (e) { console.info('loaded', e.data.loaded, e.data.budget); };
  });
})();
