// Models: two unguarded reads of the same enclosing binding: only the first can throw (a
// second read is never reached). The bug is in the source, so every output throws; a
// checker should report it once.
// expect: throws
(function () {
  var registry = { size: navigator.hardwareConcurrency };

  function audit() {
    var before = registry.size;
    registry.size++;
    postMessage({ before: before, after: registry.size });
  }

  var w = new Worker(URL.createObjectURL(new Blob(['(' + audit + ')()'])));
  w.onmessage = function (e) { console.info('audit', e.data.before, e.data.after); };
})();
