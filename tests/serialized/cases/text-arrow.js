// Models: an arrow function handed to a worker as `'(' + arrow + ')()'` (worker helpers in
// React hooks packages). The arrow reads the enclosing `precision` under `typeof`, combined
// with `||` for a default.
// expect: runs
const useWorkerMath = (() => {
  let precision = Math.min(navigator.hardwareConcurrency, 4);
  const body = () => {
    const p = (typeof precision !== 'undefined' && precision) || 3;
    onmessage = ({ data }) => postMessage(Number(Math.sqrt(data).toFixed(p)));
  };
  return (value) => {
    const w = new Worker(URL.createObjectURL(new Blob(['(' + body + ')()'])));
    w.onmessage = (e) => console.info('sqrt', value, e.data);
    w.postMessage(value);
  };
})();
useWorkerMath(2);
