// Models: an early return: `if (typeof X === "undefined") return ...;` and then plain reads
// of X for the rest of the function.
// expect: runs
(function () {
  var store = { hits: navigator.hardwareConcurrency };

  function reporter() {
    function report() {
      if (typeof store === 'undefined') return postMessage({ hits: -1 });
      store.hits++;
      postMessage({ hits: store.hits });
    }
    report();
  }

  var w = new Worker(URL.createObjectURL(new Blob(['(' + reporter + ')()'])));
  w.onmessage = function (e) { console.info('hits', e.data.hits, store.hits); };
})();
