// greenlet moves an async function into a Blob worker built from text:
// '$$=' + asyncFunction + ';onmessage=' + (the library's own RPC handler, stringified).
import greenlet from '../nm/greenlet/greenlet.js';

realReport(async () => {
  const mulAdd = greenlet(async (a, b) => a * b + (typeof WorkerGlobalScope !== 'undefined' ? 1 : 1000));
  const fails = greenlet(async () => { throw new Error('boom'); });
  const result = [await mulAdd(6, 7), await fails().then(() => 'resolved', (e) => String(e).includes('boom'))];
  return { result, expected: [43, true] };
});
