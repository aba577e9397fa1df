#!/usr/bin/env node
// differential: loads bundles before and after minification and compares what they export.
//
//   node tests/node/differential.mjs ORIGINAL MINIFIED [ORIGINAL MINIFIED ...]
//
// Each file is evaluated the way a program would load it, in a fresh `vm` context:
// - a script (UMD, CommonJS, IIFE) runs with `module`, `exports` and a `require` that
//   resolves from the ORIGINAL file's folder (so both copies get the same dependencies),
//   the host globals of Node (timers, `process`, `Buffer`, `URL`, ...), and, for the bundles
//   listed in BROWSER, minimal `window` / `self` / `document` / `navigator` stubs. What it
//   exported is `module.exports` when that was set, else the globals it defined (vue's
//   `var Vue = ...`);
// - a module (`.mjs`, or an original whose source has a line starting with `export`) is
//   imported with `import()` from a `.mjs` copy: its namespace is the export.
// The require cache is emptied before every load, so each copy gets fresh dependencies
// (tfjs-core's backend registry, react's internals).
//
// Compared, for every pair: the exported keys (two levels deep), `typeof` of each, and
// `length` of every function (Function.prototype.length is observable: lodash's _.curry
// reads it). For lodash, moment and d3, the results of a handful of real calls (CALLS) are
// compared as JSON too.
//
// Prints one line per bundle ("ok NAME: N keys, M calls" or "DIFF NAME: ...") and a final
// JSON summary line, and exits 0 when every pair matches, 1 on a difference, 2 when a file
// could not be loaded.

import vm from 'node:vm';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const argv = process.argv.slice(2);
if (argv.length === 0 || argv.length % 2 !== 0) {
  console.error('usage: node differential.mjs ORIGINAL MINIFIED [ORIGINAL MINIFIED ...]');
  process.exit(2);
}

// Bundles that look for a browser at load time get the stubs; the rest load as in Node,
// which also exercises their `typeof window === "undefined"` guards.
const BROWSER = new Set(['jquery.js', 'react-dom.development.js', 'antd.js', 'echarts.js']);

function stubElement(tag) {
  const el = {
    tagName: String(tag || 'div').toUpperCase(),
    nodeName: String(tag || 'div').toUpperCase(),
    nodeType: 1,
    style: {},
    attributes: [],
    childNodes: [],
    children: [],
    firstChild: null,
    lastChild: null,
    parentNode: null,
    ownerDocument: null,
    innerHTML: '',
    textContent: '',
    className: '',
    appendChild(c) { this.childNodes.push(c); this.firstChild = this.childNodes[0]; this.lastChild = c; return c; },
    removeChild(c) { this.childNodes = this.childNodes.filter((x) => x !== c); return c; },
    insertBefore(c) { this.childNodes.unshift(c); return c; },
    cloneNode() { return stubElement(tag); },
    setAttribute() {},
    getAttribute() { return null; },
    removeAttribute() {},
    hasAttribute() { return false; },
    addEventListener() {},
    removeEventListener() {},
    getElementsByTagName() { return []; },
    querySelector() { return null; },
    querySelectorAll() { return []; },
    getContext() { return null; },
    getBoundingClientRect() { return { top: 0, left: 0, right: 0, bottom: 0, width: 0, height: 0 }; },
    contains() { return false; },
  };
  return el;
}

function stubDocument() {
  const doc = {
    nodeType: 9,
    readyState: 'complete',
    documentMode: undefined,
    currentScript: null,
    cookie: '',
    createElement: (t) => stubElement(t),
    createElementNS: (_ns, t) => stubElement(t),
    createTextNode: (t) => ({ nodeType: 3, data: String(t), textContent: String(t) }),
    createComment: (t) => ({ nodeType: 8, data: String(t) }),
    createDocumentFragment: () => stubElement('#fragment'),
    createEvent: () => ({ initEvent() {} }),
    getElementById: () => null,
    getElementsByTagName: () => [],
    getElementsByClassName: () => [],
    querySelector: () => null,
    querySelectorAll: () => [],
    addEventListener() {},
    removeEventListener() {},
    implementation: {
      createHTMLDocument: () => {
        const d = stubDocument();
        d.body = stubElement('body');
        return d;
      },
    },
  };
  doc.documentElement = stubElement('html');
  doc.documentElement.ownerDocument = doc;
  doc.head = stubElement('head');
  doc.body = stubElement('body');
  return doc;
}

// Console output of the bundles is counted, not printed (react-dom's DevTools hint).
const logged = { n: 0 };
const quietConsole = Object.fromEntries(
  ['log', 'info', 'warn', 'error', 'debug', 'trace', 'group', 'groupEnd', 'groupCollapsed', 'time', 'timeEnd'].map((k) => [
    k,
    () => {
      logged.n++;
    },
  ]),
);

// Dependencies loaded with `require` (tfjs-core) log through the real console: silenced
// the same way while a bundle loads and runs.
const realConsole = { ...console };
function quiet(on) {
  for (const k of Object.keys(quietConsole)) console[k] = on ? quietConsole[k] : realConsole[k];
}

function hostGlobals() {
  return {
    console: quietConsole,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    setImmediate,
    clearImmediate,
    queueMicrotask,
    process,
    Buffer,
    URL,
    URLSearchParams,
    TextEncoder,
    TextDecoder,
    performance,
    structuredClone,
    AbortController,
    Event: globalThis.Event,
    EventTarget: globalThis.EventTarget,
    MessageChannel: globalThis.MessageChannel,
    WebAssembly,
    fetch: globalThis.fetch,
    atob,
    btoa,
  };
}

function clearRequireCache(req) {
  for (const k of Object.keys(req.cache)) delete req.cache[k];
}

function isModule(file, code) {
  return file.endsWith('.mjs') || /^export[\s{*]/m.test(code);
}

async function load(file, orig) {
  const code = fs.readFileSync(file, 'utf8');
  const req = createRequire(path.resolve(orig));
  clearRequireCache(req);
  // The original decides: minified code has its `export` anywhere on one line.
  if (isModule(orig, fs.readFileSync(orig, 'utf8'))) {
    // Imported from a `.mjs` copy (a `.js` file outside a `"type": "module"` package would
    // be read as CommonJS), with a query string that makes every import a fresh instance.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'differential-'));
    const copy = path.join(dir, path.basename(file).replace(/\.[cm]?js$/, '') + '.mjs');
    fs.writeFileSync(copy, code);
    try {
      const url = pathToFileURL(copy).href + '?differential=' + Math.random();
      return { exports: await import(url), code };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const module = { exports: {} };
  const sandbox = { ...hostGlobals(), module, exports: module.exports, require: req };
  sandbox.__filename = path.resolve(orig);
  sandbox.__dirname = path.dirname(path.resolve(orig));
  const ctx = vm.createContext(sandbox);
  const global = vm.runInContext('this', ctx);
  if (BROWSER.has(path.basename(orig))) {
    const document = stubDocument();
    Object.assign(sandbox, {
      window: global,
      self: global,
      document,
      navigator: { userAgent: 'Mozilla/5.0 (differential test)', platform: 'Linux', language: 'en-US', languages: ['en-US'], hardwareConcurrency: 2 },
      location: { href: 'http://localhost/', protocol: 'http:', host: 'localhost', hostname: 'localhost', origin: 'http://localhost', pathname: '/', search: '', hash: '' },
      getComputedStyle: () => ({ getPropertyValue: () => '' }),
      matchMedia: () => ({ matches: false, addListener() {}, removeListener() {}, addEventListener() {}, removeEventListener() {} }),
      requestAnimationFrame: (f) => setTimeout(() => f(Date.now()), 0),
      cancelAnimationFrame: (id) => clearTimeout(id),
      addEventListener() {},
      removeEventListener() {},
      HTMLElement: function HTMLElement() {},
      Element: function Element() {},
      Node: function Node() {},
      devicePixelRatio: 1,
    });
  }
  const before = new Set(Object.getOwnPropertyNames(global));
  vm.runInContext(code, ctx, { filename: file });
  let exports = module.exports;
  const ownExports = exports && typeof exports === 'object' && Object.keys(exports).length === 0;
  if (ownExports && exports === sandbox.exports) {
    // Nothing exported through CommonJS: the globals the script defined are its exports.
    const defined = {};
    for (const k of Object.getOwnPropertyNames(global)) {
      if (!before.has(k)) defined[k] = global[k];
    }
    exports = defined;
  }
  return { exports, code };
}

function describe(v, depth) {
  if (v === null) return 'null';
  const t = typeof v;
  if (t !== 'object' && t !== 'function') return t;
  const d = { type: t };
  if (t === 'function') d.length = v.length;
  if (depth > 0) {
    let keys;
    try {
      keys = Object.keys(v).sort();
    } catch (e) {
      keys = [];
    }
    d.keys = {};
    for (const k of keys) {
      let x;
      try {
        x = v[k];
      } catch (e) {
        d.keys[k] = 'throws';
        continue;
      }
      d.keys[k] = describe(x, depth - 1);
    }
  }
  return d;
}

function diff(a, b, at, out) {
  if (out.length >= 20) return;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    if (a !== b) out.push(`${at || '<export>'}: ${JSON.stringify(a)} before, ${JSON.stringify(b)} after`);
    return;
  }
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (!(k in a)) out.push(`${at}.${k}: only after minification`);
    else if (!(k in b)) out.push(`${at}.${k}: missing after minification`);
    else diff(a[k], b[k], at ? `${at}.${k}` : k, out);
  }
}

// Real calls, by bundle. Each gets the export and returns something JSON can show.
const CALLS = {
  'lodash.js': {
    chunk: (_) => _.chunk([1, 2, 3, 4, 5, 6, 7], 3),
    template: (_) => _.template('hello <%= user %>! <% _.forEach(items, function(i) { %><li><%- i %></li><% }); %>')({ user: 'fred', items: ['<a>', 'b'] }),
    templateSource: (_) => typeof _.template('x <%= y %>').source,
    sortBy: (_) => _.sortBy([{ n: 'b', a: 2 }, { n: 'a', a: 2 }, { n: 'c', a: 1 }], ['a', 'n']),
    groupBy: (_) => _.groupBy([6.1, 4.2, 6.3], Math.floor),
    merge: (_) => _.merge({ a: [{ b: 2 }, { d: 4 }] }, { a: [{ c: 3 }, { e: 5 }] }),
    camelCase: (_) => [_.camelCase('Foo Bar'), _.kebabCase('fooBar'), _.snakeCase('Foo Bar'), _.startCase('--foo-bar--')],
    isEqual: (_) => [_.isEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), _.isEqual([1], [2])],
    uniq: (_) => [_.uniq([2, 1, 2]), _.uniqBy([2.1, 1.2, 2.3], Math.floor), _.difference([2, 1], [2, 3])],
    get: (_) => [_.get({ a: [{ b: { c: 3 } }] }, 'a[0].b.c'), _.get({}, 'x.y', 'default')],
    range: (_) => [_.range(4), _.range(0, 20, 5), _.range(1, 4, 0)],
    escape: (_) => [_.escape('fred, barney, & <pebbles>'), _.unescape('&lt;b&gt;')],
    curry: (_) => _.curry((a, b, c) => [a, b, c])(1)(2)(3),
    memoize: (_) => {
      let n = 0;
      const f = _.memoize((x) => (n++, x * 2));
      f(2);
      f(2);
      return [f(2), n];
    },
    debounceType: (_) => typeof _.debounce(() => {}, 10).cancel,
    cloneDeep: (_) => {
      const o = { a: [1, { b: new Date(0).toISOString() }] };
      const c = _.cloneDeep(o);
      return [c, c.a !== o.a];
    },
    zip: (_) => _.zip(['a', 'b'], [1, 2], [true, false]),
    flow: (_) => _.flow([(x) => x + 1, (x) => x * 3])(2),
    version: (_) => _.VERSION,
  },
  'moment.js': {
    format: (m) => m.utc('2020-01-02').format('YYYY-MM-DD dddd, MMMM Do YYYY, h:mm:ss a'),
    add: (m) => m.utc('2020-01-31T03:04:05Z').add(1, 'month').toISOString(),
    diff: (m) => m.utc('2020-03-01').diff(m.utc('2020-02-01'), 'days'),
    duration: (m) => [m.duration(90, 'minutes').humanize(), m.duration('P1Y2M3DT4H5M6S').asSeconds()],
    invalid: (m) => [m.utc('2020-02-30', 'YYYY-MM-DD', true).isValid(), m.utc('2020-02-29', 'YYYY-MM-DD', true).isValid()],
    parseFormat: (m) => m.utc('03/04/2021 10:20', 'DD/MM/YYYY HH:mm').format(),
    startOf: (m) => m.utc('2021-06-15T12:34:56Z').startOf('week').toISOString(),
    unix: (m) => [m.unix(1600000000).utc().format('LLLL'), m.utc(0).valueOf()],
    locale: (m) => m.locale(),
    isBefore: (m) => [m.utc('2010-10-20').isBefore('2010-12-31', 'year'), m.utc('2010-10-20').isSame('2010-01-01', 'year')],
    version: (m) => m.version,
  },
  'd3.js': {
    range: (d3) => [d3.range(0, 10, 3), d3.range(5)],
    scaleLinear: (d3) => {
      const s = d3.scaleLinear().domain([0, 10]).range([0, 100]);
      return [s(5), s.invert(25), s.ticks(5), s.nice().domain()];
    },
    scaleBand: (d3) => {
      const s = d3.scaleBand().domain(['a', 'b', 'c']).range([0, 90]).padding(0.1);
      return [s('b'), s.bandwidth()];
    },
    format: (d3) => [d3.format('.2f')(3.14159), d3.format(',')(1234567), d3.format('.1%')(0.123), d3.format('$,.2f')(-1234.5)],
    stats: (d3) => {
      const xs = [3, 1, 4, 1, 5, 9, 2, 6];
      return [d3.extent(xs), d3.mean(xs), d3.median(xs), d3.quantile(xs.slice().sort(d3.ascending), 0.25), d3.deviation(xs), d3.sum(xs)];
    },
    group: (d3) => Array.from(d3.rollup([{ k: 'a', v: 1 }, { k: 'b', v: 2 }, { k: 'a', v: 3 }], (g) => d3.sum(g, (d) => d.v), (d) => d.k)),
    interpolate: (d3) => [d3.interpolateRgb('red', 'blue')(0.5), d3.interpolateNumber(0, 10)(0.25), d3.interpolate({ a: 0 }, { a: 8 })(0.5)],
    color: (d3) => [d3.rgb('steelblue').brighter(1).formatHex(), d3.hsl('#ff0000').toString()],
    csv: (d3) => d3.csvParse('a,b\n1,2\n3,4').map((r) => ({ ...r })),
    pie: (d3) => d3.pie()([1, 2, 3]).map((a) => [a.value, +a.startAngle.toFixed(6), +a.endAngle.toFixed(6)]),
    line: (d3) => d3.line()([[0, 0], [10, 5], [20, 0]]),
    arc: (d3) => d3.arc()({ innerRadius: 0, outerRadius: 10, startAngle: 0, endAngle: Math.PI / 2 }),
    utcFormat: (d3) => d3.utcFormat('%Y-%m-%d %H:%M')(new Date(Date.UTC(2020, 0, 2, 3, 4))),
    hierarchy: (d3) => {
      const root = d3.hierarchy({ name: 'r', children: [{ name: 'a', value: 1 }, { name: 'b', value: 2 }] }).sum((d) => d.value || 0);
      return [root.value, root.height, root.leaves().map((l) => l.data.name)];
    },
    bisect: (d3) => [d3.bisectLeft([1, 2, 3], 2), d3.bisectRight([1, 2, 3], 2)],
  },
  // Not asked for, but cheap and real.
  'typescript.js': {
    transpile: (ts) =>
      ts.transpileModule('enum E { A = 1, B }\nexport const f = (x: number = E.B): string => `${x}`;\nclass C<T> { constructor(private t: T) {} }', {
        compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.CommonJS },
      }).outputText,
    diagnostics: (ts) =>
      ts
        .transpileModule('let x: number = "s"; let = ;', { reportDiagnostics: true, compilerOptions: {} })
        .diagnostics.map((d) => [d.code, d.start, ts.flattenDiagnosticMessageText(d.messageText, '\n')]),
    version: (ts) => ts.version,
  },
  'three.core.js': {
    vector: (T) => new T.Vector3(1, 2, 3).cross(new T.Vector3(4, 5, 6)).toArray(),
    matrix: (T) => new T.Matrix4().makeRotationX(0.5).multiply(new T.Matrix4().makeTranslation(1, 2, 3)).elements.map((x) => +x.toFixed(9)),
    color: (T) => [new T.Color('steelblue').getHexString(), new T.Color(0x336699).getStyle()],
    quaternion: (T) => new T.Quaternion().setFromEuler(new T.Euler(0.1, 0.2, 0.3)).toArray().map((x) => +x.toFixed(9)),
    box: (T) => {
      const b = new T.Box3().setFromPoints([new T.Vector3(0, 0, 0), new T.Vector3(1, 2, 3)]);
      return [b.getSize(new T.Vector3()).toArray(), b.containsPoint(new T.Vector3(0.5, 1, 1))];
    },
  },
  'vue.global.js': {
    reactive: ({ Vue }) => {
      const s = Vue.reactive({ a: 1, list: [1, 2] });
      const c = Vue.computed(() => s.a * 2 + s.list.length);
      s.a = 3;
      s.list.push(3);
      return [c.value, Vue.isReactive(s), Vue.toRaw(s).a];
    },
    utils: ({ Vue }) => [Vue.toDisplayString({ a: 1 }), Vue.normalizeClass(['a', { b: true, c: false }]), Vue.camelize('foo-bar')],
  },
  'jquery.js': {
    extend: ($) => $.extend(true, {}, { a: { b: 1 } }, { a: { c: 2 } }),
    utils: ($) => [$.isPlainObject({}), $.map([1, 2, 3], (x) => x * 2), $.param({ a: [1, 2], b: 'x y' })],
  },
};

function runCalls(name, exp) {
  const calls = CALLS[name];
  if (!calls) return {};
  const out = {};
  for (const [k, f] of Object.entries(calls)) {
    try {
      out[k] = JSON.parse(JSON.stringify(f(exp)) ?? 'null');
    } catch (e) {
      out[k] = { threw: String(e && e.message) };
    }
  }
  return out;
}

// Normalizes what a bundle exports: the default export of an ES module namespace is
// described under "default" like any other key.
function exportOf(loaded) {
  return loaded.exports;
}

let failed = false;
let broken = false;
const summary = [];
for (let i = 0; i < argv.length; i += 2) {
  const [orig, min] = [argv[i], argv[i + 1]];
  const name = path.basename(orig);
  let a, b;
  quiet(true);
  try {
    a = await load(orig, orig);
  } catch (e) {
    quiet(false);
    console.log(`LOAD-FAIL ${name} (original): ${e && e.stack}`);
    broken = true;
    continue;
  }
  const ea = exportOf(a);
  const da = describe(ea, 2);
  const ca = runCalls(name, ea);
  try {
    b = await load(min, orig);
  } catch (e) {
    quiet(false);
    console.log(`DIFF ${name}: the minified file throws while loading, the original does not: ${e && e.stack}`);
    failed = true;
    summary.push({ name, ok: false });
    continue;
  }
  const eb = exportOf(b);
  const db = describe(eb, 2);
  const cb = runCalls(name, eb);
  quiet(false);
  const diffs = [];
  diff(da, db, '', diffs);
  for (const k of Object.keys(ca)) {
    const [x, y] = [JSON.stringify(ca[k]), JSON.stringify(cb[k])];
    if (x !== y) diffs.push(`call ${k}: ${x} before, ${y} after`);
  }
  const count = (d) => (d && d.keys ? Object.values(d.keys).reduce((n, x) => n + 1 + count(x), 0) : 0);
  const nkeys = count(da);
  const ncalls = Object.keys(ca).length;
  const threw = Object.entries(ca).filter(([, v]) => v && v.threw).map(([k]) => k);
  if (threw.length > 0) {
    // A call that throws on the original is a mistake in this script, not in the minifier.
    console.log(`LOAD-FAIL ${name}: these calls throw on the original: ${threw.join(', ')}`);
    broken = true;
  }
  if (diffs.length > 0) {
    failed = true;
    console.log(`DIFF ${name}:\n  ${diffs.join('\n  ')}`);
  } else {
    console.log(`ok ${name}: ${nkeys} keys, ${ncalls} calls`);
  }
  if (nkeys === 0) {
    console.log(`LOAD-FAIL ${name}: exports nothing; the loader did not find its exports`);
    broken = true;
  }
  summary.push({ name, ok: diffs.length === 0, keys: nkeys, calls: ncalls });
}
console.log(JSON.stringify({ summary, consoleCalls: logged.n }));
process.exit(broken ? 2 : failed ? 1 : 0);
