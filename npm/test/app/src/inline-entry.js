// Entry for the inlined-worker build: the worker's own bundle carries the broken closure.
import BrokenWorker from './inline-broken.js?worker&inline';

new BrokenWorker();
