// Models: a message handler installed in the worker as `'self.onmessage = ' + fn.toString()`
// (comlink-free "function to worker" utilities). The handler reads the page's base URL only
// after checking `typeof baseUrl !== "undefined"`.
// expect: runs
var TaskRunner = (function () {
  var baseUrl = document.currentScript ? document.currentScript.src : '';

  function onTask(e) {
    var base = typeof baseUrl !== 'undefined' ? baseUrl : self.location.href;
    postMessage({ task: e.data.task, result: e.data.args.reduce(function (a, b) { return a * b; }, 1), fromBlob: base.indexOf('blob:') === 0 });
  }

  return {
    start: function () {
      var src = 'self.onmessage = ' + onTask.toString();
      var w = new Worker(URL.createObjectURL(new Blob([src])));
      w.onmessage = function (e) { console.info(e.data.task, e.data.result, e.data.fromBlob, baseUrl.length > 0); };
      w.postMessage({ task: 'product', args: [2, 3, 7] });
    },
  };
})();
TaskRunner.start();
