// Models: webpack 5's runtime inside an IIFE (how webpack wraps a bundle) where one module
// exports a class that uses a helper of its own module, and another module exports the
// worker's script as a string (webpack's `asset/source` or raw-loader). The Blob gets only
// the string: the class's text never leaves, so its read of the helper is no error.
// expect: runs
(function () {
  var __webpack_modules__ = {
    './lib.js': function (module) {
      function Op(v) { this.v = v; }
      function Writer() { this.head = new Op(navigator.hardwareConcurrency); }
      module.exports = Writer;
    },
    './worker.js': function (module) {
      module.exports = 'self.onmessage = function (e) { postMessage({ echo: e.data }); };';
    },
  };
  var __webpack_module_cache__ = {};
  function __webpack_require__(moduleId) {
    var cachedModule = __webpack_module_cache__[moduleId];
    if (cachedModule !== undefined) return cachedModule.exports;
    var module = (__webpack_module_cache__[moduleId] = { exports: {} });
    __webpack_modules__[moduleId](module, module.exports, __webpack_require__);
    return module.exports;
  }
  var Writer = __webpack_require__('./lib.js');
  var head = new Writer().head;
  var w = new Worker(URL.createObjectURL(new Blob([__webpack_require__('./worker.js')])));
  w.onmessage = function (e) { console.info('echo', e.data.echo, head.v > 0); };
  w.postMessage('hello');
})();
