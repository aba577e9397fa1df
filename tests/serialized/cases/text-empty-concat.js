// Models: `'' + fn` to get a function's text (the shortest spelling, common in hand-written
// minified-style code), then a `new Worker` on a Blob of `'(' + src + ')()'`. The function
// reads the enclosing `region` under `typeof`.
// expect: runs
(function () {
  var region = location.hostname.toUpperCase();

  function run() {
    postMessage({ region: typeof region !== 'undefined' ? region : 'GLOBAL' });
  }

  var src = '' + run;
  var w = new Worker(URL.createObjectURL(new Blob(['(' + src + ')()'])));
  w.onmessage = function (e) { console.info('region', e.data.region); };
})();
