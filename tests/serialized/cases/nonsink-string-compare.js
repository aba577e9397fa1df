// Models: function text used only for comparisons: lodash-style `isNative` (a regexp over
// `funcToString.call(fn)`) and a "did the function change" check comparing two texts.
// expect: runs
(function () {
  var funcToString = Function.prototype.toString;
  var reIsNative = /\{\s*\[native code\]\s*\}/;
  var counter = navigator.hardwareConcurrency;

  function bump() {
    return ++counter;
  }

  function isNative(fn) {
    return typeof fn === 'function' && reIsNative.test(funcToString.call(fn));
  }

  var before = String(bump);
  var same = before === bump.toString();
  console.info('native', isNative(Math.max), isNative(bump), 'same', same, 'bump', bump());
})();
