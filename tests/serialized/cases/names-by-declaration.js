// Models: worker text that calls the function by its declared name: `String(fn) +
// '\nfn();'` (the function declaration's text re-declares the name in the worker). The
// name is a contract with the string: a minifier that renames or inlines the function
// breaks it, with no guard involved.
// expect: runs
(function () {
  var jobsDone = 0;

  function pinger() {
    postMessage({ ping: 'pong' });
  }

  var w = new Worker(URL.createObjectURL(new Blob([String(pinger) + '\npinger();'])));
  w.onmessage = function (e) { jobsDone++; console.info(e.data.ping, jobsDone); };
})();
