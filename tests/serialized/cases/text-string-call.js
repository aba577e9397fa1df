// Models: a helper that serializes with `String(fn)` (the form some polyfills use to avoid
// relying on Function.prototype.toString being unpatched). The worker function reads a
// counter of the enclosing scope under `typeof counter == "number"`.
// expect: runs
(function () {
  var started = Date.now() > 0 ? 1 : 0;

  function pinger() {
    var n = typeof started == 'number' ? started : 0;
    postMessage({ ping: 'pong', n: n });
  }

  var w = new Worker(URL.createObjectURL(new Blob(['(' + String(pinger) + ')()'])));
  w.onmessage = function (e) { console.info(e.data.ping, e.data.n); };
  started++;
})();
