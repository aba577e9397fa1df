// A module worker started from a stringified function, the way tfjs starts its pthreads:
// only the factory's source text reaches the worker, so `scriptUrl` is not declared there and
// the typeof guard is what keeps the read safe. A minifier that knows `scriptUrl` is declared
// here rewrites the guard to `scriptUrl !== void 0`, which throws in the worker.
export function startStringWorker() {
  var scriptUrl =
    typeof document !== 'undefined' && document.currentScript ? document.currentScript.src : undefined;
  const factory = function () {
    var base = '';
    if (typeof scriptUrl !== 'undefined' && scriptUrl) {
      base = scriptUrl;
    }
    self.onmessage = (event) => self.postMessage({ echo: event.data, base });
  };
  const source = `(${factory.toString()})()`;
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  return new Worker(url, { type: 'module' });
}
