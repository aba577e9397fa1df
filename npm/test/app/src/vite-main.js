// Vite's entry: the shared app plus an inlined worker (`?worker&inline` is Vite syntax).
import './main.js';
import InlineWorker from './inline-worker.js?worker&inline';

const inline = new InlineWorker();
inline.postMessage('hello');
