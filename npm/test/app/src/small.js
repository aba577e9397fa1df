// A small entry without tfjs, for the quick builds (failures, warnings, other minifiers).
import { startStringWorker } from './string-worker.js';

const worker = startStringWorker();
worker.postMessage('guardmin-probe-small');
