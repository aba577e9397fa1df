// Models: the bug in the source itself: a worker function reads a variable of its enclosing
// scope with no guard at all. `'(' + fn + ')()'` in a Blob: the worker throws
// ReferenceError whatever the minifier does (mapbox-gl's webworkify bug class).
// expect: throws
(function () {
  var tileSize = navigator.hardwareConcurrency * 256;

  function tiler() {
    self.onmessage = function (e) {
      postMessage({ tiles: Math.ceil(e.data / tileSize) });
    };
  }

  var w = new Worker(URL.createObjectURL(new Blob(['(' + tiler + ')()'])));
  w.onmessage = function (e) { console.info('tiles', e.data.tiles); };
  w.postMessage(4096);
})();
