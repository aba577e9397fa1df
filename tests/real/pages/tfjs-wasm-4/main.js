// Threaded tfjs WASM backend: 2 XNNPACK threads (the harness tells Chromium there are 4
// cores), setBackend('wasm') from the backend file's own directory, a matMul checked against
// the right answer. Emscripten's pthread pool starts its workers from a Blob holding
// 'var WasmBackendModuleThreadedSimd = ' + factory.toString().
realReport(async function () {
  tf.wasm.setThreadsCount(2);
  var okBackend = await tf.setBackend('wasm');
  await tf.ready();
  var a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
  var b = tf.tensor2d([5, 6, 7, 8], [2, 2]);
  var result = Array.from(await tf.matMul(a, b).data());
  // A bigger product, so the thread pool really runs.
  var n = 96;
  var x = tf.randomUniform([n, n], -1, 1, 'float32', 7);
  var wasmProd = await tf.matMul(x, x).data();
  var sum = 0;
  for (var i = 0; i < wasmProd.length; i++) sum += Math.abs(wasmProd[i]);
  return {
    result: result,
    expected: [19, 22, 43, 50],
    backend: tf.getBackend(),
    setBackend: okBackend,
    threads: tf.wasm.getThreadsCount(),
    isolated: self.crossOriginIsolated,
    bigProductFinite: isFinite(sum) && sum > 0,
  };
}, 60000);
