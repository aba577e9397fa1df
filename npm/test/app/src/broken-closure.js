// A real bug, not a minifier's: the factory reads `origin`, which exists only here, yet its
// source text is what the worker runs. guardmin scan reports it wherever it ends up.
export function startBrokenWorker() {
  const origin = location.origin + '/api';
  const factory = function () {
    self.postMessage(origin);
  };
  return new Worker(URL.createObjectURL(new Blob([`(${factory})()`])));
}
