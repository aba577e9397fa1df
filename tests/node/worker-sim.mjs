#!/usr/bin/env node
// worker-sim: runs a function the way tfjs hands an Emscripten factory to its pthread
// workers, and reports whether the call threw.
//
//   node tests/node/worker-sim.mjs FILE [--name NAME] [--module] [--handoff KEY]
//                                       [--start KEY] [--config JS] [--prelude JS]
//
// 1. FILE is evaluated in a fresh `vm` context that models a browser main thread loading a
//    script bundle (a `document` with `currentScript`, `self`, `location`, `Blob`, `URL`,
//    `Worker` stubs) plus `module`/`exports` for CommonJS. A `.mjs` file (or `--module`) is
//    linked and evaluated as an ES module with `vm.SourceTextModule` (`import.meta.url` is
//    set); the script re-runs itself under `--experimental-vm-modules` when needed. The
//    module must not import anything.
// 2. The worker's source text is built outside any enclosing scope:
//    - default: exactly what tfjs does, `'var ' + NAME + ' = ' + factory.toString()`, where
//      the factory is `module.exports` (or, for a module, the default export);
//    - `--handoff KEY`: the file's own hand-off function `exports[KEY]()` (the named export
//      KEY for a module) is called and must return a `Blob` or a string: its text is used.
// 3. That text runs in ANOTHER fresh context that models a dedicated worker (`self`,
//    `location`, `importScripts`, `postMessage`, `Worker`, timers; no `document`, `window`,
//    `process`, `require`, `module` or `__filename`), then `NAME(config)` is called and
//    awaited when it returns a promise. NAME defaults to the factory's own name, else
//    `Module`. config is `{}` unless `--config JS` gives an expression evaluated in the
//    worker context. `--prelude JS` runs in the worker context before the worker text, as
//    the worker's own script would (Emscripten's pthread worker.js defines `startWorker`).
//
// `--start KEY` instead calls `exports[KEY]()` (named export KEY) on the main thread; every
// `new Worker(URL.createObjectURL(blob))` it makes runs the blob's text in a fresh worker
// context, and the messages the workers `postMessage` become the result. Use it for
// functions handed off as `'(' + fn + ')()'`.
//
// In the worker context `__workerSimStop(reason)` throws a sentinel error: a run that ends
// with it (thrown or as a rejection) counts as ok with `"stopped": reason`. Use it from
// `--config` to stop glue at a point past the code under test (for Emscripten glue,
// `instantiateWasm`), since the simulation has no .wasm to run.
//
// Prints ONE JSON line on stdout:
//   {"ok":true,"error":null,"stopped":null,"result":...}
//   {"ok":false,"error":"ReferenceError: e is not defined",...}
// and exits 0 when ok, 1 when the call (or anything it started) threw or rejected,
// 2 on usage errors or when FILE itself failed to load on the main thread.

import vm from 'node:vm';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const USAGE =
  'usage: node worker-sim.mjs FILE [--name NAME] [--module] [--handoff KEY] [--start KEY]\n' +
  '                                [--config JS] [--prelude JS]';

function parseArgs(argv) {
  const o = {
    file: null,
    name: null,
    module: false,
    handoff: null,
    start: null,
    config: null,
    prelude: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--name') o.name = val();
    else if (a === '--module') o.module = true;
    else if (a === '--handoff') o.handoff = val();
    else if (a === '--start') o.start = val();
    else if (a === '--config') o.config = val();
    else if (a === '--prelude') o.prelude = val();
    else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else if (o.file === null) o.file = a;
    else usage(`unexpected argument ${a}`);
  }
  if (!o.file) usage('FILE is required');
  if (o.file.endsWith('.mjs')) o.module = true;
  return o;
}

function usage(msg) {
  process.stderr.write(`worker-sim: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

const opts = parseArgs(process.argv.slice(2));

// vm.SourceTextModule exists only with --experimental-vm-modules: re-run under it.
if (opts.module && typeof vm.SourceTextModule !== 'function') {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(
    process.execPath,
    ['--experimental-vm-modules', '--no-warnings', self, ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  process.exit(r.status === null ? 2 : r.status);
}

// ---------------------------------------------------------------------------------------
// Errors from other realms are not `instanceof Error` here; describe them by shape.

const STOP_MARK = 'worker-sim: stopped at ';

function describe(e) {
  if (e && typeof e === 'object') {
    const name = typeof e.name === 'string' ? e.name : 'Error';
    const msg = typeof e.message === 'string' ? e.message : String(e);
    return `${name}: ${msg}`;
  }
  return `thrown non-error value: ${String(e)}`;
}

function stopReason(e) {
  if (e && typeof e === 'object' && typeof e.message === 'string' && e.message.startsWith(STOP_MARK)) {
    return e.message.slice(STOP_MARK.length);
  }
  return null;
}

// Failures that happen outside the awaited call (timers, unhandled rejections, messages).
const asyncErrors = [];
process.on('unhandledRejection', (e) => asyncErrors.push(e));
process.on('uncaughtException', (e) => asyncErrors.push(e));

function finish(res) {
  process.stdout.write(JSON.stringify(res) + '\n');
  process.exit(res.ok ? 0 : 1);
}

function loadFailure(stage, e) {
  process.stdout.write(
    JSON.stringify({ ok: false, error: describe(e), stage, stopped: null, result: null }) + '\n',
  );
  process.stderr.write(`worker-sim: ${stage} failed: ${e && e.stack ? e.stack : describe(e)}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------
// Blob URLs shared by both realms.

const blobUrls = new Map();
let blobCounter = 0;

function blobText(b) {
  if (typeof b === 'string') return b;
  if (b && blobParts.has(b)) return blobParts.get(b);
  throw new TypeError('worker-sim: expected a Blob or a string, got ' + Object.prototype.toString.call(b));
}

const blobParts = new WeakMap();

// A Blob stub that keeps its text synchronously readable (node's Blob only gives it back
// asynchronously). Constructed from the host realm, so it works across contexts.
class SimBlob {
  constructor(parts = [], options = {}) {
    const text = Array.from(parts, (p) => (typeof p === 'string' ? p : blobText(p))).join('');
    blobParts.set(this, text);
    this.type = options && options.type ? String(options.type) : '';
    this.size = Buffer.byteLength(text);
  }
  text() {
    return Promise.resolve(blobParts.get(this));
  }
}

const SimURL = class extends URL {
  static createObjectURL(blob) {
    const url = `blob:http://localhost/worker-sim-${++blobCounter}`;
    blobUrls.set(url, blobText(blob));
    return url;
  }
  static revokeObjectURL(url) {
    blobUrls.delete(url);
  }
};

// ---------------------------------------------------------------------------------------
// Realms.

const workerRuns = []; // promises of worker runs started by `new Worker(...)`
const posted = []; // messages workers posted

// The simulated realms log to stderr: stdout carries only the JSON line.
const simConsole = new console.Console({ stdout: process.stderr, stderr: process.stderr });

function commonGlobals() {
  return {
    console: simConsole,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    queueMicrotask,
    performance: { now: () => performance.now() },
    TextEncoder,
    TextDecoder,
    Blob: SimBlob,
    URL: SimURL,
    fetch: () => Promise.reject(new Error('worker-sim: no network')),
  };
}

class StubXMLHttpRequest {
  open() {}
  send() {
    throw new Error('worker-sim: no network');
  }
}

// A context that models a dedicated worker's global scope.
function workerContext() {
  const g = {
    ...commonGlobals(),
    location: { href: 'blob:http://localhost/worker-sim', origin: 'http://localhost' },
    name: 'worker-sim',
    WorkerGlobalScope: function WorkerGlobalScope() {},
    importScripts() {},
    postMessage(m) {
      posted.push(m);
    },
    addEventListener() {},
    removeEventListener() {},
    onmessage: null,
    XMLHttpRequest: StubXMLHttpRequest,
    Worker: WorkerStub,
  };
  const ctx = vm.createContext(g, { name: 'worker-sim worker' });
  vm.runInContext(
    `globalThis.self = globalThis;
     globalThis.__workerSimStop = function (reason) {
       throw new Error(${JSON.stringify(STOP_MARK)} + String(reason));
     };`,
    ctx,
  );
  return ctx;
}

// A context that models the page's main thread loading the bundle.
function mainContext() {
  const scriptUrl = 'http://localhost/app/' + path.basename(opts.file);
  const g = {
    ...commonGlobals(),
    document: { currentScript: { src: scriptUrl }, createElement: () => ({}) },
    location: { href: 'http://localhost/app/index.html', origin: 'http://localhost' },
    navigator: { hardwareConcurrency: 2, userAgent: 'worker-sim' },
    Worker: WorkerStub,
    XMLHttpRequest: StubXMLHttpRequest,
  };
  const ctx = vm.createContext(g, { name: 'worker-sim main' });
  vm.runInContext('globalThis.self = globalThis; globalThis.window = globalThis;', ctx);
  return { ctx, scriptUrl };
}

// `new Worker(url)`: runs the blob's text in a fresh worker context, in a macrotask so the
// constructor returns first, as in a browser. Errors are collected, not thrown at the caller.
class WorkerStub {
  constructor(url) {
    this.url = String(url);
    this.onmessage = null;
    this.onerror = null;
    const text = blobUrls.get(this.url);
    if (text === undefined) {
      // A real script URL: this simulation cannot load it. Nested pthread pools do this.
      return;
    }
    workerRuns.push(
      new Promise((resolve) => setTimeout(resolve, 0)).then(() => {
        const ctx = workerContext();
        return vm.runInContext(text, ctx, { filename: this.url });
      }),
    );
  }
  postMessage() {}
  terminate() {}
  addEventListener() {}
  removeEventListener() {}
}

// ---------------------------------------------------------------------------------------

// Returns { factory, exports }: for CommonJS both are `module.exports`; for a module the
// factory is the default export and `exports` the namespace.
async function loadMain() {
  const code = fs.readFileSync(opts.file, 'utf8');
  const { ctx, scriptUrl } = mainContext();
  if (opts.module) {
    const mod = new vm.SourceTextModule(code, {
      context: ctx,
      identifier: scriptUrl,
      initializeImportMeta(meta) {
        meta.url = scriptUrl;
      },
    });
    await mod.link((spec) => {
      throw new Error(`worker-sim: ${opts.file} imports ${spec}; modules must be self-contained`);
    });
    await mod.evaluate();
    return { factory: mod.namespace.default, exports: mod.namespace };
  }
  const module = vm.runInContext('({ exports: {} })', ctx);
  ctx.module = module;
  ctx.exports = module.exports;
  vm.runInContext(code, ctx, { filename: opts.file });
  return { factory: module.exports, exports: module.exports };
}

function pick(exp, key) {
  if (exp == null || (typeof exp !== 'object' && typeof exp !== 'function')) {
    throw new TypeError(`worker-sim: ${opts.file} exports ${String(exp)}, not an object or function`);
  }
  const v = exp[key];
  if (typeof v !== 'function') {
    throw new TypeError(`worker-sim: export ${key} of ${opts.file} is ${typeof v}, not a function`);
  }
  return v;
}

async function settle() {
  // Let timers and promise jobs that the call started run, and their failures surface.
  for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 5));
}

// The call's result as JSON: small plain data as is; anything else (glue resolves to its
// whole Module object, with heaps, functions, maybe cycles) as a shallow summary that keeps
// primitive-valued properties and names the type of the others.
function jsonable(v) {
  try {
    const s = JSON.stringify(v);
    if (s === undefined) return null;
    if (s.length <= 4096) return JSON.parse(s);
  } catch {}
  if (v === null || typeof v !== 'object') return String(v);
  const out = {};
  for (const k of Object.keys(v).sort()) {
    const x = v[k];
    if (x === null || ['string', 'number', 'boolean'].includes(typeof x)) out[k] = x;
    else if (typeof x === 'object') out[k] = `[${Object.prototype.toString.call(x).slice(8, -1)}]`;
    else out[k] = `[${typeof x}]`;
  }
  return out;
}

async function main() {
  let exp;
  let factoryExport;
  try {
    ({ factory: factoryExport, exports: exp } = await loadMain());
  } catch (e) {
    loadFailure('loading ' + opts.file, e);
  }

  let outcome = { ok: true, error: null, stopped: null, result: null };
  const fail = (e) => {
    const reason = stopReason(e);
    if (reason !== null) {
      if (outcome.ok && outcome.stopped === null) outcome.stopped = reason;
      return;
    }
    if (outcome.ok) outcome = { ...outcome, ok: false, error: describe(e) };
  };

  if (opts.start) {
    let fn;
    try {
      fn = pick(exp, opts.start);
    } catch (e) {
      loadFailure('finding --start', e);
    }
    try {
      await fn();
      // Workers started by workers are pushed while earlier ones run.
      for (let i = 0; i < workerRuns.length; i++) {
        try {
          await workerRuns[i];
        } catch (e) {
          fail(e);
        }
      }
      await settle();
    } catch (e) {
      fail(e);
    }
    if (workerRuns.length === 0 && outcome.ok) {
      outcome = { ...outcome, ok: false, error: 'worker-sim: --start made no blob Worker' };
    }
    outcome.result = jsonable(posted);
  } else {
    let factory;
    let text;
    try {
      if (opts.handoff) {
        text = blobText(await pick(exp, opts.handoff)());
      } else if (typeof factoryExport === 'function') {
        factory = factoryExport;
      } else {
        throw new TypeError(`worker-sim: ${opts.file} does not export a function (module.exports / export default)`);
      }
    } catch (e) {
      loadFailure('building the worker text', e);
    }
    const name = opts.name || (factory && factory.name) || 'Module';
    if (!/^[A-Za-z_$][\w$]*$/.test(name)) usage(`bad --name ${name}`);
    if (!text) text = 'var ' + name + ' = ' + factory.toString();

    const wctx = workerContext();
    try {
      if (opts.prelude) vm.runInContext(opts.prelude, wctx, { filename: 'worker-prelude.js' });
      vm.runInContext(text, wctx, { filename: 'worker-blob.js' });
      const config = opts.config ? vm.runInContext(`(${opts.config})`, wctx) : vm.runInContext('({})', wctx);
      wctx.__workerSimConfig = config;
      let r = vm.runInContext(`${name}(__workerSimConfig)`, wctx, { filename: 'worker-call.js' });
      if (r && typeof r.then === 'function') r = await r;
      outcome.result = jsonable(r);
      await settle();
    } catch (e) {
      fail(e);
    }
  }
  for (const e of asyncErrors) fail(e);
  finish(outcome);
}

main().catch((e) => loadFailure('worker-sim', e));
