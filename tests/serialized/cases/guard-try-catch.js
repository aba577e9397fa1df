// Models: an unguarded read of an enclosing binding inside `try { ... } catch (e) {}`: the
// ReferenceError is caught in the worker and a fallback is used, so nothing escapes.
// expect: runs
(function () {
  var sharedState = { version: navigator.hardwareConcurrency };

  function versionWorker() {
    var v = 0;
    try {
      v = sharedState.version;
    } catch (e) {
      v = -1;
    }
    postMessage({ version: v });
  }

  var w = new Worker(URL.createObjectURL(new Blob(['(' + versionWorker + ')()'])));
  w.onmessage = function (e) { console.info('version', e.data.version); };
})();
