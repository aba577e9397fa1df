// Models: a browserify bundle: a prelude that resolves `require('./name')` through each
// module's dependency map, and modules as `[function (require, module, exports) {...},
// {deps}]`. The `work` module exports a function whose text becomes a worker (webworkify).
// expect: runs
(function boot(defs, cache, entries) {
  function load(id) {
    if (!cache[id]) {
      var def = defs[id];
      var module = (cache[id] = { exports: {} });
      def[0].call(module.exports, function (name) { return load(def[1][name]); }, module, module.exports);
    }
    return cache[id].exports;
  }
  for (var i = 0; i < entries.length; i++) load(entries[i]);
})(
  {
    1: [function (require, module, exports) {
      var work = require('./work');
      var w = new Worker(URL.createObjectURL(new Blob(['(' + work + ')(self)'])));
      w.onmessage = function (e) { console.info('words', e.data); };
      w.postMessage('the quick brown fox');
    }, { './work': 2 }],
    2: [function (require, module, exports) {
      var separator = document.currentScript ? ' ' : '\t';
      module.exports = function (self) {
        self.addEventListener('message', function (e) {
          var sep = typeof separator === 'string' ? separator : ' ';
          self.postMessage(e.data.split(sep).length);
        });
      };
    }, {}],
  },
  {},
  [1]
);
