// Models: several worker functions kept in an array and started with `forEach`, each
// serialized with `'(' + fn + ')()'`. One of them reads the enclosing `id` under `typeof`.
// expect: runs
(function () {
  var id = navigator.hardwareConcurrency;

  var jobs = [
    function () { postMessage('a:' + (typeof id !== 'undefined' ? id : 'none')); },
    function () { postMessage('b:' + [3, 1, 2].sort().join('')); },
  ];

  jobs.forEach(function (job) {
    var w = new Worker(URL.createObjectURL(new Blob(['(' + job + ')()'])));
    w.onmessage = function (e) { console.info('job', e.data); };
  });
})();
