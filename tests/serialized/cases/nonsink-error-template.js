// Models: function text interpolated into an `Error` message (validation libraries do this
// in hundreds of places): `new Error(`Invalid validator ${fn}`)`. The function reads an
// enclosing binding unguarded, but its text never runs anywhere, so nothing throws.
// expect: runs
(function () {
  var allowed = ['a', 'b'];

  function validator(v) {
    return allowed.indexOf(v) >= 0;
  }

  function check(fn, value) {
    if (typeof fn !== 'function' || fn.length !== 1) throw new Error(`Invalid validator ${fn}`);
    if (!fn(value)) {
      var err = new TypeError(`Value ${value} rejected by ${fn}`);
      return err instanceof TypeError;
    }
    return true;
  }

  console.info('valid', check(validator, 'a'), 'rejected', check(validator, 'z'));
})();
