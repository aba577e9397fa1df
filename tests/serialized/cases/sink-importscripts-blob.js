// Models: a worker that loads extra code with `importScripts(url)` where the page made the
// URL from function text (`URL.createObjectURL(new Blob(['var plugin = ' + fn]))`) and sent
// it over. The plugin reads the enclosing `gain` under `typeof`.
// expect: runs
(function () {
  var gain = navigator.hardwareConcurrency / 4;

  var plugin = function (samples) {
    var g = typeof gain !== 'undefined' ? gain : 1;
    return samples.map(function (s) { return s * g; });
  };

  var host = URL.createObjectURL(new Blob([
    'self.onmessage = function (e) { importScripts(e.data.url); postMessage(plugin(e.data.samples)); };',
  ]));
  var pluginUrl = URL.createObjectURL(new Blob(['var plugin = ' + plugin + ';']));
  var w = new Worker(host);
  w.onmessage = function (e) { console.info('processed', e.data.join(',')); };
  w.postMessage({ url: pluginUrl, samples: [1, 2, 4] });
})();
