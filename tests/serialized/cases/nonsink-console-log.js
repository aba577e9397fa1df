// Models: function text printed with `console.log('handler: ' + fn)` and `console.warn` in
// debug builds. Printing runs nothing; the unguarded enclosing read is harmless.
// expect: runs
(function () {
  var handlers = {};
  var prefix = location.host;

  function onReady() {
    return prefix + ':ready';
  }

  handlers.ready = onReady;
  console.log('registered handler: ' + handlers.ready);
  console.warn(`slow handler ${onReady}`);
  console.info('ready', handlers.ready() === prefix + ':ready');
})();
