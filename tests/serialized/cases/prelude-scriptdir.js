// Models: glue that starts its workers from `'var _scriptDir = undefined; var M = ' +
// factory.toString()`: the prelude declares, by its ORIGINAL name, the variable the factory
// reads from its enclosing scope. Unminified it runs; once a minifier renames the binding
// inside the factory, the worker reads an undeclared name.
// expect: runs
var MiniModule = (function () {
  var _scriptDir = typeof document !== 'undefined' && document.currentScript ? document.currentScript.src : undefined;
  return function (Module) {
    Module = Module || {};
    var scriptDirectory = '';
    if (_scriptDir) scriptDirectory = _scriptDir.slice(0, _scriptDir.lastIndexOf('/') + 1);
    Module.dir = scriptDirectory;
    Module.ready = true;
    return Module;
  };
})();

(function () {
  var w = new Worker(URL.createObjectURL(new Blob([
    'var _scriptDir = undefined; var M = ' + MiniModule.toString() + ';\n' +
    'postMessage({ ready: M({}).ready, dir: M({}).dir });',
  ])));
  w.onmessage = function (e) { console.info('worker module', e.data.ready, JSON.stringify(e.data.dir), MiniModule({}).dir); };
})();
