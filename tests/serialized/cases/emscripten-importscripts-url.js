// Models: Emscripten glue whose pthread worker loads the WHOLE glue file by URL: a small
// worker (`importScripts(e.data.urlOrBlob)`, like Emscripten's `.worker.js`) receives the
// main script URL and loads it, then calls the factory. `_scriptDir` is declared there, so
// its reads are fine whatever a minifier does to the guard.
// expect: runs
var GlueModule = (function () {
  var _scriptDir = typeof document !== 'undefined' && document.currentScript ? document.currentScript.src : undefined;
  return function (GlueModule) {
    GlueModule = GlueModule || {};
    var scriptDirectory = '';
    if (typeof _scriptDir !== 'undefined' && _scriptDir) scriptDirectory = _scriptDir.slice(0, _scriptDir.lastIndexOf('/') + 1);
    GlueModule.mainScriptUrlOrBlob = GlueModule.mainScriptUrlOrBlob || _scriptDir;
    GlueModule.dir = scriptDirectory;
    return GlueModule;
  };
})();

if (typeof document !== 'undefined') {
  (function () {
    var m = GlueModule({});
    var workerJs = URL.createObjectURL(new Blob([
      'self.onmessage = function (e) { importScripts(e.data.urlOrBlob); var m = GlueModule({}); postMessage({ dir: m.dir, tid: e.data.tid }); };',
    ]));
    var w = new Worker(workerJs);
    w.onmessage = function (e) { console.info('pthread', e.data.tid, e.data.dir); };
    w.postMessage({ cmd: 'load', urlOrBlob: m.mainScriptUrlOrBlob, tid: 1 });
  })();
}
