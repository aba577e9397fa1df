// The app's entry: runs the factory on the main thread, then hands its text to a worker.
import { createModule, describeBuild } from './factory.js';
import { formatResult } from './format.js';
import { startWorker } from './pool.js';

console.log(formatResult('main thread', createModule({})));
console.log(describeBuild());
startWorker(createModule, function (data) {
  console.log('worker:', data);
});
