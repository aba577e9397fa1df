// Models: worker functions passed through spread: `start(...[fn, name])` and a copy of an
// array of functions `[...fns]`. The function reads the enclosing `offset` under `typeof`.
// expect: runs
(() => {
  let offset = navigator.hardwareConcurrency;
  const start = (fn, name) => {
    const w = new Worker(URL.createObjectURL(new Blob(['(' + fn + ')()'])));
    w.onmessage = (e) => console.info(name, e.data);
  };
  const fns = [
    function () { postMessage(100 + (typeof offset === 'number' ? offset : 0)); },
  ];
  const copy = [...fns];
  start(...[copy[0], 'spread']);
  offset += 1;
})();
