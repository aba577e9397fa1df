// Models: `if (typeof X === "undefined") { fallback } else { use X }`, the statement form of
// the guard, around an enclosing `palette`.
// expect: runs
(function () {
  var palette = [location.protocol, location.host];

  function paint() {
    var colors;
    if (typeof palette === 'undefined') {
      colors = ['red', 'green'];
    } else {
      colors = palette.slice();
    }
    postMessage({ colors: colors.length });
  }

  var w = new Worker(URL.createObjectURL(new Blob(['(' + paint + ')()'])));
  w.onmessage = function (e) { console.info('colors', e.data.colors); };
})();
