// manifold-3d's Emscripten glue (ES6 module, no threads) runs inside a module worker of this
// page: the glue's ENVIRONMENT_IS_WORKER path locates manifold.wasm from import.meta.url.
realReport(async () => {
  const worker = new Worker(new URL('worker.mjs', import.meta.url), { type: 'module' });
  const answer = await new Promise((resolve, reject) => {
    worker.onmessage = (e) => resolve(e.data);
    worker.onerror = (e) => reject(new Error('worker error: ' + (e.message || 'failed to load')));
  });
  worker.terminate();
  if (answer.error) throw new Error('in worker: ' + answer.error);
  return { result: answer.result, expected: [8, 24, true] };
});
