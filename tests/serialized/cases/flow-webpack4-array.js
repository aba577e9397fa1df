// Models: webpack 4's bundle shape: `(function (modules) { ...runtime... })([ ...module
// functions ])`, modules addressed by array index. Module 1 exports a worker function that
// reads the module-scope `depth` under `typeof`; module 0 serializes it.
// expect: runs
(function (modules) {
  var installedModules = {};
  function __webpack_require__(moduleId) {
    if (installedModules[moduleId]) return installedModules[moduleId].exports;
    var module = (installedModules[moduleId] = { i: moduleId, l: false, exports: {} });
    modules[moduleId].call(module.exports, module, module.exports, __webpack_require__);
    module.l = true;
    return module.exports;
  }
  __webpack_require__.m = modules;
  __webpack_require__.c = installedModules;
  return __webpack_require__((__webpack_require__.s = 0));
})([
  function (module, exports, __webpack_require__) {
    var walker = __webpack_require__(1).walker;
    var w = new Worker(URL.createObjectURL(new Blob(['(' + walker + ')()'])));
    w.onmessage = function (e) { console.info('nodes', e.data); };
    w.postMessage({ children: [{ children: [{ children: [] }] }, { children: [] }] });
  },
  function (module, exports) {
    var depth = navigator.hardwareConcurrency * 8;
    exports.walker = function () {
      self.onmessage = function (e) {
        var max = typeof depth === 'undefined' ? 4 : depth;
        var count = function (n, d) { return d > max ? 0 : 1 + n.children.reduce(function (s, c) { return s + count(c, d + 1); }, 0); };
        postMessage(count(e.data, 0));
      };
    };
  },
]);
