// Models: options merged with `Object.assign({}, defaults, options)` where an option is the
// worker function; the merged `.worker` property is serialized. It reads the enclosing
// `quality` under `typeof`.
// expect: runs
(function () {
  var quality = navigator.hardwareConcurrency * 0.4;

  var defaults = { name: 'encoder', worker: null };
  var options = Object.assign({}, defaults, {
    worker: function () {
      var q = typeof quality === 'undefined' ? 0.5 : quality;
      postMessage({ q: q });
    },
  });

  var w = new Worker(URL.createObjectURL(new Blob(['(' + options.worker + ')()'])));
  w.onmessage = function (e) { console.info(options.name, 'quality', e.data.q); };
})();
