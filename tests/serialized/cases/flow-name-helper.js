// Models: esbuild's keepNames helper written out in the source: `__name(fn, "name")` is
// `Object.defineProperty(fn, "name", { value, configurable: true })` and returns `fn`, so
// the serialized value is the function itself. It reads the enclosing `tolerance` under
// `typeof`.
// expect: runs
var __defProp = Object.defineProperty;
var __name = (target, value) => __defProp(target, 'name', { value, configurable: true });
(() => {
  let tolerance = navigator.hardwareConcurrency / 1000;
  const solve = __name(function () {
    const eps = typeof tolerance !== 'undefined' ? tolerance : 1e-6;
    let x = 1;
    for (let i = 0; i < 50; i++) x = x - (x * x - 2) / (2 * x);
    postMessage({ root: Number(x.toFixed(6)), eps });
  }, 'solve');
  const w = new Worker(URL.createObjectURL(new Blob([`(${solve})()`])));
  w.onmessage = (e) => console.info(solve.name, e.data.root, e.data.eps);
})();
