// Models: indirect eval of function text on the main thread, `(0, eval)('(' + fn + ')')`,
// used by serialization libraries (serialize-javascript round trips) to revive functions.
// The revived function reads the enclosing `locale` under `typeof` with an early return.
// expect: runs
(function () {
  var locale = location.pathname.length > 3 ? 'en-GB' : 'en-US';

  function greet(name) {
    if (typeof locale === 'undefined') return 'hello ' + name;
    return (locale === 'en-GB' ? 'good day ' : 'hi ') + name;
  }

  var revived = (0, eval)('(' + greet + ')');
  console.info(revived('ada'), '|', greet('ada'));
})();
