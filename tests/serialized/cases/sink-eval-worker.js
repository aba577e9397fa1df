// Models: a generic "eval worker" (a worker whose own code is a fixed string) that receives
// function source through postMessage and evals it, as task-queue libraries do to run user
// functions off the main thread. The task function reads the enclosing `unit` under typeof.
// expect: runs
(function () {
  var unit = location.protocol === 'https:' ? 'kB' : 'B';

  var WORKER_SRC =
    'self.onmessage = function (e) {' +
    '  var fn = (0, eval)("(" + e.data.fn + ")");' +
    '  self.postMessage({ id: e.data.id, value: fn.apply(null, e.data.args) });' +
    '};';

  function formatSize(bytes) {
    var u = typeof unit === 'string' ? unit : 'B';
    return bytes + ' ' + u;
  }

  var w = new Worker(URL.createObjectURL(new Blob([WORKER_SRC])));
  w.onmessage = function (e) { console.info('task', e.data.id, e.data.value); };
  w.postMessage({ id: 1, fn: formatSize.toString(), args: [512] });
})();
