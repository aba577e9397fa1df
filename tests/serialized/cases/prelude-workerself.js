// Models: `'var _workerSelf = self; self.onmessage = ' + fn.toString()`: the handler reads
// `_workerSelf`, which the page's code declares in the enclosing scope and the prelude
// re-declares by name in the worker.
// expect: runs
(function () {
  var _workerSelf = self;

  function handler(e) {
    _workerSelf.postMessage({ echo: e.data, isWorker: typeof _workerSelf.document === 'undefined' });
  }

  var w = new Worker(URL.createObjectURL(new Blob(['var _workerSelf = self; self.onmessage = ' + handler.toString()])));
  w.onmessage = function (e) { console.info('echo', e.data.echo, e.data.isWorker); };
  w.postMessage('hi');
  _workerSelf.addEventListener('message', handler);
})();
