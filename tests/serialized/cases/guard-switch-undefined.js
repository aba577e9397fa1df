// Models: `switch (typeof X) { case "undefined": ...; default: ... }` with only the
// undefined case, the shape swc rewrites into a `void 0 === X` test. The worker reads the
// enclosing `backend` only in the default branch.
// expect: runs
(function () {
  var backend = navigator.hardwareConcurrency > 1 ? 'threads' : 'single';

  function probe() {
    var chosen;
    switch (typeof backend) {
      case 'undefined':
        chosen = 'cpu';
        break;
      default:
        chosen = backend;
    }
    postMessage(chosen);
  }

  var w = new Worker(URL.createObjectURL(new Blob(['(' + probe + ')()'])));
  w.onmessage = function (e) { console.info('backend', e.data); };
})();
