// Models: the "yoda" guard `"undefined" !== typeof X ? X : d` (CoffeeScript / Babel helpers
// write it this way) and its loose form `"undefined" == typeof Y`.
// expect: runs
(function () {
  var host = location.host;
  var port = location.port || 80;

  function endpoint() {
    var h = 'undefined' !== typeof host ? host : 'worker';
    var p = 'undefined' == typeof port ? 0 : port;
    postMessage(h + ':' + p);
  }

  var w = new Worker(URL.createObjectURL(new Blob(['(' + endpoint + ')()'])));
  w.onmessage = function (e) { console.info('endpoint', e.data); };
})();
