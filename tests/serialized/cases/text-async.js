// Models: an async worker body (`(async function () { ... })()` in a Blob) that awaits and
// then reads the enclosing `retries` under `typeof`, as fetch-in-worker helpers do.
// expect: runs
(function () {
  var retries = navigator.hardwareConcurrency > 1 ? 3 : 1;

  async function work() {
    await Promise.resolve();
    var n = typeof retries === 'undefined' ? 1 : retries;
    var attempts = [];
    for (var i = 0; i < n; i++) attempts.push(await Promise.resolve(i * 2));
    postMessage({ attempts: attempts });
  }

  var w = new Worker(URL.createObjectURL(new Blob(['(' + work.toString() + ')()'])));
  w.onmessage = function (e) { console.info('attempts', e.data.attempts.length, retries); };
})();
