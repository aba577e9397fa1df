// Models: a worker assembled from several function texts: `fns.map(f => 'var ' + f.name +
// ' = ' + f).join(';')` (worker "bundlers" that ship helpers). A helper reads the enclosing
// `radix` under `typeof`.
// expect: runs
(function () {
  var radix = navigator.hardwareConcurrency * 8;

  function toText(n) {
    return n.toString(typeof radix !== 'undefined' ? radix : 10);
  }
  function main() {
    onmessage = function (e) { postMessage(e.data.map(toText)); };
  }

  var src = [toText, main].map(function (f) { return 'var ' + f.name + ' = ' + f; }).join(';\n') + ';\nmain();';
  var w = new Worker(URL.createObjectURL(new Blob([src])));
  w.onmessage = function (e) { console.info('converted', e.data.join(' ')); };
  w.postMessage([15, 255]);
})();
