// The test app: TensorFlow.js with its WASM backend (whose Emscripten glue starts pthread
// workers from a factory's source text), a module worker bundled as its own file, and a
// module worker started from a stringified function of the app's own.
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { startStringWorker } from './string-worker.js';

export async function run() {
  setWasmPaths('./wasm/');
  await tf.setBackend('wasm');
  const product = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]]));
  const fileWorker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  const stringWorker = startStringWorker();
  console.log('guardmin-probe-main', product.shape, fileWorker, stringWorker);
}

run();
