// operative builds a Blob worker from each method's text plus the library's own
// workerBoilerScript, stringified: '\n(' + boilerScript.toString() + '());'.
realReport(function () {
  var calc = operative({
    add: function (a, b, cb) { cb(a + b); },
    where: function (cb) { cb(typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope); },
    later: function (x) { var d = this.deferred(); setTimeout(function () { d.resolve(x * 2); }, 10); },
  });
  var call = function (name, args) {
    return new Promise(function (resolve) { calc[name].apply(calc, args.concat([resolve])); });
  };
  return Promise.all([call('add', [20, 22]), call('where', []), calc.later(21)]).then(function (r) {
    return { result: r, expected: [42, true, 42], hasWorkerSupport: operative.hasWorkerSupport };
  });
});
