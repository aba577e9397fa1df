// Starts workers from a factory's source text, the way tfjs starts its pthread workers:
// only the text of the function reaches the worker, not the module around it.
import { APP_NAME } from './format.js';

export function startWorker(factory, onResult) {
  var text = 'var Factory = ' + factory.toString() + ';\npostMessage(["' + APP_NAME + '", Factory({}).wasmUrl]);';
  var worker = new Worker(URL.createObjectURL(new Blob([text], { type: 'text/javascript' })));
  worker.onmessage = function (e) {
    onResult(e.data);
  };
  return worker;
}
