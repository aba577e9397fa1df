// Models: Emscripten (up to 3.1.41) MODULARIZE + pthreads glue, as tfjs-backend-wasm uses
// it: an outer IIFE computes `_scriptDir` from `document.currentScript`, the inner factory
// reads it under `typeof _scriptDir !== "undefined" && _scriptDir`, and the page sends
// `'var M = ' + factory.toString()` to each pthread worker, which calls `M({...})`.
// expect: runs
var WasmModule = (function () {
  var _scriptDir = typeof document !== 'undefined' && document.currentScript ? document.currentScript.src : undefined;
  if (typeof __filename !== 'undefined') _scriptDir = _scriptDir || __filename;
  return function (WasmModule) {
    WasmModule = WasmModule || {};
    var Module = typeof WasmModule !== 'undefined' ? WasmModule : {};
    var ENVIRONMENT_IS_WORKER = typeof importScripts === 'function';
    var scriptDirectory = '';
    if (ENVIRONMENT_IS_WORKER) scriptDirectory = self.location.href;
    if (typeof _scriptDir !== 'undefined' && _scriptDir) scriptDirectory = _scriptDir;
    if (scriptDirectory.indexOf('blob:') !== 0) scriptDirectory = scriptDirectory.slice(0, scriptDirectory.lastIndexOf('/') + 1);
    else scriptDirectory = '';
    Module.locateFile = function (path) { return scriptDirectory + path; };
    Module.isWorker = ENVIRONMENT_IS_WORKER;
    return Module;
  };
})();

(function startPthreads() {
  var src = 'var WasmModule = ' + WasmModule.toString() + ';\n' +
    'self.onmessage = function (e) { var m = WasmModule({ threadId: e.data.tid }); postMessage({ tid: m.threadId, wasm: m.locateFile("x.wasm"), isWorker: m.isWorker }); };';
  var url = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
  for (var tid = 1; tid <= 2; tid++) {
    var w = new Worker(url);
    w.onmessage = function (e) { console.info('pthread', e.data.tid, e.data.wasm, e.data.isWorker); };
    w.postMessage({ tid: tid });
  }
  console.info('main locates', WasmModule({}).locateFile('x.wasm'));
})();
