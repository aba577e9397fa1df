// Models: the guard inside a callback of the serialized function (`data.map(x => typeof
// scale !== "undefined" ? x * scale : x)`), so the read happens in a nested arrow.
// expect: runs
(() => {
  let scale = navigator.hardwareConcurrency * 1.5;
  const scaler = () => {
    onmessage = (e) => postMessage(e.data.map((x) => (typeof scale !== 'undefined' ? x * scale : x)));
  };
  const w = new Worker(URL.createObjectURL(new Blob([`(${scaler})()`])));
  w.onmessage = (e) => console.info('scaled', e.data.join(','));
  w.postMessage([1, 2, 3]);
  scale = scale + 0;
})();
