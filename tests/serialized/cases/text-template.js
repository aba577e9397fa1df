// Models: an ES2015 inline-worker helper that builds the worker source with a template
// literal, `(${fn})()`. The worker reads a debug flag of the enclosing module scope under
// `typeof flag === "undefined"` (the spelling most code uses).
// expect: runs
(() => {
  let verbose = location.search.indexOf('debug') >= 0;

  const hashWorker = () => {
    const debug = typeof verbose === 'undefined' ? false : verbose;
    self.onmessage = (e) => {
      let h = 7;
      for (const ch of e.data) h = (h * 31 + ch.charCodeAt(0)) % 1000003;
      postMessage({ hash: h, debug });
    };
  };

  const worker = new Worker(URL.createObjectURL(new Blob([`(${hashWorker})()`])));
  worker.onmessage = (e) => console.info('hash', e.data.hash, e.data.debug);
  worker.postMessage('serialized');
  verbose = !verbose;
})();
