// Models: a worker function taken out of a library object by destructuring
// (`const { render } = lib`) and sent with a template literal. It reads the enclosing
// `width` under `typeof`.
// expect: runs
(() => {
  const lib = (() => {
    let width = navigator.hardwareConcurrency * 40;
    return {
      render: function () {
        const w = typeof width !== 'undefined' ? width : 10;
        postMessage('#'.repeat(Math.min(w, 20)));
      },
      width: () => width,
    };
  })();
  const { render, width: getWidth } = lib;
  const worker = new Worker(URL.createObjectURL(new Blob([`(${render})()`])));
  worker.onmessage = (e) => console.info('rendered', e.data.length, getWidth());
})();
