#!/usr/bin/env node
// The real-packages table (issues 13 and 14): published npm packages with Emscripten or
// worker glue, each run in Debian's Chromium behind COOP/COEP (nginx on 127.0.0.1, the
// machinery of tests/e2e/lib/harness.mjs) once per minified variant of the files that hold
// its glue, against what `guardmin scan` says about the same files.
//
//   node tests/real/run.mjs [--package NAME]... [--variant NAME]... [--out DIR] [--keep]
//
// For each package (PACKAGES below, pinned in scripts/real/package.json, installed by
// scripts/install-real.sh into target/real) and each variant (VARIANTS below) it
//   1. makes the variant of each glue file (cached under target/real/variants, keyed by the
//      input's hash, the variant and the minifier's version; guardmin's key is the binary's
//      hash), recording a minifier failure or a guardmin refusal with its message;
//   2. serves the package's own page (tests/real/pages/NAME) with the variant in place of the
//      published file, at the same URL the published file has, so every relative URL (.wasm,
//      worker scripts) resolves as it would;
//   3. runs the page in Chromium (bounded: the page's own check times out, and the harness
//      stops waiting after the package's timeout) and records the truth: `runs` when the page
//      finished, its result is right, the package's workers started (seen by Chromium) and no
//      page or worker error was thrown; else `breaks`, with the errors;
//   4. runs `guardmin scan --format json` on each variant file: `error` when any finding has
//      severity "error", else `clean`.
// A `runs` file the scan calls `error` is a false alarm; a `breaks` file it calls `clean` is a
// miss. Writes target/real/table.md and target/real/summary.json (or under --out).
//
// Exit code 1 on any disagreement, on a guardmin output that breaks where the original runs,
// on any guardmin refusal, and on a page whose original does not run (the harness or the page
// is wrong then, not a minifier). 2 on usage errors or a missing install.
//
// Minifier calls (pinned in scripts/npm, installed by scripts/install-npm.sh into target/npm):
// | variant              | call                                                                        |
// | -------------------- | --------------------------------------------------------------------------- |
// | original             | the published file                                                          |
// | terser               | terser 5.51.2 minify(code, {compress: {}, mangle: true, module: esm})        |
// | terser-typeofs-false | terser 5.51.2 minify(code, {compress: {typeofs: false}, mangle: true, module}) |
// | swc                  | @swc/core 1.16.22 minify(code, {compress: {}, mangle: true, module: esm})    |
// | oxc                  | oxc-minify 0.157.0 minify(basename, code, {module: esm, compress: true, mangle: true}) |
// | esbuild              | esbuild 0.28.2 transform(code, {minify: true}) (format kept as it is)        |
// | esbuild-keepnames    | esbuild 0.28.2 transform(code, {minify: true, keepNames: true})              |
// | guardmin             | $GUARDMIN_BIN or target/release/guardmin: minify IN -o OUT                   |
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as h from '../e2e/lib/harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = h.ROOT;
const REAL = path.join(ROOT, 'target/real');
const REAL_NM = path.join(REAL, 'node_modules');
const NPM_NM = path.join(ROOT, 'target/npm/node_modules');
const PAGES = path.join(HERE, 'pages');

// ------------------------------------------------------------------------------------------
// What is tested

/**
 * name: page folder under tests/real/pages; pkg: the npm package (as installed, aliases
 * included) and version; serve: package folders the page loads, under ../nm/; files: the
 * glue files that get minified (relative to node_modules; esm: parsed as an ES module);
 * minWorkers: dedicated workers Chromium must see start; hc: navigator.hardwareConcurrency
 * override (0: leave it); timeoutMs: how long the harness waits for the page.
 */
export const PACKAGES = [
  {
    name: 'tfjs-wasm-4', pkg: '@tensorflow/tfjs-backend-wasm', version: '4.22.0',
    serve: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm'],
    files: [{ rel: '@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.js' }],
    minWorkers: 2, hc: 4, timeoutMs: 60_000,
    worker: 'Emscripten pthreads; tfjs sends the factory text in a Blob',
  },
  {
    name: 'tfjs-wasm-3', pkg: 'tfjs-backend-wasm-3', version: '3.21.0',
    serve: ['tfjs-core-3', 'tfjs-backend-wasm-3'],
    files: [{ rel: 'tfjs-backend-wasm-3/dist/tf-backend-wasm.js' }],
    minWorkers: 2, hc: 4, timeoutMs: 60_000,
    worker: 'Emscripten pthreads; tfjs sends the factory text in a Blob',
  },
  {
    name: 'jsquash-avif', pkg: '@jsquash/avif', version: '1.3.0',
    serve: ['@jsquash/avif', 'wasm-feature-detect'],
    files: [{ rel: '@jsquash/avif/codec/enc/avif_enc_mt.js', esm: true }, { rel: '@jsquash/avif/codec/enc/avif_enc_mt.worker.js' }],
    minWorkers: 1, hc: 4, timeoutMs: 60_000,
    worker: 'Emscripten pthreads; worker script by URL imports the glue by URL',
  },
  {
    name: 'sqlite-wasm', pkg: '@sqlite.org/sqlite-wasm', version: '3.50.4-build1',
    serve: ['@sqlite.org/sqlite-wasm'],
    files: [
      { rel: '@sqlite.org/sqlite-wasm/sqlite-wasm/jswasm/sqlite3-bundler-friendly.mjs', esm: true },
      { rel: '@sqlite.org/sqlite-wasm/sqlite-wasm/jswasm/sqlite3-worker1-promiser.mjs', esm: true },
    ],
    minWorkers: 1, hc: 0, timeoutMs: 45_000,
    worker: 'Emscripten, no threads; module worker imports the glue by URL',
  },
  {
    name: 'manifold-3d', pkg: 'manifold-3d', version: '3.1.1',
    serve: ['manifold-3d'],
    files: [{ rel: 'manifold-3d/manifold.js', esm: true }],
    minWorkers: 1, hc: 0, timeoutMs: 45_000,
    worker: 'Emscripten, no threads; runs inside a module worker (imported by URL)',
  },
  {
    name: 'greenlet', pkg: 'greenlet', version: '1.1.0',
    serve: ['greenlet'],
    files: [{ rel: 'greenlet/greenlet.js', esm: true }],
    minWorkers: 2, hc: 0, timeoutMs: 30_000,
    worker: "Blob of '$$=' + fn + ';onmessage=' + own handler's text",
  },
  {
    name: 'workerize', pkg: 'workerize', version: '0.1.8',
    serve: ['workerize'],
    files: [{ rel: 'workerize/src/index.js', esm: true }],
    minWorkers: 1, hc: 0, timeoutMs: 30_000,
    worker: "Blob of module text + '(' + setup.toString() + ')(self, ...)'",
  },
  {
    name: 'operative', pkg: 'operative', version: '0.4.6',
    serve: ['operative'],
    files: [{ rel: 'operative/dist/operative.js' }],
    minWorkers: 1, hc: 0, timeoutMs: 30_000,
    worker: "Blob of method texts + '(' + workerBoilerScript.toString() + '())'",
  },
  {
    name: 'workerpool', pkg: 'workerpool', version: '10.0.3',
    serve: ['workerpool'],
    files: [{ rel: 'workerpool/dist/workerpool.js' }],
    minWorkers: 1, hc: 0, timeoutMs: 30_000,
    worker: 'Blob of the embedded worker bundle (a string); user functions sent as text',
  },
  {
    name: 'paralleljs', pkg: 'paralleljs', version: '1.1.0',
    serve: ['paralleljs'],
    files: [{ rel: 'paralleljs/lib/parallel.js' }],
    minWorkers: 1, hc: 0, timeoutMs: 30_000,
    worker: "Blob of 'self.onmessage = ...(' + cb + ')(e.data)' with a prelude declaring global.env",
  },
  {
    name: 'threads', pkg: 'threads', version: '0.12.1',
    serve: ['threads'],
    files: [{ rel: 'threads/dist/threads.browser.js' }],
    minWorkers: 2, hc: 0, timeoutMs: 30_000,
    worker: 'Blob of the embedded slave script (a string); thread function sent as text',
  },
  {
    name: 'lottie-web', pkg: 'lottie-web', version: '5.13.0',
    serve: ['lottie-web'],
    files: [{ rel: 'lottie-web/build/player/lottie.js' }],
    minWorkers: 1, hc: 0, timeoutMs: 30_000,
    worker: "Blob of 'var _workerSelf = self; self.onmessage = ' + fn.toString(); the prelude declares the enclosing name the function reads",
  },
  {
    name: 'onnxruntime-web', pkg: 'onnxruntime-web', version: '1.9.0',
    serve: ['onnxruntime-web'],
    files: [{ rel: 'onnxruntime-web/dist/ort.js' }],
    minWorkers: 1, hc: 4, timeoutMs: 60_000,
    worker: "Emscripten pthreads; Blob of 'var ortWasmThreaded=(function(){var _scriptDir;return ' + factory.toString() + '})();': the prelude declares `_scriptDir`",
  },
];

export const VARIANTS = ['original', 'terser', 'terser-typeofs-false', 'swc', 'oxc', 'esbuild', 'esbuild-keepnames', 'guardmin'];

const MINIFIERS = { terser: '5.51.2', '@swc/core': '1.16.22', 'oxc-minify': '0.157.0', esbuild: '0.28.2' };

// ------------------------------------------------------------------------------------------
// Command line

function parseArgs(argv) {
  const o = { packages: [], variants: [], out: REAL, keep: process.env.GUARDMIN_E2E_KEEP === '1' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--package') o.packages.push(...val().split(','));
    else if (a.startsWith('--package=')) o.packages.push(...a.slice(10).split(','));
    else if (a === '--variant') o.variants.push(...val().split(','));
    else if (a.startsWith('--variant=')) o.variants.push(...a.slice(10).split(','));
    else if (a === '--out') o.out = path.resolve(val());
    else if (a === '--keep') o.keep = true;
    else if (a === '-h' || a === '--help') { console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\nimport ')[0]); process.exit(0); }
    else usage(`unknown argument ${a}`);
  }
  for (const p of o.packages) if (!PACKAGES.some((x) => x.name === p)) usage(`unknown package ${p}; known: ${PACKAGES.map((x) => x.name).join(', ')}`);
  for (const v of o.variants) if (!VARIANTS.includes(v)) usage(`unknown variant ${v}; known: ${VARIANTS.join(', ')}`);
  return o;
}

function usage(msg) {
  console.error(`real: ${msg}\nusage: node tests/real/run.mjs [--package NAME]... [--variant NAME]... [--out DIR] [--keep]`);
  process.exit(2);
}

function die(msg) {
  console.error(`real: ${msg}`);
  process.exit(2);
}

function checkInstall(packages, variants) {
  const problems = [];
  const version = (nm, pkg) => {
    try { return JSON.parse(fs.readFileSync(path.join(nm, pkg, 'package.json'), 'utf8')).version; } catch { return null; }
  };
  for (const p of packages) {
    const have = version(REAL_NM, p.pkg);
    if (have !== p.version) problems.push(`${p.pkg} ${p.version} in target/real (found ${have}): run scripts/install-real.sh`);
  }
  for (const [pkg, want] of Object.entries(MINIFIERS)) {
    const have = version(NPM_NM, pkg);
    if (have !== want) problems.push(`${pkg} ${want} in target/npm (found ${have}): run scripts/install-npm.sh`);
  }
  if (!fs.existsSync(path.join(h.DEPS, 'playwright-core/package.json'))) problems.push('playwright-core in target/e2e-deps: run scripts/install-e2e.sh');
  if (!fs.existsSync(h.CHROMIUM)) problems.push(`${h.CHROMIUM}: run scripts/install-e2e.sh`);
  if (!fs.existsSync(h.NGINX)) problems.push(`${h.NGINX}: run scripts/install-e2e.sh`);
  if (!fs.existsSync(h.GUARDMIN)) problems.push(`${h.GUARDMIN}: cargo build --release (or set GUARDMIN_BIN)`);
  if (problems.length) die(`missing:\n  ${problems.join('\n  ')}`);
}

// ------------------------------------------------------------------------------------------
// Variants

const requireNpm = createRequire(path.join(NPM_NM, 'noop.js'));
// guardmin runs under a 4 GiB address-space cap (prlimit, where there is one) and a time
// limit: an engine bug must not take the shared machine's memory (one build in progress
// reached 8 GB on an 80 kB file).
const MEM_CAP = 4 * 2 ** 30;
const HAVE_PRLIMIT = fs.existsSync('/usr/bin/prlimit');
function runGuardmin(args, timeout) {
  return HAVE_PRLIMIT
    ? h.run('/usr/bin/prlimit', [`--as=${MEM_CAP}`, '--', GUARDMIN, ...args], { timeout })
    : h.run(GUARDMIN, args, { timeout });
}
const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');
let guardminHash = null;
// The binary as it was when the run started (a copy in the run's temp folder), so that a
// rebuild of target/release/guardmin during a run cannot mix two builds in one table.
let GUARDMIN = h.GUARDMIN;

function variantKey(variant, code) {
  let tool;
  if (variant === 'guardmin') {
    guardminHash ??= sha256(fs.readFileSync(GUARDMIN));
    tool = `guardmin:${guardminHash}`;
  } else if (variant.startsWith('terser')) tool = `terser:${MINIFIERS.terser}`;
  else if (variant === 'swc') tool = `swc:${MINIFIERS['@swc/core']}`;
  else if (variant === 'oxc') tool = `oxc:${MINIFIERS['oxc-minify']}`;
  else if (variant.startsWith('esbuild')) tool = `esbuild:${MINIFIERS.esbuild}`;
  else tool = 'original';
  return sha256(`${variant}\n${tool}\n${sha256(code)}`);
}

/** Returns the variant's code, or throws an Error whose message says why there is none. */
async function minify(variant, file, code) {
  const input = path.join(REAL_NM, file.rel);
  const esm = !!file.esm;
  switch (variant) {
    case 'original':
      return code;
    case 'terser':
    case 'terser-typeofs-false': {
      const terser = requireNpm('terser');
      const compress = variant === 'terser' ? {} : { typeofs: false };
      return (await terser.minify(code, { compress, mangle: true, module: esm })).code;
    }
    case 'swc': {
      const swc = requireNpm('@swc/core');
      return (await swc.minify(code, { compress: {}, mangle: true, module: esm })).code;
    }
    case 'oxc': {
      const oxc = requireNpm('oxc-minify');
      const r = await oxc.minify(path.basename(file.rel), code, { module: esm, compress: true, mangle: true });
      const errors = (r.errors || []).filter((e) => e.severity === 'Error' || !e.severity);
      if (errors.length) throw new Error(`oxc: ${errors.map((e) => e.message).join('; ')}`);
      return r.code;
    }
    case 'esbuild':
    case 'esbuild-keepnames': {
      const esbuild = requireNpm('esbuild');
      const r = await esbuild.transform(code, { minify: true, keepNames: variant === 'esbuild-keepnames', loader: 'js', logLevel: 'silent' });
      return r.code;
    }
    case 'guardmin': {
      const tmp = h.tempDir('real-gm');
      try {
        const out = path.join(tmp, path.basename(file.rel));
        const r = runGuardmin(['minify', '--no-cache', '-q', input, '-o', out], 300_000);
        if (r.status !== 0 || !fs.existsSync(out)) {
          const e = new Error(`guardmin refused (exit ${r.status}${r.signal ? `, ${r.signal}` : ''}): ${(r.stderr || r.stdout).trim().slice(0, 2000)}`);
          e.refusal = true;
          throw e;
        }
        return fs.readFileSync(out, 'utf8');
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    }
    default:
      throw new Error(`unknown variant ${variant}`);
  }
}

/** {file, path, bytes} or {file, error, refusal}; cached under target/real/variants. */
async function makeVariant(variant, file) {
  const input = path.join(REAL_NM, file.rel);
  const code = fs.readFileSync(input, 'utf8');
  const dir = path.join(REAL, 'variants', variant);
  const out = path.join(dir, file.rel);
  const keyFile = `${out}.key`;
  const errFile = `${out}.error.json`;
  const key = variantKey(variant, code);
  if (variant === 'original') return { rel: file.rel, path: input, bytes: Buffer.byteLength(code) };
  const cachedKey = h.readIfExists(keyFile).trim();
  if (cachedKey === key && fs.existsSync(out)) return { rel: file.rel, path: out, bytes: fs.statSync(out).size };
  if (cachedKey === key && fs.existsSync(errFile)) return { rel: file.rel, ...JSON.parse(fs.readFileSync(errFile, 'utf8')) };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.rmSync(out, { force: true });
  fs.rmSync(errFile, { force: true });
  let result;
  const t0 = Date.now();
  try {
    const text = await minify(variant, file, code);
    if (typeof text !== 'string' || !text.length) throw new Error(`${variant} gave no output`);
    fs.writeFileSync(out, text);
    result = { rel: file.rel, path: out, bytes: Buffer.byteLength(text) };
  } catch (e) {
    const err = { error: String((e && e.message) || e).slice(0, 4000), refusal: !!(e && e.refusal) };
    fs.writeFileSync(errFile, JSON.stringify(err));
    result = { rel: file.rel, ...err };
  }
  fs.writeFileSync(keyFile, key);
  log(`  made ${variant} of ${file.rel} in ${((Date.now() - t0) / 1000).toFixed(1)} s${result.error ? `: ${result.error.split('\n')[0]}` : ''}`);
  return result;
}

// ------------------------------------------------------------------------------------------
// Scan

function scan(filePath) {
  const r = runGuardmin(['scan', '--format', 'json', filePath], 120_000);
  let report = null;
  try { report = JSON.parse(r.stdout); } catch { /* below */ }
  if (!report || !Array.isArray(report.findings)) {
    const how = r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
    return { verdict: 'scan-failed', exit: r.status, errors: [], other: [], message: `${how}: ${`${r.stdout}\n${r.stderr}`.trim().slice(0, 2000) || '(no output)'}` };
  }
  const pick = (f) => ({ rule: f.rule, severity: f.severity, line: f.line, column: f.column, message: f.message });
  const errors = report.findings.filter((f) => f.severity === 'error').map(pick);
  const other = report.findings.filter((f) => f.severity !== 'error').map(pick);
  return { verdict: errors.length ? 'error' : 'clean', exit: r.status, errors, other };
}

// ------------------------------------------------------------------------------------------
// Site: one folder per (package, variant): page/ (the page + report.js) and nm/ (the served
// package folders as symlinks, with real files only where a variant replaces one).

function overlay(src, dst, replace) {
  // replace: Map of absolute source path -> absolute path of the file to serve instead
  const touched = [...replace.keys()].some((p) => p === src || p.startsWith(src + path.sep));
  if (!touched) { fs.symlinkSync(src, dst); return; }
  if (replace.has(src)) { fs.copyFileSync(replace.get(src), dst); return; }
  fs.mkdirSync(dst, { recursive: true });
  for (const ent of fs.readdirSync(src)) overlay(path.join(src, ent), path.join(dst, ent), replace);
}

function buildSite(www, p, variant, files) {
  const base = path.join(www, p.name, variant);
  const pageDir = path.join(base, 'page');
  fs.mkdirSync(pageDir, { recursive: true });
  fs.cpSync(path.join(PAGES, p.name), pageDir, { recursive: true });
  fs.copyFileSync(path.join(PAGES, 'report.js'), path.join(pageDir, 'report.js'));
  const replace = new Map(files.map((f) => [path.join(REAL_NM, f.rel), f.path]));
  for (const s of p.serve) {
    const dst = path.join(base, 'nm', s);
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    overlay(path.join(REAL_NM, s), dst, replace);
  }
  return `${p.name}/${variant}/page/index.html`;
}

// ------------------------------------------------------------------------------------------
// Truth

async function runInBrowser(ctx, url, p) {
  let firstError = 0;
  const until = (rec) => {
    // A broken page often never finishes (the library waits for workers that died): stop
    // 3 s after the first uncaught page or worker error.
    if (rec.workerErrors.length + rec.pageErrors.length === 0) return false;
    firstError ||= Date.now();
    return Date.now() - firstError > 3_000;
  };
  const guard = p.timeoutMs + 60_000;
  let timer;
  const rec = await Promise.race([
    h.runPage(ctx, url, { timeoutMs: p.timeoutMs, until, hardwareConcurrency: p.hc }),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`page run did not return within ${guard} ms`)), guard); }),
  ]).finally(() => clearTimeout(timer));
  let report = null;
  try { report = JSON.parse((rec.dom && rec.dom.report) || 'null'); } catch { /* below */ }
  const errors = [
    ...rec.pageErrors.map((e) => `page error: ${e.text}`),
    ...rec.workerErrors.map((e) => `worker error: ${e.text} (${e.worker.slice(0, 60)})`),
    ...((report && report.errors) || []).map((e) => `in page: ${e}`),
  ];
  const consoleErrors = rec.console.filter((m) => m.type === 'error').map((m) => `console.error (${m.from}): ${m.text.slice(0, 300)}`);
  const why = [];
  if (rec.timedOut) why.push(`page did not finish within ${p.timeoutMs} ms`);
  if (!report) why.push('page wrote no report');
  else {
    if (!report.ok) why.push('page check threw');
    else if (!report.resultCorrect) why.push(`wrong result ${JSON.stringify(report.result)}, expected ${JSON.stringify(report.expected)}`);
  }
  if (rec.workers.length < p.minWorkers) why.push(`${rec.workers.length} workers started, need ${p.minWorkers}`);
  if (rec.pageErrors.length || rec.workerErrors.length || (report && report.errors && report.errors.length)) why.push('errors thrown');
  return {
    truth: why.length ? 'breaks' : 'runs',
    why,
    errors: dedupe(errors).slice(0, 20),
    consoleErrors: dedupe(consoleErrors).slice(0, 10),
    workers: rec.workers.length,
    report,
    failedRequests: rec.failed.slice(0, 10),
  };
}

const dedupe = (xs) => [...new Set(xs)];

// ------------------------------------------------------------------------------------------
// Main

const t0 = Date.now();
function log(msg) {
  console.error(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${msg}`);
}

async function main() {
  // Ctrl-C or a kill: exit through process.exit, whose handlers stop nginx (harness.mjs) and
  // Chromium (playwright-core).
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { console.error(`real: ${sig}, stopping`); process.exit(130); });
  const opts = parseArgs(process.argv.slice(2));
  const packages = PACKAGES.filter((p) => !opts.packages.length || opts.packages.includes(p.name));
  const variants = VARIANTS.filter((v) => !opts.variants.length || opts.variants.includes(v));
  checkInstall(packages, variants);
  fs.mkdirSync(opts.out, { recursive: true });

  const tmp = h.tempDir('real');
  fs.chmodSync(tmp, 0o755);
  const www = path.join(tmp, 'www');
  fs.mkdirSync(www);
  fs.writeFileSync(path.join(www, 'healthz.txt'), 'ok\n');
  GUARDMIN = path.join(tmp, 'guardmin');
  fs.copyFileSync(h.GUARDMIN, GUARDMIN);
  fs.chmodSync(GUARDMIN, 0o755);
  guardminHash = sha256(fs.readFileSync(GUARDMIN));
  const guardminVersion = `${h.run(GUARDMIN, ['--version']).stdout.trim()} (${h.GUARDMIN}, sha256 ${guardminHash.slice(0, 16)})`;
  const nginxDir = path.join(tmp, 'nginx');
  fs.mkdirSync(nginxDir);
  let nginx = null;
  let ctx = null;
  const results = [];
  try {
    nginx = await h.startNginx(nginxDir, www);
    const profile = path.join(tmp, 'profile');
    const launch = async () => { ctx = await h.launchChromium(profile); };
    await launch();
    log(`nginx on ${nginx.url}, Chromium up; ${packages.length} packages x ${variants.length} variants`);
    for (const p of packages) {
      for (const variant of variants) {
        const files = [];
        for (const f of p.files) files.push(await makeVariant(variant, f));
        const row = { package: p.name, npm: `${p.pkg}@${p.version}`, variant, files: files.map((f) => ({ rel: f.rel, bytes: f.bytes ?? null, error: f.error ?? null })) };
        const failed = files.find((f) => f.error);
        if (failed) {
          row.truth = failed.refusal ? 'refused' : 'no-output';
          row.minifyError = failed.error;
          results.push(row);
          log(`${p.name} ${variant}: ${row.truth}: ${failed.error.split('\n')[0]}`);
          continue;
        }
        const url = nginx.url + buildSite(www, p, variant, files);
        let run;
        try {
          run = await runInBrowser(ctx, url, p);
        } catch (e) {
          run = { truth: 'breaks', why: [`harness: ${e.message}`], errors: [], consoleErrors: [], workers: 0, report: null };
          // A hung page may have left Chromium in a bad state: start a fresh one.
          await ctx.close().catch(() => {});
          fs.rmSync(profile, { recursive: true, force: true });
          await launch();
        }
        Object.assign(row, run);
        const scans = files.map((f) => ({ rel: f.rel, ...scan(f.path) }));
        row.scan = scans.some((s) => s.verdict === 'scan-failed') ? 'scan-failed' : scans.some((s) => s.verdict === 'error') ? 'error' : 'clean';
        row.scanFindings = scans.filter((s) => s.errors.length || s.verdict === 'scan-failed').map((s) => ({ rel: s.rel, exit: s.exit, errors: s.errors.slice(0, 20), errorCount: s.errors.length, message: s.message }));
        row.scanWarnings = scans.reduce((n, s) => n + s.other.length, 0);
        row.agree = (row.truth === 'runs' && row.scan === 'clean') || (row.truth === 'breaks' && row.scan === 'error');
        row.disagreement = row.agree ? null : row.scan === 'scan-failed' ? 'scan failed' : row.truth === 'runs' ? 'false alarm' : 'miss';
        results.push(row);
        log(`${p.name} ${variant}: ${row.truth}${row.why.length ? ` (${row.why.join('; ')})` : ''}, scan ${row.scan}${row.agree ? '' : ` -> ${row.disagreement.toUpperCase()}`}${row.errors.length ? `\n      ${row.errors.slice(0, 3).join('\n      ')}` : ''}`);
      }
    }
  } finally {
    if (ctx) await ctx.close().catch(() => {});
    if (nginx) await nginx.stop();
    if (opts.keep) log(`kept ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }

  // Verdict
  const problems = [];
  const byKey = new Map(results.map((r) => [`${r.package}/${r.variant}`, r]));
  for (const r of results) {
    if (r.disagreement) problems.push(`${r.package} ${r.variant}: ${r.disagreement} (truth ${r.truth}, scan ${r.scan})`);
    if (r.variant === 'original' && r.truth !== 'runs') problems.push(`${r.package}: the published file does not run (${(r.why || []).join('; ')}): the page or the harness is wrong`);
    if (r.variant === 'guardmin') {
      const orig = byKey.get(`${r.package}/original`);
      if (r.truth === 'refused') problems.push(`${r.package}: guardmin refused: ${r.minifyError.split('\n')[0]}`);
      else if (r.truth === 'no-output') problems.push(`${r.package}: guardmin wrote nothing: ${r.minifyError.split('\n')[0]}`);
      else if (r.truth === 'breaks' && (!orig || orig.truth === 'runs')) problems.push(`${r.package}: guardmin's output breaks${orig ? ' where the original runs' : ''}: ${r.errors[0] || r.why.join('; ')}`);
    }
  }
  const summary = {
    generated: new Date().toISOString(),
    chromium: h.run(h.CHROMIUM, ['--version']).stdout.trim(),
    guardmin: guardminVersion,
    minifiers: MINIFIERS,
    packages: packages.map((p) => ({ name: p.name, npm: `${p.pkg}@${p.version}`, files: p.files.map((f) => f.rel), worker: p.worker })),
    variants,
    problems,
    results,
  };
  const jsonPath = path.join(opts.out, 'summary.json');
  const mdPath = path.join(opts.out, 'table.md');
  fs.writeFileSync(jsonPath, JSON.stringify(summary, null, 2) + '\n');
  fs.writeFileSync(mdPath, table(summary));
  log(`wrote ${path.relative(process.cwd(), mdPath)} and ${path.relative(process.cwd(), jsonPath)}`);
  process.stdout.write(table(summary));
  if (problems.length) {
    console.error(`\nreal: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
}

function cell(r) {
  if (!r) return '';
  if (r.truth === 'refused') return 'REFUSED';
  if (r.truth === 'no-output') return 'no output';
  const mark = r.agree ? 'ok' : r.disagreement === 'false alarm' ? '**FALSE ALARM**' : r.disagreement === 'miss' ? '**MISS**' : `**${r.disagreement}**`;
  return `${r.truth} / ${r.scan} / ${mark}`;
}

function table(s) {
  const lines = [];
  lines.push('# guardmin on real packages', '');
  lines.push(`${s.chromium}, COOP same-origin + COEP require-corp (nginx, 127.0.0.1). ${s.guardmin}. Generated ${s.generated} by tests/real/run.mjs.`, '');
  lines.push('Each cell: truth in Chromium (runs / breaks) / `guardmin scan` verdict (clean / error) / agreement (ok, **FALSE ALARM**: scan error on a file that runs, **MISS**: scan clean on a file that breaks).', '');
  lines.push(`| package | ${s.variants.join(' | ')} |`);
  lines.push(`| --- | ${s.variants.map(() => '---').join(' | ')} |`);
  for (const p of s.packages) {
    const cells = s.variants.map((v) => cell(s.results.find((r) => r.package === p.name && r.variant === v)));
    lines.push(`| ${p.name} (${p.npm}) | ${cells.join(' | ')} |`);
  }
  lines.push('', '## Packages', '');
  lines.push('| package | npm | files minified | how the worker gets its code |', '| --- | --- | --- | --- |');
  for (const p of s.packages) lines.push(`| ${p.name} | ${p.npm} | ${p.files.map((f) => `\`${f}\``).join('<br>')} | ${p.worker.replace(/\|/g, '\\|')} |`);
  const notable = s.results.filter((r) => r.truth === 'breaks' || r.truth === 'refused' || r.truth === 'no-output' || !r.agree || (r.scanFindings && r.scanFindings.length));
  if (notable.length) {
    lines.push('', '## Details', '');
    for (const r of notable) {
      lines.push(`### ${r.package} / ${r.variant}: ${r.truth}${r.scan ? `, scan ${r.scan}` : ''}${r.disagreement ? ` (${r.disagreement})` : ''}`, '');
      if (r.minifyError) lines.push('```', r.minifyError.slice(0, 1500), '```', '');
      for (const w of r.why || []) lines.push(`- ${w}`);
      for (const e of (r.errors || []).slice(0, 5)) lines.push(`- ${e.replace(/\n/g, ' ')}`);
      for (const f of r.scanFindings || []) {
        for (const e of f.errors.slice(0, 5)) lines.push(`- scan \`${f.rel}\` ${e.line}:${e.column} ${e.rule}: ${e.message}`);
        if (f.errorCount > 5) lines.push(`- ... ${f.errorCount - 5} more scan errors in \`${f.rel}\``);
        if (f.message) lines.push(`- scan failed on \`${f.rel}\`: ${f.message.slice(0, 300).replace(/\n/g, ' ')}`);
      }
      lines.push('');
    }
  }
  if (s.problems.length) lines.push('## Problems', '', ...s.problems.map((p) => `- ${p}`), '');
  return lines.join('\n') + '\n';
}

await main();
