// Models: `switch (typeof X) { case "undefined": ... }` (swc turns this into `void 0 === X`
// tests). The worker reads the enclosing `format` only in the non-undefined cases.
// expect: runs
(function () {
  var format = navigator.hardwareConcurrency > 1 ? 'json' : 1;

  function encoder() {
    var kind;
    switch (typeof format) {
      case 'undefined':
        kind = 'default';
        break;
      case 'string':
        kind = 'named:' + format;
        break;
      default:
        kind = 'numbered:' + format;
    }
    postMessage(kind);
  }

  var w = new Worker(URL.createObjectURL(new Blob(['(' + encoder + ')()'])));
  w.onmessage = function (e) { console.info('format', e.data); };
})();
