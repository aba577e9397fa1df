// threads 0.12 starts its workers from its embedded slave script (a string, via a Blob URL)
// and sends the thread function as text (split into argument list and body, rebuilt in the
// worker with new Function).
realReport(function () {
  var run = function (fn, input) {
    return new Promise(function (resolve, reject) {
      var t = threads.spawn(fn);
      t.send(input).on('message', function (r) { t.kill(); resolve(r); }).on('error', function (e) { t.kill(); reject(e); });
    });
  };
  return Promise.all([
    run(function (input, done) { done(input.a + input.b); }, { a: 20, b: 22 }),
    run(function (input, done) { done(typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope); }, {}),
  ]).then(function (r) {
    return { result: r, expected: [42, true] };
  });
});
