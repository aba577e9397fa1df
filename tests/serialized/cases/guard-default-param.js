// Models: an enclosing binding read in a default parameter (`function (opts = defaults)`),
// which is evaluated only when the argument is missing. The worker always passes one, so
// the read never happens there.
// expect: runs
(function () {
  var defaults = { level: navigator.hardwareConcurrency };

  function leveler(opts = defaults) {
    postMessage({ level: opts.level });
  }

  var w = new Worker(URL.createObjectURL(new Blob(['(' + leveler + ')({ level: 9 })'])));
  w.onmessage = function (e) { console.info('level', e.data.level, leveler.length); };
})();
