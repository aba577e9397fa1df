// sqlite-wasm's Worker1 promiser starts a module worker (sqlite3-worker1-bundler-friendly.mjs)
// that imports the Emscripten glue (sqlite3-bundler-friendly.mjs) by URL; the page talks to
// it through messages only.
import { sqlite3Worker1Promiser } from '../nm/@sqlite.org/sqlite-wasm/index.mjs';

realReport(async () => {
  const promiser = await new Promise((resolve, reject) => {
    const p = sqlite3Worker1Promiser({ onready: () => resolve(p), onerror: (e) => reject(new Error('worker1 error: ' + JSON.stringify(e))) });
  });
  const cfg = await promiser('config-get', {});
  await promiser('open', { filename: ':memory:' });
  await promiser('exec', { sql: 'CREATE TABLE t(a INTEGER, b TEXT); INSERT INTO t VALUES (1, \'one\'), (2, \'two\'), (39, \'x\');' });
  const rows = [];
  await promiser('exec', {
    sql: 'SELECT sum(a) AS s, group_concat(b, \'-\') AS g FROM t',
    rowMode: 'object',
    callback: (r) => { if (r.row) rows.push(r.row); },
  });
  await promiser('close', {});
  return { result: rows, expected: [{ s: 42, g: 'one-two-x' }], sqliteVersion: cfg.result.version.libVersion };
});
