// Models: the guard stored in a local flag first (`var inMain = typeof seen !== "undefined";
// if (!inMain) return;`) and the enclosing binding read after the flag test.
// expect: runs
(function () {
  var seen = {};
  seen[location.host] = true;

  function dedupe() {
    var inMain = typeof seen !== 'undefined';
    self.onmessage = function (e) {
      if (!inMain) return postMessage(e.data.filter(function (x, i, a) { return a.indexOf(x) === i; }));
      postMessage(e.data.filter(function (x) { return !seen[x]; }));
    };
  }

  var w = new Worker(URL.createObjectURL(new Blob(['(' + dedupe + ')()'])));
  w.onmessage = function (e) { console.info('unique', e.data.join(',')); };
  w.postMessage(['a', 'b', 'a', 'c']);
})();
