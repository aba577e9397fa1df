// paralleljs runs each map callback in a Blob worker built from text:
// 'self.onmessage = function(e) {var global = {}; global.env = ...; self.postMessage((' + cb + ')(e.data))}'.
realReport(function () {
  return new Promise(function (resolve, reject) {
    var p = new Parallel([1, 2, 3, 4], { env: { k: 10 }, maxWorkers: 2 });
    p.map(function (x) { return x * global.env.k + (typeof WorkerGlobalScope !== 'undefined' ? 1 : 0); })
      .then(function (data) {
        resolve({ result: data, expected: [11, 21, 31, 41] });
      }, reject);
  });
});
