// Runs the tfjs WASM backend with two threads and writes what happened into the page.
(async () => {
  const out = (id, v) => { document.getElementById(id).textContent = String(v); };
  out('isolated', self.crossOriginIsolated);
  try {
    tf.wasm.setThreadsCount(2);
    const ok = await tf.setBackend('wasm');
    if (!ok) throw new Error("tf.setBackend('wasm') returned false");
    out('backend', tf.getBackend());
    out('threads', tf.wasm.getThreadsCount());

    const small = await tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]])).data();
    out('result', JSON.stringify(Array.from(small)));

    // A bigger product, checked against plain JS, so XNNPACK's thread pool has work to share.
    const n = 96;
    const a = new Float32Array(n * n), b = new Float32Array(n * n);
    for (let i = 0; i < n * n; i++) { a[i] = ((i * 7) % 13) / 13 - 0.5; b[i] = ((i * 5) % 11) / 11 - 0.5; }
    const got = await tf.matMul(tf.tensor2d(a, [n, n]), tf.tensor2d(b, [n, n])).data();
    let maxDiff = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j];
        maxDiff = Math.max(maxDiff, Math.abs(s - got[i * n + j]));
      }
    }
    out('bigdiff', maxDiff);
    out('status', 'done');
  } catch (e) {
    out('error', (e && (e.stack || e.message)) || JSON.stringify(e));
    out('status', 'error');
  }
})();
