// The app's entry: runs the factory on the main thread, then hands its text to a worker.
import { createModule, describeBuild } from './factory.js';
import { formatResult } from './format.js';
import { startWorker } from './pool.js';
import { summarize } from './graph/summary.js';

console.log(formatResult('main thread', createModule({})));
console.log(describeBuild());
console.log('summary: ' + JSON.stringify(summarize([3, 1, 4, 1, 5, 9, 2, 6, 5, 3], 2)));
startWorker(createModule, function (data) {
  console.log('worker:', data);
});
