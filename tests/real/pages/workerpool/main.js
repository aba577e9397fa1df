// workerpool starts its workers from its embedded worker script (a string, via a Blob) and
// sends each function to run as text (the worker rebuilds it with new Function).
realReport(function () {
  var pool = workerpool.pool({ maxWorkers: 2 });
  return Promise.all([
    pool.exec(function (a, b) { return a + b; }, [20, 22]),
    pool.exec(function () { return typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope; }, []),
    pool.exec(function () { throw new Error('boom'); }, []).then(function () { return 'resolved'; }, function (e) { return /boom/.test(String(e)); }),
  ]).then(function (r) {
    var stats = pool.stats();
    pool.terminate();
    return { result: r, expected: [42, true, true], poolWorkers: stats.totalWorkers };
  });
});
