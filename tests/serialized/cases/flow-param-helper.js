// Models: one shared `inlineWorker(fn)` helper called from several places, so the function
// reaches the sink through a parameter. Both call sites pass functions that read enclosing
// variables under `typeof`.
// expect: runs
(function () {
  function inlineWorker(fn, onResult) {
    var w = new Worker(URL.createObjectURL(new Blob(['(' + fn + ')()'])));
    w.onmessage = function (e) { onResult(e.data); };
    return w;
  }

  var lang = location.pathname.indexOf('/fr/') >= 0 ? 'fr' : 'en';
  inlineWorker(function () {
    postMessage(typeof lang !== 'undefined' && lang === 'fr' ? 'bonjour' : 'hello');
  }, function (d) { console.info('greeting', d); });

  (function () {
    var depth = navigator.hardwareConcurrency;
    inlineWorker(function () {
      postMessage(typeof depth !== 'undefined' ? depth * 2 : -1);
    }, function (d) { console.info('depth', d); });
  })();
})();
