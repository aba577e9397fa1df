// Models: a spawn helper reached through `.call`, `.apply` and `.bind` (event-emitter style
// code that forwards its arguments). Each starts a worker from its function argument; the
// function reads the enclosing `tag` under `typeof`.
// expect: runs
(function () {
  var tag = location.pathname.split('/')[1];

  function spawn(fn, label) {
    var w = new Worker(URL.createObjectURL(new Blob(['(' + fn + ')()'])));
    w.onmessage = function (e) { console.info(label, e.data); };
  }

  function job() {
    postMessage(typeof tag !== 'undefined' ? 'tagged ' + tag : 'untagged');
  }

  spawn.call(null, job, 'call');
  spawn.apply(null, [job, 'apply']);
  var bound = spawn.bind(null, job);
  bound('bind');
})();
