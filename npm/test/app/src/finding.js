// Entry for the "finding" builds: starts the worker whose factory reads an enclosing binding.
import { startBrokenWorker } from './broken-closure.js';

startBrokenWorker();
