// Models: the worker function chosen at run time and assigned later (`var task; if (fast)
// task = a; else task = b;`). Both candidates read the enclosing `mode` under `typeof`.
// expect: runs
(function () {
  var mode = navigator.hardwareConcurrency > 1 ? 'fast' : 'safe';
  var task;
  if (mode === 'fast') {
    task = function () { postMessage('fast:' + (typeof mode !== 'undefined' ? mode : '?')); };
  } else {
    task = function () { postMessage('safe:' + (typeof mode === 'undefined' ? '?' : mode)); };
  }
  var w = new Worker(URL.createObjectURL(new Blob(['(' + task + ')()'])));
  w.onmessage = function (e) { console.info('task', e.data); };
})();
