// Models: Emscripten 3.1.58+/4.x glue with the pthread worker folded into the main file:
// `var _scriptName = globalThis.document?.currentScript?.src;`, an async factory
// `async function (moduleArg = {})`, and `new Worker(_scriptName)`: the worker runs the same
// file, detects that it is a pthread, and starts.
// expect: runs
var FoldedModule = (() => {
  var _scriptName = globalThis.document?.currentScript?.src;
  return async function (moduleArg = {}) {
    var Module = moduleArg;
    var ENVIRONMENT_IS_WEB = typeof window == 'object';
    var ENVIRONMENT_IS_WORKER = typeof WorkerGlobalScope != 'undefined';
    var ENVIRONMENT_IS_PTHREAD = ENVIRONMENT_IS_WORKER && self.name?.startsWith('em-pthread');
    var scriptDirectory = '';
    if (ENVIRONMENT_IS_WEB || ENVIRONMENT_IS_WORKER) {
      scriptDirectory = ENVIRONMENT_IS_WORKER ? self.location.href : new URL('.', _scriptName).href;
    }
    Module.dir = scriptDirectory;
    if (ENVIRONMENT_IS_WORKER && !ENVIRONMENT_IS_PTHREAD) {
      self.onmessage = (e) => postMessage({ pthread: e.data.tid, dir: Module.dir.slice(-12) });
    }
    if (ENVIRONMENT_IS_WEB) {
      var worker = new Worker(new URL(_scriptName), { name: 'em-pthread-1' });
      worker.onmessage = (e) => console.info('pthread', e.data.pthread, e.data.dir);
      worker.postMessage({ tid: 1 });
    }
    return Module;
  };
})();
var isPthreadWorker = typeof WorkerGlobalScope != 'undefined';
FoldedModule().then((m) => console.info('module ready', isPthreadWorker ? 'worker' : 'page', m.dir.length > 0));
