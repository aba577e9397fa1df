// Models: a template/expression compiler that rebuilds a function on the MAIN thread with
// `new Function('return (' + fn + ')')()`, e.g. to get a copy without the closure. The new
// function lives in the global scope: the enclosing `prefix` is not visible there, and the
// code reads it under `typeof`.
// expect: runs
(function () {
  var prefix = document.currentScript ? '#' : '?';

  function label(n) {
    return (typeof prefix !== 'undefined' ? prefix : '') + n;
  }

  var detached = new Function('return (' + label + ')')();
  console.info('detached', detached(3), 'attached', label(3));
})();
