// onnxruntime-web 1.9.0, WASM backend with 2 threads (the harness tells Chromium there are 4
// cores; COOP/COEP make SharedArrayBuffer available, so the threaded SIMD binary is chosen).
// Its pthread workers get their code from a Blob of
//   'var ortWasmThreaded=(function(){var _scriptDir;return ' + factory.toString() + '})();'
// (lib/wasm/wasm-factory.ts): the prelude declares `_scriptDir`, which the Emscripten factory
// reads bare from its enclosing function (`_scriptDir&&(D=_scriptDir)`, `...||_scriptDir`).
// The model is written here: one MatMul node, y = a x b, with symbolic dimensions, run on a 2x2
// product with a known answer and on a 128x128 one checked against plain JavaScript.
function onnxModel() {
  var bytes = [];
  var varint = function (out, n) {
    while (n > 127) { out.push((n & 127) | 128); n = Math.floor(n / 128); }
    out.push(n);
  };
  // protobuf: field (number, wire type) then value; wire type 0 varint, 2 length-delimited
  var f = function (num, val) {
    var out = [];
    if (typeof val === 'number') { varint(out, num * 8); varint(out, val); return out; }
    var b = typeof val === 'string' ? Array.from(new TextEncoder().encode(val)) : val;
    varint(out, num * 8 + 2); varint(out, b.length);
    return out.concat(b);
  };
  var cat = function () { return [].concat.apply([], arguments); };
  // ValueInfoProto{name, type: TypeProto{tensor_type{elem_type FLOAT=1, shape{dim{dim_param}}...}}}
  var value = function (name, dims) {
    var shape = cat.apply(null, dims.map(function (d) { return f(1, f(2, d)); }));
    return f(1, name).concat(f(2, f(1, cat(f(1, 1), f(2, shape)))));
  };
  var node = cat(f(1, 'a'), f(1, 'b'), f(2, 'y'), f(3, 'mm'), f(4, 'MatMul'));
  var graph = cat(f(1, node), f(2, 'guardmin'), f(11, value('a', ['n', 'k'])), f(11, value('b', ['k', 'm'])), f(12, value('y', ['n', 'm'])));
  bytes = cat(f(1, 7), f(2, 'guardmin'), f(7, graph), f(8, cat(f(1, ''), f(2, 13))));
  return new Uint8Array(bytes);
}

// A pthread worker posts {cmd: 'loaded'} once the factory text has run in it; the check waits
// for every worker started to say so (the product itself can finish on the main thread alone,
// before a broken worker has thrown).
var loaded = { created: 0, loaded: 0 };
var PageWorker = window.Worker;
window.Worker = function (url, opts) {
  var w = new PageWorker(url, opts);
  loaded.created++;
  w.addEventListener('message', function (e) {
    if (e.data && e.data.cmd === 'loaded') loaded.loaded++;
  });
  return w;
};
window.Worker.prototype = PageWorker.prototype;

var allWorkersLoaded = function (ms) {
  var until = Date.now() + ms;
  return new Promise(function (resolve) {
    (function poll() {
      if (loaded.created > 0 && loaded.loaded >= loaded.created) resolve(true);
      else if (Date.now() > until) resolve(false);
      else setTimeout(poll, 50);
    })();
  });
};

realReport(async function () {
  ort.env.wasm.numThreads = 2;
  var session = await ort.InferenceSession.create(onnxModel(), { executionProviders: ['wasm'] });
  var run = async function (a, b, n, k, m) {
    var out = await session.run({ a: new ort.Tensor('float32', a, [n, k]), b: new ort.Tensor('float32', b, [k, m]) });
    return out.y.data;
  };
  var small = Array.from(await run(Float32Array.from([1, 2, 3, 4]), Float32Array.from([5, 6, 7, 8]), 2, 2, 2));
  // A bigger product, so the thread pool really runs.
  var n = 128;
  var x = new Float32Array(n * n);
  for (var i = 0; i < x.length; i++) x[i] = ((i * 7919) % 13) / 13 - 0.5;
  var big = await run(x, x, n, n, n);
  var maxDiff = 0;
  for (var r = 0; r < n; r++) {
    for (var c = 0; c < n; c++) {
      var s = 0;
      for (var j = 0; j < n; j++) s += x[r * n + j] * x[j * n + c];
      maxDiff = Math.max(maxDiff, Math.abs(s - big[r * n + c]));
    }
  }
  var workersLoaded = await allWorkersLoaded(20000);
  return {
    result: [small, maxDiff < 1e-3, workersLoaded],
    expected: [[19, 22, 43, 50], true, true],
    workers: loaded,
    numThreads: ort.env.wasm.numThreads,
    isolated: self.crossOriginIsolated,
    maxDiff: maxDiff,
  };
}, 60000);
