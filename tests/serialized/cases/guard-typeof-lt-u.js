// Models: the guard already written in the minified-safe form `typeof X < "u"` (what
// esbuild emits, and what guardmin rewrites guards into), and its mirror `"u" > typeof X`.
// expect: runs
(function () {
  var cacheSize = navigator.hardwareConcurrency * 100;
  var ttl = navigator.hardwareConcurrency * 60;

  function cacheWorker() {
    var size = typeof cacheSize < 'u' ? cacheSize : 10;
    var seconds = 'u' > typeof ttl ? ttl : 30;
    postMessage({ size: size, seconds: seconds });
  }

  var w = new Worker(URL.createObjectURL(new Blob(['(' + cacheWorker + ')()'])));
  w.onmessage = function (e) { console.info('cache', e.data.size, e.data.seconds); };
})();
