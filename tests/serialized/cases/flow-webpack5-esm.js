// Models: webpack 5's runtime with an ESM module: the worker function is the module's
// default export, reached through `__webpack_require__.d(exports, { default: () => ... })`
// getters and `__webpack_require__.r`; another module imports it and sends
// `(${default})()` to a Blob worker. The function reads a module-scope `threshold` under
// `typeof`.
// expect: runs
(() => {
  var __webpack_modules__ = {
    './src/detect.js': (__unused_module, __webpack_exports__, __webpack_require__) => {
      'use strict';
      __webpack_require__.r(__webpack_exports__);
      __webpack_require__.d(__webpack_exports__, { default: () => __WEBPACK_DEFAULT_EXPORT__ });
      var threshold = navigator.hardwareConcurrency * 50;
      function detectWorker() {
        var t = typeof threshold !== 'undefined' ? threshold : 128;
        self.onmessage = (e) => postMessage(e.data.filter((v) => v > t).length);
      }
      const __WEBPACK_DEFAULT_EXPORT__ = detectWorker;
    },
    './src/index.js': (__unused_module, __webpack_exports__, __webpack_require__) => {
      'use strict';
      __webpack_require__.r(__webpack_exports__);
      var _detect__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__('./src/detect.js');
      const w = new Worker(URL.createObjectURL(new Blob([`(${_detect__WEBPACK_IMPORTED_MODULE_0__['default']})()`])));
      w.onmessage = (e) => console.info('above threshold', e.data);
      w.postMessage([10, 120, 130, 250, 90]);
    },
  };
  var __webpack_module_cache__ = {};
  function __webpack_require__(moduleId) {
    var cached = __webpack_module_cache__[moduleId];
    if (cached !== undefined) return cached.exports;
    var module = (__webpack_module_cache__[moduleId] = { exports: {} });
    __webpack_modules__[moduleId](module, module.exports, __webpack_require__);
    return module.exports;
  }
  __webpack_require__.d = (exports, definition) => {
    for (var key in definition) {
      if (__webpack_require__.o(definition, key) && !__webpack_require__.o(exports, key)) {
        Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
      }
    }
  };
  __webpack_require__.o = (obj, prop) => Object.prototype.hasOwnProperty.call(obj, prop);
  __webpack_require__.r = (exports) => {
    if (typeof Symbol !== 'undefined' && Symbol.toStringTag) Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
    Object.defineProperty(exports, '__esModule', { value: true });
  };
  __webpack_require__('./src/index.js');
})();
