// Issue 6: proof in a real browser that threaded TensorFlow.js WASM works after guardmin.
//
// One page (site/), served by a real nginx on 127.0.0.1 with COOP/COEP, opened in Debian's
// Chromium through playwright-core, once per variant of @tensorflow/tfjs-backend-wasm@4.22.0
// dist/tf-backend-wasm.js:
//   original   the npm file as published (baseline: the harness itself works)
//   guardmin   `guardmin minify` (the binary): must run threaded with no error anywhere
//   terser     terser 5.51.2 defaults (the negative control): every pthread worker throws
//              ReferenceError, and `guardmin scan` reports the file with exit code 1
//   swc, oxc   @swc/core 1.16.22 and oxc-minify 0.157.0 (compress + mangle): the same
//   terser-fixed, swc-fixed, oxc-fixed
//              those three outputs repaired by `guardmin fix` (issue 15): each must run
//              threaded with no error anywhere, and be at most 16 bytes bigger per repaired
//              read than the broken file
//
// Run alone: scripts/install-e2e.sh && node --test tests/e2e/   (see tests/e2e/README.md)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as h from './lib/harness.mjs';

const WASM_FILES = h.TFJS_WASM_FILES;
const THREADED = 'tfjs-backend-wasm-threaded-simd.wasm';
const THREADS = 2;
// tfjs 4.22 caps its XNNPACK pool at navigator.hardwareConcurrency / 2 (backend.cc), so on a
// 2-core machine setThreadsCount(2) would give 1 thread. Chromium is told there are 4 logical
// cores (CDP Emulation.setHardwareConcurrencyOverride) so that 2 threads really run. The
// pthread worker pool (8 workers, PTHREAD_POOL_SIZE) starts whatever this says.
const HARDWARE_CONCURRENCY = 4;
const SITE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'site');
const KEEP = process.env.GUARDMIN_E2E_KEEP === '1';

const env = { dirs: [], nginx: null, context: null, variants: {}, runs: {} };

before(async () => {
  h.preflight(); // throws, with what to install, when chromium / nginx / npm deps / guardmin are missing

  const tmp = h.tempDir('site');
  env.dirs.push(tmp);
  fs.chmodSync(tmp, 0o755);
  const www = path.join(tmp, 'www');
  fs.mkdirSync(www);
  fs.writeFileSync(path.join(www, 'healthz.txt'), 'ok\n');
  env.www = www;

  for (const [pkg, want] of [['terser', '5.51.2'], ['@swc/core', '1.16.22'], ['oxc-minify', '0.157.0'], ['@tensorflow/tfjs-core', '4.22.0'], ['@tensorflow/tfjs-backend-wasm', '4.22.0']]) {
    assert.equal(h.depRequire(`${pkg}/package.json`).version, want, `${pkg} in target/e2e-deps: run scripts/install-e2e.sh`);
  }
  const backendDir = h.depPath('@tensorflow/tfjs-backend-wasm');
  const original = path.join(backendDir, 'dist/tf-backend-wasm.js');
  const originalCode = fs.readFileSync(original, 'utf8');

  const makeVariant = (name) => {
    const dir = path.join(www, name);
    fs.mkdirSync(dir);
    for (const f of ['index.html', 'main.js']) fs.copyFileSync(path.join(SITE, f), path.join(dir, f));
    fs.copyFileSync(h.depPath('@tensorflow/tfjs-core/dist/tf-core.js'), path.join(dir, 'tf-core.js'));
    for (const w of WASM_FILES) fs.copyFileSync(path.join(backendDir, 'wasm-out', w), path.join(dir, w));
    const file = path.join(dir, 'tf-backend-wasm.js');
    env.variants[name] = { dir, file, url: null };
    return file;
  };

  // original, as published (its source map beside it, as npm ships it)
  fs.copyFileSync(original, makeVariant('original'));
  fs.copyFileSync(`${original}.map`, path.join(www, 'original', 'tf-backend-wasm.js.map'));

  // guardmin minify (the release binary)
  const gOut = makeVariant('guardmin');
  const g = h.run(h.GUARDMIN, ['minify', original, '-o', gOut, '-q']);
  assert.equal(g.status, 0, `guardmin minify failed (exit ${g.status}):\n${g.stdout}\n${g.stderr}`);
  env.variants.guardmin.bytes = fs.statSync(gOut).size;

  // terser 5.51.2 defaults
  const terser = h.depRequire('terser');
  const t = await terser.minify(originalCode, { compress: {}, mangle: true });
  fs.writeFileSync(makeVariant('terser'), t.code);
  env.variants.terser.bytes = Buffer.byteLength(t.code);
  env.variants.original.bytes = Buffer.byteLength(originalCode);

  // @swc/core and oxc-minify, as a bundler calls them (compress + mangle)
  const swc = h.depRequire('@swc/core').minifySync(originalCode, { compress: true, mangle: true, module: false });
  fs.writeFileSync(makeVariant('swc'), swc.code);
  const oxc = h.depRequire('oxc-minify').minifySync('tf-backend-wasm.js', originalCode, { module: false, compress: true, mangle: true });
  assert.deepEqual((oxc.errors || []).filter((e) => e.severity === 'Error'), [], 'oxc-minify failed');
  fs.writeFileSync(makeVariant('oxc'), oxc.code);

  // Each broken file repaired by `guardmin fix` (issue 15).
  for (const name of ['terser', 'swc', 'oxc']) {
    const broken = env.variants[name];
    broken.bytes = fs.statSync(broken.file).size;
    const out = makeVariant(`${name}-fixed`);
    const f = h.run(h.GUARDMIN, ['fix', broken.file, '-o', out, '--format', 'json']);
    assert.equal(f.status, 0, `guardmin fix ${name} failed (exit ${f.status}):\n${f.stdout}\n${f.stderr}`);
    const report = JSON.parse(f.stdout);
    env.variants[`${name}-fixed`].repairs = report.summary.reads;
    env.variants[`${name}-fixed`].bytes = fs.statSync(out).size;
  }

  const nginxDir = h.tempDir('nginx');
  env.dirs.push(nginxDir);
  env.nginx = await h.startNginx(nginxDir, www);
  for (const [name, v] of Object.entries(env.variants)) v.url = `${env.nginx.url}${name}/`;

  const profile = h.tempDir('profile');
  env.dirs.push(profile);
  env.context = await h.launchChromium(profile);
}, { timeout: 180_000 });

after(async () => {
  if (env.context) await env.context.close().catch(() => {});
  if (env.nginx) await env.nginx.stop();
  if (KEEP) {
    console.log(`# GUARDMIN_E2E_KEEP=1: kept ${env.dirs.join(' ')}`);
  } else {
    for (const d of env.dirs) fs.rmSync(d, { recursive: true, force: true });
  }
});

/** Loads a variant's page once (cached: the tests below share the runs). */
async function runVariant(name, opts = {}) {
  if (!env.runs[name]) {
    env.runs[name] = await h.runPage(env.context, env.variants[name].url, {
      hardwareConcurrency: HARDWARE_CONCURRENCY,
      // What a loaded Emscripten pthread worker holds: the module instance it built from the
      // factory's source text (tfjs-backend-wasm-threaded-simd.worker.js, startWorker).
      probeWorkers: () => (typeof Module === 'object' && Module !== null && typeof Module._pthread_self === 'function' ? 'loaded' : `not loaded (${typeof Module})`),
      ...opts,
    });
  }
  return env.runs[name];
}

const wasmRequests = (rec) => rec.requests.filter((u) => u.endsWith('.wasm')).map((u) => path.basename(new URL(u).pathname));

function assertThreadedRun(rec, label) {
  const why = `${label}:\n${h.describe(rec)}\nnginx logs: ${env.nginx.dir}`;
  assert.equal(rec.timedOut, false, `page did not finish. ${why}`);
  assert.equal(rec.dom.status, 'done', `page reported an error. ${why}`);
  assert.equal(rec.dom.isolated, 'true', `crossOriginIsolated is not true. ${why}`);
  assert.equal(rec.dom.backend, 'wasm', why);
  assert.equal(rec.dom.threads, String(THREADS), `tf.wasm.getThreadsCount(). ${why}`);
  assert.equal(rec.dom.result, '[19,22,43,50]', `matMul 2x2. ${why}`);
  assert.ok(Number(rec.dom.bigdiff) < 1e-4, `matMul 96x96 differs from plain JS by ${rec.dom.bigdiff}. ${why}`);

  // The threaded SIMD binary, and only it, came over the network, as application/wasm.
  assert.deepEqual(wasmRequests(rec), [THREADED], `wasm files fetched. ${why}`);
  const wasmRes = rec.responses.find((r) => r.url.endsWith(`/${THREADED}`));
  assert.equal(wasmRes.status, 200, why);
  assert.equal(wasmRes.headers['content-type'], 'application/wasm', why);
  const doc = rec.responses.find((r) => r.url === rec.url);
  assert.equal(doc.headers['cross-origin-opener-policy'], 'same-origin', why);
  assert.equal(doc.headers['cross-origin-embedder-policy'], 'require-corp', why);

  // pthread workers started, and each one that can answer loaded the module from the
  // factory's text (a worker parked in Atomics.wait running a pool thread answers 'busy').
  assert.ok(rec.workers.length >= THREADS, `expected >= ${THREADS} workers. ${why}`);
  assert.ok(rec.workers.every((u) => u.startsWith('blob:')), `pthread workers come from blobs. ${why}`);
  const loaded = rec.probes.filter((p) => p === 'loaded').length;
  assert.ok(loaded >= 1 && rec.probes.every((p) => p === 'loaded' || p === 'busy'), `worker probes. ${why}`);

  // Nothing went wrong anywhere: no page error, no worker error, no console error or warning
  // (page or worker), no failed request.
  assert.deepEqual(h.errorsOf(rec), [], `errors logged. ${why}`);
}

test('nginx sends COOP/COEP and application/wasm', async () => {
  const base = env.variants.original.url;
  const page = await fetch(base);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('cross-origin-opener-policy'), 'same-origin');
  assert.equal(page.headers.get('cross-origin-embedder-policy'), 'require-corp');
  await page.arrayBuffer();
  const wasm = await fetch(base + THREADED);
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  await wasm.arrayBuffer();
  const js = await fetch(base + 'tf-backend-wasm.js');
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
  await js.arrayBuffer();
});

test('baseline: the published tf-backend-wasm.js runs threaded', { timeout: 90_000 }, async () => {
  assertThreadedRun(await runVariant('original'), 'original');
});

test('guardmin minify: tf-backend-wasm.js still runs threaded, no page or worker error', { timeout: 90_000 }, async (t) => {
  const v = env.variants.guardmin;
  assert.ok(v.bytes < env.variants.original.bytes * 0.6, `guardmin output is ${v.bytes} bytes, original ${env.variants.original.bytes}: not minified?`);
  assertThreadedRun(await runVariant('guardmin'), 'guardmin');

  const scan = h.run(h.GUARDMIN, ['scan', v.file]);
  assert.equal(scan.status, 0, `guardmin scan of its own output:\n${scan.stdout}\n${scan.stderr}`);
  t.diagnostic(`guardmin output ${v.bytes} bytes (original ${env.variants.original.bytes}); workers ${env.runs.guardmin.workers.length}; probes ${env.runs.guardmin.probes.join(',')}`);
});

test('negative control: terser 5.51.2 defaults break every pthread worker with ReferenceError', { timeout: 90_000 }, async (t) => {
  // The page never finishes here (tfjs waits for workers that died): stop as soon as every
  // worker has thrown, else after 30 s.
  const rec = await runVariant('terser', {
    timeoutMs: 30_000,
    until: (r) => r.workers.length >= THREADS && r.workerErrors.length >= r.workers.length,
  });
  const why = `terser:\n${h.describe(rec)}`;
  assert.equal(rec.dom.isolated, 'true', why);
  assert.deepEqual(wasmRequests(rec), [THREADED], `the threaded SIMD binary was chosen. ${why}`);
  assert.ok(rec.workers.length >= THREADS, why);
  const refErrors = rec.workerErrors.filter((e) => /^ReferenceError: \w+ is not defined$/.test(e.text));
  assert.equal(refErrors.length, rec.workerErrors.length, why);
  const failedWorkers = new Set(refErrors.map((e) => e.worker));
  assert.equal(failedWorkers.size, rec.workers.length, `every worker threw ReferenceError. ${why}`);
  assert.notEqual(rec.dom.status, 'done', `the backend must not come up. ${why}`);
  t.diagnostic(`terser: ${refErrors.length} worker ReferenceErrors from ${failedWorkers.size} workers, e.g. "${refErrors[0].text}"`);
});

test('negative control: guardmin scan reports the terser output (exit 1)', async () => {
  const file = env.variants.terser.file;
  const scan = h.run(h.GUARDMIN, ['scan', '--format', 'json', file]);
  assert.equal(scan.status, 1, `exit code:\n${scan.stdout}\n${scan.stderr}`);
  const report = JSON.parse(scan.stdout);
  const errors = report.findings.filter((f) => f.severity === 'error');
  assert.ok(errors.length >= 1, scan.stdout);
  assert.ok(errors.every((f) => path.resolve(f.file) === path.resolve(file)), scan.stdout);
  assert.ok(errors.some((f) => f.rule === 'emscripten-script-dir' || f.rule === 'serialized-closure'), scan.stdout);
});

for (const name of ['swc', 'oxc']) {
  test(`negative control: ${name} breaks every pthread worker with ReferenceError`, { timeout: 90_000 }, async (t) => {
    const rec = await runVariant(name, {
      timeoutMs: 30_000,
      until: (r) => r.workers.length >= THREADS && r.workerErrors.length >= r.workers.length,
    });
    const why = `${name}:\n${h.describe(rec)}`;
    assert.equal(rec.dom.isolated, 'true', why);
    assert.ok(rec.workers.length >= THREADS, why);
    const refErrors = rec.workerErrors.filter((e) => /^ReferenceError: \w+ is not defined$/.test(e.text));
    assert.equal(new Set(refErrors.map((e) => e.worker)).size, rec.workers.length, `every worker threw ReferenceError. ${why}`);
    assert.notEqual(rec.dom.status, 'done', `the backend must not come up. ${why}`);
    t.diagnostic(`${name}: e.g. "${refErrors[0].text}"`);
  });
}

for (const name of ['terser', 'swc', 'oxc']) {
  test(`guardmin fix repairs ${name}'s output: it runs threaded, no page or worker error`, { timeout: 90_000 }, async (t) => {
    const v = env.variants[`${name}-fixed`];
    const broken = env.variants[name];
    assert.ok(v.repairs >= 1, `guardmin fix repaired nothing in ${name}'s output`);
    assert.ok(v.bytes - broken.bytes <= 16 * v.repairs, `${v.bytes - broken.bytes} bytes more for ${v.repairs} repaired reads`);
    assertThreadedRun(await runVariant(`${name}-fixed`), `${name}-fixed`);
    const scan = h.run(h.GUARDMIN, ['scan', v.file]);
    assert.equal(scan.status, 0, `guardmin scan of the fixed file:\n${scan.stdout}\n${scan.stderr}`);
    t.diagnostic(`${name}: ${v.repairs} read(s) repaired, ${broken.bytes} -> ${v.bytes} bytes; workers ${env.runs[`${name}-fixed`].workers.length}; probes ${env.runs[`${name}-fixed`].probes.join(',')}`);
  });
}
