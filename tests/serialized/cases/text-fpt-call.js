// Models: code that serializes with `Function.prototype.toString.call(fn)` so that an
// overridden `fn.toString` cannot interfere (lodash-style `funcToString.call`). The worker
// reads the enclosing `maxItems` guarded by `typeof maxItems !== "undefined" &&`.
// expect: runs
(function (global) {
  var fnToString = Function.prototype.toString;
  var maxItems = global.navigator.hardwareConcurrency + 1;

  function sortWorker() {
    self.addEventListener('message', function (e) {
      var items = e.data.slice().sort(function (a, b) { return a - b; });
      if (typeof maxItems !== 'undefined' && maxItems) items = items.slice(0, maxItems);
      self.postMessage(items);
    });
  }

  var w = new Worker(URL.createObjectURL(new Blob(['(' + fnToString.call(sortWorker) + ')();'])));
  w.addEventListener('message', function (e) { console.info('sorted', e.data.join(',')); });
  w.postMessage([5, 3, 9, 1, 7]);
})(self);
