// Models: rollup's CommonJS plugin output: `var x = { exports: {} }; (function (module) {
// module.exports = ... })(x); var fn = x.exports;` around a worker factory, then a Blob
// worker from `String(fn)`. The factory reads the module's `mode` under `typeof`.
// expect: runs
(function () {
  'use strict';
  var workerFactory = { exports: {} };

  (function (module) {
    var mode = location.hostname === 'localhost' ? 'dev' : 'prod';
    module.exports = function workerEntry() {
      var m = typeof mode === 'undefined' ? 'worker' : mode;
      postMessage({ mode: m, ok: true });
    };
  })(workerFactory);

  var workerEntry = workerFactory.exports;
  var w = new Worker(URL.createObjectURL(new Blob(['(' + String(workerEntry) + ')()'])));
  w.onmessage = function (e) { console.info('mode', e.data.mode, e.data.ok); };
})();
