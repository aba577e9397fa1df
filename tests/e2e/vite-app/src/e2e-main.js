// Entry of the e2e Vite app (tests/e2e/vite-app.test.mjs). It is built beside the plugin
// tests' own app sources (npm/test/app/src/string-worker.js and worker.js are copied next to
// it), imports the same packages, and writes what happened into the page:
//   1. the app's module worker started from a stringified function (string-worker.js) and
//      the module worker Vite emits as its own file (worker.js) must both answer a message;
//   2. tfjs-core + tfjs-backend-wasm with 2 threads (pthread workers started from the
//      Emscripten factory's source text) must compute two matMuls right.
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths, setThreadsCount, getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { startStringWorker } from './string-worker.js';

const out = (id, v) => { document.getElementById(id).textContent = String(v); };

/** Posts `msg` to `worker`; resolves with 'ok <reply>' or 'error <message>' (5 s at most). */
function ask(worker, msg) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('error: no answer within 5 s'), 5_000);
    worker.onmessage = (e) => { clearTimeout(timer); resolve(`ok ${JSON.stringify(e.data)}`); };
    worker.onerror = (e) => { clearTimeout(timer); resolve(`error: ${e.message}`); };
    worker.postMessage(msg);
  });
}

(async () => {
  out('isolated', self.crossOriginIsolated);
  try {
    const [stringAnswer, fileAnswer] = await Promise.all([
      ask(startStringWorker(), 'guardmin-e2e-string'),
      ask(new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }), 'guardmin-e2e-file'),
    ]);
    out('stringWorker', stringAnswer);
    out('fileWorker', fileAnswer);

    // The three .wasm files are served from wasm/ beside index.html.
    setWasmPaths(new URL('wasm/', document.baseURI).href);
    setThreadsCount(2);
    const ok = await tf.setBackend('wasm');
    if (!ok) throw new Error("tf.setBackend('wasm') returned false");
    out('backend', tf.getBackend());
    out('threads', getThreadsCount());

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
