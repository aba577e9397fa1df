// Models: a worker started from a data: URL (`new Worker('data:text/javascript,' +
// encodeURIComponent('(' + fn + ')()'))`), which some CSP-constrained apps use instead of
// blob: URLs. The worker body reads the enclosing `origin` under a `typeof` switch default.
// expect: runs
(function () {
  var origin = location.origin;

  function echo() {
    var from = typeof origin !== 'undefined' ? origin : 'opaque';
    onmessage = function (e) { postMessage(from.length > 0 ? e.data.toUpperCase() : ''); };
  }

  var w = new Worker('data:text/javascript,' + encodeURIComponent('(' + echo + ')()'));
  w.onmessage = function (e) { console.info('echo', e.data); };
  w.postMessage('data url');
})();
