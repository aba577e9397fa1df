// Models: `new Blob(['(', fn, ')()'])`: the function itself is a Blob part, and the Blob
// constructor turns it into its source text (WebIDL USVString conversion). Seen in small
// inline-worker packages. The worker reads `timeoutMs` under `typeof`.
// expect: runs
(function () {
  var timeoutMs = navigator.hardwareConcurrency * 500;

  function tick() {
    var limit = typeof timeoutMs === 'undefined' ? 250 : timeoutMs;
    setTimeout(function () { postMessage({ tick: true, limit: limit }); }, 10);
  }

  var w = new Worker(URL.createObjectURL(new Blob(['(', tick, ')()'], { type: 'application/javascript' })));
  w.onmessage = function (e) { console.info('tick', e.data.tick, e.data.limit); };
})();
