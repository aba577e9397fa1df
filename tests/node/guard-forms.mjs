#!/usr/bin/env node
// guard-forms: runs each FILE's function in a main realm and, from the source text the
// file builds, in a fresh realm, the way a worker receives it.
//
//   node tests/node/guard-forms.mjs FILE...
//
// Each FILE is a script that declares, at top level, `F` (a function) and `text` (the
// worker's source text, built from `F.toString()`, which must declare `F` again). For each
// file this prints one JSON line:
//   {"file":FILE,"main":{"ok":true,"value":...},"worker":{"ok":false,"error":"ReferenceError"}}
// `value` is `F()`'s result (JSON); `error` the name of what it threw.

import vm from 'node:vm';
import fs from 'node:fs';

function call(ctx) {
  try {
    const v = vm.runInContext('JSON.stringify(F())', ctx, { timeout: 5000 });
    return { ok: true, value: v === undefined ? null : JSON.parse(v) };
  } catch (e) {
    return { ok: false, error: (e && e.name) || String(e) };
  }
}

for (const file of process.argv.slice(2)) {
  const code = fs.readFileSync(file, 'utf8');
  const main = vm.createContext({});
  let out;
  try {
    vm.runInContext(code, main, { filename: file, timeout: 5000 });
    const text = vm.runInContext('text', main);
    const mainResult = call(main);
    const worker = vm.createContext({});
    let workerResult;
    try {
      vm.runInContext(text, worker, { timeout: 5000 });
      workerResult = call(worker);
    } catch (e) {
      workerResult = { ok: false, error: 'load: ' + ((e && e.name) || String(e)) };
    }
    out = { file, main: mainResult, worker: workerResult };
  } catch (e) {
    out = { file, load_error: String(e) };
  }
  console.log(JSON.stringify(out));
}
