// A module worker that Vite inlines into its importer (`?worker&inline`).
self.onmessage = (event) => {
  self.postMessage(['guardmin-probe-inline-worker', event.data]);
};
