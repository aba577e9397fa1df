// A module worker that the bundler emits as its own file.
self.onmessage = (event) => {
  self.postMessage(['guardmin-probe-worker', event.data]);
};
