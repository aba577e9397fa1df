// Models: worker functions iterated with `for...of` over a Map of named tasks, each sent as
// `'(' + fn + ')()'`. The task reads the enclosing `factor` under `typeof` in a ternary.
// expect: runs
(() => {
  const factor = navigator.hardwareConcurrency * 3;
  const tasks = new Map([
    ['triple', () => postMessage(7 * (typeof factor === 'number' ? factor : 3))],
    ['answer', () => postMessage(42)],
  ]);
  for (const [name, task] of tasks) {
    const w = new Worker(URL.createObjectURL(new Blob(['(' + task + ')()'])));
    w.onmessage = (e) => console.info(name, e.data);
  }
})();
