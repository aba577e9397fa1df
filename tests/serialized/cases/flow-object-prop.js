// Models: worker functions stored as methods of a registry object and looked up by key
// (`registry[kind]`), then serialized with `.toString()`. The function reads the enclosing
// `limit` under `typeof`.
// expect: runs
(function () {
  var limit = navigator.hardwareConcurrency + 8;

  var registry = {
    count: function () {
      onmessage = function (e) {
        var max = typeof limit !== 'undefined' ? limit : 3;
        postMessage(Math.min(e.data.length, max));
      };
    },
    noop: function () {},
  };

  var kind = 'count';
  var w = new Worker(URL.createObjectURL(new Blob(['(' + registry[kind].toString() + ')()'])));
  w.onmessage = function (e) { console.info('count', e.data); };
  w.postMessage([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
})();
