// sim: runs a browser-style script the way a page would, follows every piece of code it
// starts in another realm, and says whether anything threw.
//
//   node tests/serialized/sim.mjs [--name NAME.js] FILE [FILE ...]
//
// prints one JSON line per FILE:
//   {"file":..., "verdict":"runs"|"throws", "errors":[{"realm":"worker1","message":"ReferenceError: r is not defined"}],
//    "results":[{"realm":"worker1","post":...} | {"realm":"main","info":[...]}], "stats":{...}}
//
// The design follows tests/node/worker-sim.mjs (a `vm` context per realm, a Blob stub whose
// text is readable synchronously, errors described by shape because they come from other
// realms), extended to a whole page with any number of workers talking both ways. That
// script stays as it is: tests/glue.rs and others drive it through its command line.
//
// Realms, each a fresh `vm` context with its own intrinsics (Function, eval, Promise, ...):
// - main: a page's main thread while it loads FILE as a classic script: `window`, `self`,
//   `document` (with `currentScript.src` = http://localhost/app/NAME, null again once the
//   script has run, as in browsers), `location`, `navigator`, `Blob`, `URL.createObjectURL`,
//   `Worker`, timers, `console`. `eval`, `new Function` and `setTimeout(string)` are the
//   realm's own: their text runs in this realm's global scope, as in a browser, where none of
//   the bundle's function scopes are visible (a browser's `setTimeout(string)` is emulated
//   by evaluating the string in the global scope of the realm that called it).
// - worker: every `new Worker(url)` gets a FRESH context that models a dedicated worker:
//   `self`, `location` (the worker's URL), `postMessage`, `onmessage` / `addEventListener`,
//   `importScripts`, `close`, timers, `Blob`, `URL`, nested `Worker`; no `document`,
//   `window`, `process`, `require` or `module`. The URL may be a blob: URL (the text of the
//   Blob), a data: URL, or the page script's own URL (then the worker loads the very file
//   under test, as Emscripten's pthread workers do). `importScripts(url)` evaluates the text
//   behind the URL in the worker's global scope.
//
// Messages are structured-cloned and delivered as tasks. All timers and messages go
// through one deterministic task queue with virtual time (ordered by due time, then by
// creation), so a run never sleeps and always sees the same order. Bounds: every synchronous
// piece of realm code runs under a vm timeout, the queue stops after MAX_TASKS tasks or
// MAX_VIRTUAL_MS of virtual time (both reported as errors), and callers run this script in a
// child process with a wall-clock timeout.
//
// Verdict: "throws" when the main script, a worker script, an importScripts'd text, a timer
// or message callback throws, a promise rejects unhandled, a Worker URL cannot be loaded,
// or a bound is hit; "runs" otherwise. `results` are what the page could observe: every
// message a worker posted to the page (in delivery order) and every `console.info` call in
// any realm (the corpus reports through them; console.log/warn/error/debug are not
// recorded, since libraries print function text there).

import vm from 'node:vm';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ORIGIN = 'http://localhost';
const SYNC_TIMEOUT_MS = 2000;
const MAX_TASKS = 5000;
const MAX_VIRTUAL_MS = 120000;

function describe(e) {
  if (e && typeof e === 'object') {
    const name = typeof e.name === 'string' ? e.name : 'Error';
    const msg = typeof e.message === 'string' ? e.message : String(e);
    return `${name}: ${msg}`;
  }
  return `thrown non-error value: ${String(e)}`;
}

function jsonable(v, depth = 0) {
  if (v === null || v === undefined) return v === undefined ? '[undefined]' : null;
  const t = typeof v;
  if (t === 'string' || t === 'boolean') return v;
  if (t === 'number') return Number.isFinite(v) ? v : String(v);
  if (t === 'function') return '[function]';
  if (t !== 'object') return `[${t}]`;
  if (depth > 6) return '[deep]';
  if (Array.isArray(v)) return v.map((x) => jsonable(x, depth + 1));
  const out = {};
  for (const k of Object.keys(v).sort()) out[k] = jsonable(v[k], depth + 1);
  return out;
}

function locationOf(href) {
  const u = new URL(href);
  return {
    href: u.href,
    origin: u.protocol === 'blob:' || u.protocol === 'data:' ? ORIGIN : u.origin,
    protocol: u.protocol,
    host: u.host,
    hostname: u.hostname,
    port: u.port,
    pathname: u.pathname,
    search: u.search,
    hash: u.hash,
    toString() {
      return u.href;
    },
  };
}

/// Runs CODE as the page script NAME; resolves to the run's record.
export async function simulate(code, { name = 'bundle.js' } = {}) {
  const scriptUrl = `${ORIGIN}/app/${name}`;
  const pageUrl = `${ORIGIN}/app/index.html`;
  const run = {
    errors: [],
    results: [],
    stats: { workers: 0, blobWorkers: 0, scriptWorkers: 0, dataWorkers: 0, importScripts: 0, stringTimers: 0, messagesToWorkers: 0, messagesToPage: 0, tasks: 0 },
  };
  const texts = new Map([[scriptUrl, code]]); // URL -> script text (blob: URLs and the page script)
  const queue = [];
  let seq = 0;
  let now = 0;
  let blobSeq = 0;
  let timerSeq = 0;
  const timers = new Map(); // id -> task

  const fail = (realm, e) => run.errors.push({ realm, message: typeof e === 'string' ? e : describe(e) });

  function schedule(delay, realm, fn, owner = null) {
    const d = Number(delay);
    const task = { time: now + (Number.isFinite(d) && d > 0 ? d : 0), seq: ++seq, realm, fn, owner, cancelled: false };
    queue.push(task);
    return task;
  }

  // Calls FN (a function of realm CTX) under the vm timeout.
  function invoke(ctx, fn, thisArg, args) {
    ctx.__simInvoke = { fn, thisArg, args };
    try {
      return vm.runInContext('(function (c) { return c.fn.apply(c.thisArg, c.args); })(__simInvoke)', ctx, {
        timeout: SYNC_TIMEOUT_MS,
        filename: 'sim-callback',
      });
    } finally {
      ctx.__simInvoke = undefined;
    }
  }

  class Blob {
    constructor(parts = [], options = {}) {
      let text = '';
      for (const p of Array.from(parts)) {
        if (p instanceof Blob) text += p._text;
        else if (p && typeof p === 'object' && (ArrayBuffer.isView(p) || Object.prototype.toString.call(p) === '[object ArrayBuffer]')) {
          text += new TextDecoder().decode(p);
        } else text += String(p); // WebIDL USVString conversion: a function becomes its text
      }
      Object.defineProperty(this, '_text', { value: text });
      this.type = options && options.type ? String(options.type) : '';
      this.size = Buffer.byteLength(text);
    }
    text() {
      return Promise.resolve(this._text);
    }
  }

  class SimURL extends URL {
    static createObjectURL(blob) {
      if (!(blob instanceof Blob)) throw new TypeError("Failed to execute 'createObjectURL' on 'URL': parameter 1 is not a Blob");
      const url = `blob:${ORIGIN}/${(++blobSeq).toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
      texts.set(url, blob._text);
      return url;
    }
    static revokeObjectURL(url) {
      texts.delete(String(url));
    }
  }

  function textOf(url) {
    if (url.startsWith('data:')) {
      const comma = url.indexOf(',');
      const meta = url.slice(5, comma);
      const body = url.slice(comma + 1);
      return meta.endsWith(';base64') ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body);
    }
    return texts.get(url);
  }

  function makeConsole(realm) {
    const info = (...args) => run.results.push({ realm, info: args.map((a) => jsonable(a)) });
    const quiet = () => {};
    return { info, log: quiet, warn: quiet, error: quiet, debug: quiet, trace: quiet, dir: quiet, group: quiet, groupEnd: quiet, time: quiet, timeEnd: quiet, assert: quiet };
  }

  // Timers of a realm. A string callback is evaluated in that realm's global scope.
  function timerApi(realmRef) {
    const set = (repeat) => (cb, delay, ...args) => {
      const id = ++timerSeq;
      const r = realmRef();
      if (typeof cb !== 'function') run.stats.stringTimers++;
      const fire = () => {
        if (r.dead) return;
        if (typeof cb === 'function') invoke(r.ctx, cb, undefined, args);
        else vm.runInContext(String(cb), r.ctx, { timeout: SYNC_TIMEOUT_MS, filename: 'setTimeout-string' });
        if (repeat && timers.has(id)) timers.set(id, schedule(Math.max(1, Number(delay) || 0), r.label, fire, r));
        else timers.delete(id);
      };
      timers.set(id, schedule(delay, r.label, fire, r));
      return id;
    };
    const clear = (id) => {
      const t = timers.get(id);
      if (t) t.cancelled = true;
      timers.delete(id);
    };
    return { setTimeout: set(false), setInterval: set(true), clearTimeout: clear, clearInterval: clear };
  }

  function commonGlobals(realmRef, label) {
    return {
      console: makeConsole(label),
      ...timerApi(realmRef),
      queueMicrotask,
      structuredClone,
      performance: { now: () => now },
      TextEncoder,
      TextDecoder,
      atob,
      btoa,
      Blob,
      URL: SimURL,
      Worker: SimWorker,
      fetch: () => Promise.reject(new TypeError('sim: no network')),
      XMLHttpRequest: class {
        open() {}
        send() {
          throw new Error('sim: no network');
        }
      },
      navigator: { hardwareConcurrency: 2, userAgent: 'serialized-sim' },
    };
  }

  function listeners() {
    return { message: [], error: [] };
  }

  function dispatch(realm, target, handlers, type, event) {
    const on = target['on' + type];
    if (typeof on === 'function') invoke(realm.ctx, on, target, [event]);
    for (const l of handlers[type] || []) invoke(realm.ctx, l, target, [event]);
  }

  const page = { label: 'main', ctx: null, dead: false, listeners: listeners() };
  let workerCount = 0;

  // `new Worker(url)` in any realm.
  class SimWorker {
    constructor(url, options) {
      const creator = currentRealm;
      const href = new URL(String(url), creator.location).href;
      const label = `worker${++workerCount}`;
      run.stats.workers++;
      if (href.startsWith('blob:')) run.stats.blobWorkers++;
      else if (href.startsWith('data:')) run.stats.dataWorkers++;
      else run.stats.scriptWorkers++;
      const realm = { label, ctx: null, dead: false, listeners: listeners(), location: href, creator, handle: this, pending: [] };
      Object.defineProperty(this, '_realm', { value: realm });
      this.onmessage = null;
      this.onerror = null;
      this._listeners = listeners();
      if (options && options.type === 'module') fail(label, 'sim: module workers are not modelled');
      schedule(0, label, () => startWorker(realm, href), realm);
    }
    postMessage(data) {
      const realm = this._realm;
      if (realm.dead) return;
      run.stats.messagesToWorkers++;
      const copy = structuredClone(data);
      schedule(0, realm.label, () => {
        if (realm.dead || !realm.ctx) return;
        const ev = { data: copy, target: realm.ctx, type: 'message' };
        withRealm(realm, () => dispatch(realm, realm.ctx, realm.listeners, 'message', ev));
      }, realm);
    }
    terminate() {
      this._realm.dead = true;
    }
    addEventListener(type, fn) {
      (this._listeners[type] ||= []).push(fn);
    }
    removeEventListener(type, fn) {
      const l = this._listeners[type];
      if (l) this._listeners[type] = l.filter((x) => x !== fn);
    }
  }

  let currentRealm = page;
  function withRealm(realm, fn) {
    const prev = currentRealm;
    currentRealm = realm;
    try {
      return fn();
    } finally {
      currentRealm = prev;
    }
  }

  function workerError(realm, e) {
    fail(realm.label, e);
    // As in browsers: an uncaught error in a worker fires `error` at its Worker object.
    const handle = realm.handle;
    const creator = realm.creator;
    schedule(0, creator.label, () => {
      if (creator.dead) return;
      const ev = { type: 'error', message: describe(e), filename: realm.location, lineno: 0, colno: 0, error: null, preventDefault() {} };
      withRealm(creator, () => dispatch(creator, handle, handle._listeners, 'error', ev));
    }, creator);
  }

  function startWorker(realm, href) {
    if (realm.dead) return;
    const text = textOf(href);
    if (text === undefined) {
      workerError(realm, `sim: Worker script ${href} cannot be loaded`);
      return;
    }
    const realmRef = () => realm;
    const g = {
      ...commonGlobals(realmRef, realm.label),
      location: locationOf(href),
      name: '',
      WorkerGlobalScope: function WorkerGlobalScope() {},
      DedicatedWorkerGlobalScope: function DedicatedWorkerGlobalScope() {},
      onmessage: null,
      onerror: null,
      importScripts: (...urls) => {
        for (const u of urls) {
          const abs = new URL(String(u), href).href;
          run.stats.importScripts++;
          const t = textOf(abs);
          if (t === undefined) {
            const E = vm.runInContext('DOMException', realm.ctx, {});
            throw new E(`Failed to execute 'importScripts': The script at '${abs}' failed to load.`, 'NetworkError');
          }
          realm.indirectEval(t);
        }
      },
      postMessage: (data) => {
        if (realm.dead) return;
        const copy = structuredClone(data);
        const handle = realm.handle;
        const creator = realm.creator;
        schedule(0, creator.label, () => {
          if (creator.dead || realm.dead) return;
          run.stats.messagesToPage++;
          if (creator === page) run.results.push({ realm: realm.label, post: jsonable(copy) });
          const ev = { data: copy, target: handle, type: 'message' };
          withRealm(creator, () => dispatch(creator, handle, handle._listeners, 'message', ev));
        }, creator);
      },
      close: () => {
        realm.dead = true;
      },
      addEventListener: (type, fn) => {
        (realm.listeners[type] ||= []).push(fn);
      },
      removeEventListener: (type, fn) => {
        const l = realm.listeners[type];
        if (l) realm.listeners[type] = l.filter((x) => x !== fn);
      },
    };
    realm.ctx = vm.createContext(g, { name: `sim ${realm.label}` });
    vm.runInContext(
      'globalThis.self = globalThis; class DOMException extends Error { constructor(m, n) { super(m); this.name = n || "Error"; } } globalThis.DOMException = DOMException;',
      realm.ctx,
    );
    const ev = vm.runInContext('eval', realm.ctx);
    realm.indirectEval = (t) => ev(t);
    withRealm(realm, () => {
      try {
        vm.runInContext(text, realm.ctx, { filename: href, timeout: SYNC_TIMEOUT_MS });
      } catch (e) {
        workerError(realm, e);
      }
    });
  }

  // The page.
  const pageRef = () => page;
  page.location = pageUrl;
  const currentScript = { src: scriptUrl, tagName: 'SCRIPT', getAttribute: (n) => (n === 'src' ? scriptUrl : null) };
  const element = () => ({ style: {}, setAttribute() {}, appendChild() {}, addEventListener() {} });
  const document = {
    currentScript,
    baseURI: pageUrl,
    URL: pageUrl,
    readyState: 'loading',
    createElement: element,
    head: element(),
    body: element(),
    addEventListener() {},
    removeEventListener() {},
    querySelector: () => null,
    getElementsByTagName: () => [],
  };
  const pg = {
    ...commonGlobals(pageRef, 'main'),
    document,
    location: locationOf(pageUrl),
    addEventListener: (type, fn) => {
      (page.listeners[type] ||= []).push(fn);
    },
    removeEventListener() {},
    postMessage: () => {},
    onmessage: null,
  };
  page.ctx = vm.createContext(pg, { name: 'sim main' });
  vm.runInContext('globalThis.self = globalThis; globalThis.window = globalThis;', page.ctx);

  const onRejection = (e) => fail('unhandled rejection', e);
  process.on('unhandledRejection', onRejection);
  try {
    try {
      vm.runInContext(code, page.ctx, { filename: scriptUrl, timeout: SYNC_TIMEOUT_MS });
    } catch (e) {
      fail('main', e);
    }
    document.currentScript = null;
    document.readyState = 'complete';
    await new Promise((r) => setImmediate(r));

    while (queue.length) {
      let best = 0;
      for (let i = 1; i < queue.length; i++) {
        const a = queue[i];
        const b = queue[best];
        if (a.time < b.time || (a.time === b.time && a.seq < b.seq)) best = i;
      }
      const task = queue.splice(best, 1)[0];
      if (task.cancelled || (task.owner && task.owner.dead)) continue;
      if (++run.stats.tasks > MAX_TASKS) {
        fail('sim', `sim: more than ${MAX_TASKS} tasks (a timer or message loop?)`);
        break;
      }
      if (task.time > MAX_VIRTUAL_MS) {
        fail('sim', `sim: still busy after ${MAX_VIRTUAL_MS} ms of virtual time`);
        break;
      }
      now = task.time;
      const realm = task.owner || page;
      try {
        withRealm(realm, task.fn);
      } catch (e) {
        if (realm !== page && realm.handle) workerError(realm, e);
        else fail(task.realm, e);
      }
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    await new Promise((r) => setImmediate(r));
    process.off('unhandledRejection', onRejection);
  }
  return { verdict: run.errors.length ? 'throws' : 'runs', errors: run.errors, results: run.results, stats: run.stats };
}

async function main() {
  const argv = process.argv.slice(2);
  let name = null;
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--name') name = argv[++i];
    else files.push(argv[i]);
  }
  if (!files.length) {
    process.stderr.write('usage: node sim.mjs [--name NAME.js] FILE [FILE ...]\n');
    process.exit(2);
  }
  for (const f of files) {
    const code = fs.readFileSync(f, 'utf8');
    const r = await simulate(code, { name: name || path.basename(f) });
    process.stdout.write(JSON.stringify({ file: f, ...r }) + '\n');
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    process.stderr.write(`sim: ${e && e.stack ? e.stack : e}\n`);
    process.exit(2);
  });
}
