// Models: a worker that receives function text and schedules it with `setTimeout(string)`
// inside the worker (old polling code). The scheduled function reads the enclosing
// `interval` under `typeof`.
// expect: runs
(function () {
  var interval = navigator.hardwareConcurrency * 5;

  function poll() {
    var every = typeof interval !== 'undefined' ? interval : 100;
    postMessage({ polled: true, every: every });
  }

  var w = new Worker(URL.createObjectURL(new Blob([
    'onmessage = function (e) { setTimeout(e.data, 1); };',
  ])));
  w.onmessage = function (e) { console.info('polled', e.data.polled, e.data.every); };
  w.postMessage('(' + poll + ')()');
})();
