// Entry for the quick webpack builds with a worker (no tfjs).
import './small.js';

new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
