// workerize builds a Blob worker from the module text plus the library's own `setup`
// function, stringified: '\n(' + Function.prototype.toString.call(setup) + ')(self,...)'.
import workerize from '../nm/workerize/src/index.js';

realReport(async () => {
  const w = workerize(`
    export function add(a, b) { return a + b; }
    export async function inWorker() { return typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope; }
  `);
  const result = [await w.add(20, 22), await w.inWorker()];
  let missing;
  try { await w.call('nope', []); missing = 'resolved'; } catch (e) { missing = String(e.message); }
  result.push(missing);
  w.terminate();
  return { result, expected: [42, true, 'NO_SUCH_METHOD'] };
});
