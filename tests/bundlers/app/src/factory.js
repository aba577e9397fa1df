// An Emscripten-like MODULARIZE factory: the glue computes where its script lives at module
// scope and the exported factory reads that only behind a `typeof` guard, because the factory's
// *source text* is also run on its own in workers, where `scriptDir` does not exist.
var scriptDir = typeof document !== 'undefined' && document.currentScript ? document.currentScript.src : undefined;
var wasmBinaryFile = 'app.wasm';

export function createModule(moduleArg) {
  var Module = moduleArg || {};
  var scriptDirectory = '';
  if (typeof scriptDir !== "undefined" && scriptDir) {
    scriptDirectory = scriptDir.slice(0, scriptDir.lastIndexOf('/') + 1);
  }
  Module.scriptDirectory = scriptDirectory;
  Module.locateFile = function (path) {
    return scriptDirectory + path;
  };
  Module.wasmUrl = Module.locateFile('app.wasm');
  return Module;
}

// Another reader of the module-scope bindings, on the main thread only.
export function describeBuild() {
  return wasmBinaryFile + ' from ' + (scriptDir || '(unknown)');
}
