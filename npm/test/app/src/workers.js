// Entry for the quick Vite builds with workers (no tfjs): a file worker and an inlined one.
import InlineWorker from './inline-worker.js?worker&inline';

new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
new InlineWorker();
