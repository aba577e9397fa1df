// An inlined worker (`?worker&inline`) that carries the same bug as broken-closure.js.
import { startBrokenWorker } from './broken-closure.js';

startBrokenWorker();
