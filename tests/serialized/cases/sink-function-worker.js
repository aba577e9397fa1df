// Models: a worker pool that ships function source by postMessage and rebuilds it in the
// worker with `new Function('return ' + src)()` (workerpool / threads.js style). The
// function reads the enclosing `scale` only if `typeof scale !== 'undefined'`.
// expect: runs
var Pool = (function () {
  var scale = navigator.hardwareConcurrency;
  var workerMain = function () {
    self.onmessage = function (e) {
      var fn = new Function('return ' + e.data.src)();
      postMessage(fn(e.data.arg));
    };
  };
  return {
    scale: scale,
    exec: function (fn, arg) {
      var w = new Worker(URL.createObjectURL(new Blob(['(' + workerMain + ')()'])));
      w.onmessage = function (e) { console.info('pool result', e.data); };
      w.postMessage({ src: fn.toString(), arg: arg });
    },
  };
})();

(function () {
  var scale = Pool.scale * 10;
  Pool.exec(function (x) {
    return x * (typeof scale !== 'undefined' ? scale : 1);
  }, 4);
})();
