// Models: an Emscripten-style worker script kept as a string, whose hook calls its own
// parameter (`instantiateWasm(info, receiveInstance) { receiveInstance(...) }`), joined with
// a factory's text that declares the factory by name. Every name the script calls is
// declared in it or in the factory's text.
// expect: runs
(function () {
  var scale = navigator.hardwareConcurrency;
  function createModule(Module) {
    Module.ready = Module.instantiateWasm({ n: 2 }, function (inst) { return inst.n * 21; });
    return Module;
  }
  var script =
    'var Module = {};' +
    'Module.instantiateWasm = function (info, receiveInstance) { return receiveInstance(info); };' +
    'self.onmessage = function () { postMessage({ ready: createModule(Module).ready }); };';
  var w = new Worker(URL.createObjectURL(new Blob([script, '\n', createModule.toString()])));
  w.onmessage = function (e) { console.info('ready', e.data.ready, scale > 0); };
  w.postMessage('go');
})();
