// Models: webpack 5's runtime with a CommonJS module (`module.exports = function ...`),
// required by numeric id from another module, whose text goes to a worker with
// `fn.toString()`. The function reads the module's `level` under `typeof` with `&&`.
// expect: runs
(() => {
  var __webpack_modules__ = {
    482: (module) => {
      var level = navigator.hardwareConcurrency + 4;
      module.exports = function compressWorker() {
        self.onmessage = function (e) {
          var l = (typeof level !== 'undefined' && level) || 6;
          postMessage({ in: e.data.length, level: l, out: Math.ceil(e.data.length / l) });
        };
      };
    },
    17: (module, exports, __webpack_require__) => {
      var compressWorker = __webpack_require__(482);
      var w = new Worker(URL.createObjectURL(new Blob(['(' + compressWorker.toString() + ')()'])));
      w.onmessage = function (e) { console.info('compressed', e.data.in, e.data.out); };
      w.postMessage('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
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
  __webpack_require__(17);
})();
