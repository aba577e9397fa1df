// Issue 6, item 3: the Vite app of the plugins issue, built with real Vite 8, in Chromium.
//
// The app (tests/e2e/vite-app/: index.html + src/e2e-main.js, with the plugin tests' own
// npm/test/app/src/string-worker.js and worker.js copied beside it) imports
// @tensorflow/tfjs-core + @tensorflow/tfjs-backend-wasm@4.22.0, starts the app's module worker
// from a stringified function and a file worker, then sets the wasm backend with
// setThreadsCount(2) and runs two matMuls, writing everything into the page. It is built
// twice with vite@8 from target/plugin-deps (scripts/install-plugin-deps.sh), in
// target/e2e-vite-app/<name>/ with node_modules linked to target/plugin-deps/node_modules:
//   guardmin  plugins: [guardmin()] from 'guardmin/vite': must run threaded with no error
//   oxc       Vite 8's defaults (the Oxc minifier), the negative control: the pthread workers
//             and the app's stringified-function worker throw ReferenceError
// Each dist/ (plus the three .wasm files in wasm/) is served by nginx with COOP/COEP and opened
// in Debian's Chromium through lib/harness.mjs, like tfjs-wasm-threads.test.mjs.
//
// Run alone: cargo build --release && scripts/install-e2e.sh && scripts/install-plugin-deps.sh
//            && node --test tests/e2e/vite-app.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as h from './lib/harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const APP_SRC = path.join(HERE, 'vite-app');
const PLUGIN_APP_SRC = path.join(h.ROOT, 'npm/test/app/src');
const PLUGIN_DEPS = path.join(h.ROOT, 'target/plugin-deps/node_modules');
const BUILD_ROOT = path.join(h.ROOT, 'target/e2e-vite-app');
const VITE8 = path.join(PLUGIN_DEPS, 'vite8/bin/vite.js');
const THREADED = 'tfjs-backend-wasm-threaded-simd.wasm';
const THREADS = 2;
// Emscripten starts its pool of 8 pthread workers (PTHREAD_POOL_SIZE of tfjs-backend-wasm 4.22)
// whatever the thread count.
const POOL = 8;
// tfjs 4.22 caps its XNNPACK pool at navigator.hardwareConcurrency / 2: tell Chromium there
// are 4 logical cores (CDP Emulation.setHardwareConcurrencyOverride) so 2 threads really run.
const HARDWARE_CONCURRENCY = 4;
const KEEP = process.env.GUARDMIN_E2E_KEEP === '1';

const CONFIGS = {
  guardmin: `import guardmin from 'guardmin/vite';
export default { base: './', logLevel: 'warn', plugins: [guardmin()] };
`,
  oxc: `// Vite 8 defaults: build.minify is 'oxc'.
export default { base: './', logLevel: 'warn' };
`,
};

const env = { dirs: [], nginx: null, context: null, builds: {}, runs: {} };

/** Throws one error naming everything the Vite builds need that is missing. Never skips. */
function preflightVite() {
  const missing = [];
  for (const pkg of ['vite8', 'guardmin', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm']) {
    if (!fs.existsSync(path.join(PLUGIN_DEPS, pkg, 'package.json'))) missing.push(`target/plugin-deps/node_modules/${pkg}`);
  }
  if (missing.length) throw new Error(`e2e preflight failed:\n  missing: ${missing.join(', ')}; run scripts/install-plugin-deps.sh (vite@8, tfjs and the linked guardmin package into target/plugin-deps)`);
  const version = (pkg) => JSON.parse(fs.readFileSync(path.join(PLUGIN_DEPS, pkg, 'package.json'), 'utf8')).version;
  assert.match(version('vite8'), /^8\./, 'target/plugin-deps/node_modules/vite8 is not vite 8: run scripts/install-plugin-deps.sh');
  for (const pkg of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm']) {
    assert.equal(version(pkg), '4.22.0', `${pkg} in target/plugin-deps: run scripts/install-plugin-deps.sh`);
  }
}

/** Runs a command without blocking the event loop; resolves with {code, output}. */
function runAsync(cmd, args, opts) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('error', reject);
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, output }); });
  });
}

/** A fresh copy of the app in target/e2e-vite-app/<name>, built with vite 8 and `config`. */
async function buildApp(name, config) {
  const dir = path.join(BUILD_ROOT, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  fs.copyFileSync(path.join(APP_SRC, 'index.html'), path.join(dir, 'index.html'));
  fs.copyFileSync(path.join(APP_SRC, 'src/e2e-main.js'), path.join(dir, 'src/e2e-main.js'));
  for (const f of ['string-worker.js', 'worker.js']) fs.copyFileSync(path.join(PLUGIN_APP_SRC, f), path.join(dir, 'src', f));
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "name": "guardmin-e2e-vite-app", "private": true, "type": "module" }\n');
  fs.symlinkSync(path.relative(dir, PLUGIN_DEPS), path.join(dir, 'node_modules'), 'dir');
  fs.writeFileSync(path.join(dir, 'vite.config.mjs'), config);
  const buildEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', GUARDMIN_BINARY: h.GUARDMIN };
  const started = Date.now();
  const r = await runAsync(process.execPath, [VITE8, 'build', '--config', 'vite.config.mjs'], { cwd: dir, env: buildEnv });
  assert.equal(r.code, 0, `vite 8 build (${name}) failed in ${dir}:\n${r.output}`);
  const dist = path.join(dir, 'dist');
  const js = fs.readdirSync(path.join(dist, 'assets')).filter((f) => f.endsWith('.js')).map((f) => path.join(dist, 'assets', f));
  return { dir, dist, js, seconds: (Date.now() - started) / 1000, output: r.output };
}

before(async () => {
  h.preflight(); // chromium, nginx, target/e2e-deps (playwright-core), the guardmin binary
  preflightVite(); // vite 8 + tfjs + guardmin/vite in target/plugin-deps

  // Both builds at once (each is mostly one process on one core).
  const names = Object.keys(CONFIGS);
  const builds = await Promise.all(names.map((n) => buildApp(n, CONFIGS[n])));
  names.forEach((n, i) => { env.builds[n] = builds[i]; });

  const wasmOut = path.join(PLUGIN_DEPS, '@tensorflow/tfjs-backend-wasm/wasm-out');
  Object.assign(env, await h.serveBuilds('vite', env.builds, wasmOut, env.dirs));
}, { timeout: 200_000 });

after(async () => {
  if (env.context) await env.context.close().catch(() => {});
  if (env.nginx) await env.nginx.stop();
  if (KEEP) {
    console.log(`# GUARDMIN_E2E_KEEP=1: kept ${env.dirs.join(' ')} (builds in ${BUILD_ROOT})`);
  } else {
    for (const d of env.dirs) fs.rmSync(d, { recursive: true, force: true });
  }
});

async function runBuild(name, opts = {}) {
  if (!env.runs[name]) {
    env.runs[name] = await h.runPage(env.context, env.builds[name].url, {
      hardwareConcurrency: HARDWARE_CONCURRENCY,
      // A loaded Emscripten pthread worker holds the module instance it built from the
      // factory's source text; a worker parked in Atomics.wait answers 'busy'.
      probeWorkers: () => (typeof Module === 'object' && Module !== null && typeof Module._pthread_self === 'function' ? 'loaded' : `not loaded (${typeof Module})`),
      ...opts,
    });
  }
  return env.runs[name];
}

const wasmRequests = (rec) => rec.requests.filter((u) => u.endsWith('.wasm')).map((u) => path.basename(new URL(u).pathname));
const builtFile = (rec, re) => rec.workers.filter((u) => !u.startsWith('blob:') && re.test(u));

test('vite 8 + guardmin/vite: the app runs threaded in Chromium, its own workers answer, no page or worker error', { timeout: 90_000 }, async (t) => {
  const b = env.builds.guardmin;
  const main = b.js.find((f) => /index-[\w-]+\.js$/.test(f));
  assert.ok(main, `no index-*.js in ${b.dist}: ${b.js.join(', ')}`);
  const code = fs.readFileSync(main, 'utf8');
  assert.match(code, /WasmBackendModuleThreadedSimd/, 'the tfjs WASM backend is bundled');
  // Minified (guardmin keeps the license comments): about the size of Oxc's output.
  const oxcMain = env.builds.oxc.js.find((f) => /index-[\w-]+\.js$/.test(f));
  const oxcBytes = oxcMain ? fs.statSync(oxcMain).size : 0;
  assert.ok(oxcBytes > 0 && code.length < oxcBytes * 1.2, `${main} is ${code.length} bytes, Oxc's ${oxcBytes}: not minified?`);
  const scan = h.run(h.GUARDMIN, ['scan', ...b.js]);
  assert.equal(scan.status, 0, `guardmin scan of the guardmin build:\n${scan.stdout}\n${scan.stderr}`);

  const rec = await runBuild('guardmin');
  const why = `guardmin build:\n${h.describe(rec)}\nnginx logs: ${env.nginx.dir}`;
  assert.equal(rec.timedOut, false, `page did not finish. ${why}`);
  assert.equal(rec.dom.status, 'done', `page reported an error. ${why}`);
  assert.equal(rec.dom.isolated, 'true', `crossOriginIsolated is not true. ${why}`);
  const doc = rec.responses.find((r) => r.url === rec.url);
  assert.equal(doc.headers['cross-origin-opener-policy'], 'same-origin', why);
  assert.equal(doc.headers['cross-origin-embedder-policy'], 'require-corp', why);

  // The app's own workers: the stringified function and the file Vite emitted.
  assert.equal(rec.dom.stringWorker, 'ok {"echo":"guardmin-e2e-string","base":""}', `stringified-function worker. ${why}`);
  assert.equal(rec.dom.fileWorker, 'ok ["guardmin-probe-worker","guardmin-e2e-file"]', `file worker. ${why}`);
  assert.equal(builtFile(rec, /\/assets\/worker-[\w-]+\.js$/).length, 1, `the file worker came from dist/assets. ${why}`);

  // tfjs: wasm backend, 2 threads, right results, the threaded SIMD binary (only it) fetched.
  assert.equal(rec.dom.backend, 'wasm', why);
  assert.equal(rec.dom.threads, String(THREADS), `getThreadsCount(). ${why}`);
  assert.equal(rec.dom.result, '[19,22,43,50]', `matMul 2x2. ${why}`);
  assert.ok(Number(rec.dom.bigdiff) < 1e-4, `matMul 96x96 differs from plain JS by ${rec.dom.bigdiff}. ${why}`);
  assert.deepEqual(wasmRequests(rec), [THREADED], `wasm files fetched. ${why}`);
  const wasmRes = rec.responses.find((r) => r.url.endsWith(`/wasm/${THREADED}`));
  assert.equal(wasmRes.status, 200, why);
  assert.equal(wasmRes.headers['content-type'], 'application/wasm', why);

  // The pthread workers (blobs) started and each one that can answer loaded the module (one
  // parked in Atomics.wait, running a pool thread, answers 'busy'); the app's own 2 workers
  // have no Module.
  const blobWorkers = rec.workers.filter((u) => u.startsWith('blob:'));
  assert.ok(blobWorkers.length >= POOL + 1, `expected ${POOL} pthread workers + the string worker. ${why}`);
  const pthreads = rec.probes.filter((p) => p === 'loaded' || p === 'busy').length;
  assert.ok(pthreads >= POOL && rec.probes.includes('loaded'), `pthread workers that loaded the module: ${pthreads}. ${why}`);
  assert.equal(rec.probes.length - pthreads, 2, `only the app's 2 workers lack the module. ${why}`);

  // Nothing went wrong anywhere: no page error, worker error, console error/warning, failed request.
  assert.deepEqual(h.errorsOf(rec), [], `errors logged. ${why}`);
  t.diagnostic(`guardmin build ${b.seconds.toFixed(1)} s, ${path.basename(main)} ${code.length} bytes; workers ${rec.workers.length}; probes ${rec.probes.join(',')}`);
});

test('vite 8 defaults (Oxc): the pthread workers and the stringified-function worker throw ReferenceError', { timeout: 90_000 }, async (t) => {
  const b = env.builds.oxc;
  const main = b.js.find((f) => /index-[\w-]+\.js$/.test(f));
  assert.ok(main, `no index-*.js in ${b.dist}: ${b.js.join(', ')}`);
  const scan = h.run(h.GUARDMIN, ['scan', ...b.js]);
  assert.equal(scan.status, 1, `guardmin scan reports the Oxc build:\n${scan.stdout}\n${scan.stderr}`);

  // The page never finishes (tfjs waits for pthread workers that died): stop once the string
  // worker and the whole pthread pool have started and every one of them has thrown, else
  // after 30 s.
  const rec = await runBuild('oxc', {
    timeoutMs: 30_000,
    until: (r) => {
      const blobs = r.workers.filter((u) => u.startsWith('blob:'));
      return blobs.length >= POOL + 1 && blobs.every((u) => r.workerErrors.some((e) => e.worker === u));
    },
  });
  const why = `oxc build:\n${h.describe(rec)}`;
  assert.equal(rec.dom.isolated, 'true', why);
  assert.deepEqual(wasmRequests(rec), [THREADED], `the threaded SIMD binary was chosen. ${why}`);
  assert.notEqual(rec.dom.status, 'done', `the backend must not come up. ${why}`);

  // The app's own stringified-function worker fails (its typeof guard was rewritten); the
  // file worker, which has no guard, still answers.
  assert.match(rec.dom.stringWorker, /^error: (Uncaught )?ReferenceError: \w+ is not defined$/, `stringified-function worker. ${why}`);
  assert.equal(rec.dom.fileWorker, 'ok ["guardmin-probe-worker","guardmin-e2e-file"]', `file worker. ${why}`);

  // Every blob worker (the string worker and the tfjs pthread workers) threw ReferenceError,
  // and nothing else threw.
  const blobWorkers = rec.workers.filter((u) => u.startsWith('blob:'));
  assert.ok(blobWorkers.length >= POOL + 1, `expected ${POOL} pthread workers + the string worker. ${why}`);
  const refErrors = rec.workerErrors.filter((e) => /^ReferenceError: \w+ is not defined$/.test(e.text));
  assert.equal(refErrors.length, rec.workerErrors.length, `only ReferenceErrors. ${why}`);
  const failed = new Set(refErrors.map((e) => e.worker));
  assert.deepEqual(blobWorkers.filter((u) => !failed.has(u)), [], `every blob worker threw ReferenceError. ${why}`);
  // In the page, only Emscripten's worker.onerror rethrowing each dead pthread worker's
  // ErrorEvent (after its "worker sent an error!" warning).
  assert.ok(rec.pageErrors.length >= 1 && rec.pageErrors.every((e) => e.text === 'Error: ErrorEvent'), `page errors. ${why}`);
  t.diagnostic(`oxc build ${b.seconds.toFixed(1)} s; ${refErrors.length} worker ReferenceErrors from ${failed.size} blob workers, e.g. "${refErrors[0].text}"; string worker: ${rec.dom.stringWorker}`);
});
