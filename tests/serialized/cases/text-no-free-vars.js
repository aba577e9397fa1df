// Models: a well-behaved worker function that reads nothing of its enclosing scope, only
// its own locals and worker globals (`self`, `Math`, `postMessage`). Negative control: it
// must run whatever the minifier does.
// expect: runs
(function () {
  var seed = navigator.hardwareConcurrency;

  function primes() {
    self.onmessage = function (e) {
      var out = [];
      for (var n = 2; out.length < e.data; n++) {
        var prime = true;
        for (var d = 2; d * d <= n; d++) if (n % d === 0) { prime = false; break; }
        if (prime) out.push(n);
      }
      self.postMessage(out);
    };
  }

  var w = new Worker(URL.createObjectURL(new Blob(['(' + primes + ')()'])));
  w.onmessage = function (e) { console.info('primes', e.data.join(' ')); };
  w.postMessage(seed + 5);
})();
