// Issue 15, Must-show 5 and 6: the bundler's own minifier plus the plugins' `minify: 'repair'`
// runs threaded tfjs in Chromium.
//
// The app of vite-app.test.mjs (tests/e2e/vite-app/: tfjs-core + tfjs-backend-wasm@4.22.0 with
// setThreadsCount(2) and two matMuls, the plugin tests' stringified-function worker and file
// worker) is built three times, in target/e2e-repair/<name>/ with node_modules linked to
// target/plugin-deps/node_modules:
//   vite-repair     vite@8 with its default minifier (Oxc) and guardmin({ minify: 'repair' })
//   webpack-repair  webpack 5, mode production (terser), and
//                   optimization.minimizer: ['...', new GuardminPlugin({ minify: 'repair' })]
//   webpack-terser  webpack 5 with terser alone, the negative control: every blob worker (the
//                   tfjs pthreads and the stringified-function worker) throws ReferenceError
// (Vite 8's Oxc alone is vite-app.test.mjs's negative control.) Each dist/ plus the three
// .wasm files is served by nginx with COOP/COEP and opened in Debian's Chromium through
// lib/harness.mjs. The webpack builds name their files [name].[contenthash:8].js; the page
// loads the entry by the name webpack gave it.
//
// Run alone: cargo build --release && scripts/install-e2e.sh && scripts/install-plugin-deps.sh
//            && node --test tests/e2e/repair-apps.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as h from './lib/harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const APP_SRC = path.join(HERE, 'vite-app');
const PLUGIN_APP_SRC = path.join(h.ROOT, 'npm/test/app/src');
const PLUGIN_DEPS = path.join(h.ROOT, 'target/plugin-deps/node_modules');
const BUILD_ROOT = path.join(h.ROOT, 'target/e2e-repair');
const VITE8 = path.join(PLUGIN_DEPS, 'vite8/bin/vite.js');
const WEBPACK = path.join(PLUGIN_DEPS, 'webpack-cli/bin/cli.js');
const THREADED = 'tfjs-backend-wasm-threaded-simd.wasm';
const POOL = 8; // Emscripten's pthread pool in tfjs-backend-wasm 4.22
const HARDWARE_CONCURRENCY = 4; // so that tfjs's cap (hardwareConcurrency / 2) allows 2 threads
const KEEP = process.env.GUARDMIN_E2E_KEEP === '1';

const webpackConfig = (minimizer) => `const path = require('node:path');
const GuardminPlugin = require('guardmin/webpack');
module.exports = {
  mode: 'production',
  context: __dirname,
  entry: './src/e2e-main.js',
  output: { path: path.resolve(__dirname, 'dist'), filename: '[name].[contenthash:8].js', publicPath: 'auto', clean: true },
  optimization: { minimizer: ${minimizer} },
  performance: { hints: false },
};
`;

const BUILDS = {
  'vite-repair': {
    tool: 'vite',
    config: `import guardmin from 'guardmin/vite';
export default { base: './', logLevel: 'warn', plugins: [guardmin({ minify: 'repair' })] };
`,
  },
  'webpack-repair': { tool: 'webpack', config: webpackConfig("['...', new GuardminPlugin({ minify: 'repair' })]") },
  'webpack-terser': { tool: 'webpack', config: webpackConfig("['...']") },
};

const env = { dirs: [], nginx: null, context: null, builds: {}, runs: {} };

function preflightBuilds() {
  const missing = ['vite8', 'webpack', 'webpack-cli', 'guardmin', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm'].filter(
    (pkg) => !fs.existsSync(path.join(PLUGIN_DEPS, pkg, 'package.json')),
  );
  if (missing.length) {
    throw new Error(`e2e preflight failed:\n  missing in target/plugin-deps/node_modules: ${missing.join(', ')}; run scripts/install-plugin-deps.sh`);
  }
}

function runAsync(cmd, args, opts) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

/** A fresh copy of the app in target/e2e-repair/<name>, built; its dist/ gets an index.html that loads what was built. */
async function buildApp(name, { tool, config }) {
  const dir = path.join(BUILD_ROOT, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  fs.copyFileSync(path.join(APP_SRC, 'index.html'), path.join(dir, 'index.html'));
  fs.copyFileSync(path.join(APP_SRC, 'src/e2e-main.js'), path.join(dir, 'src/e2e-main.js'));
  for (const f of ['string-worker.js', 'worker.js']) fs.copyFileSync(path.join(PLUGIN_APP_SRC, f), path.join(dir, 'src', f));
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "name": "guardmin-e2e-repair-app", "private": true, "type": "module" }\n');
  fs.symlinkSync(path.relative(dir, PLUGIN_DEPS), path.join(dir, 'node_modules'), 'dir');
  const configFile = tool === 'vite' ? 'vite.config.mjs' : 'webpack.config.cjs';
  fs.writeFileSync(path.join(dir, configFile), config);
  const buildEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', GUARDMIN_BINARY: h.GUARDMIN };
  const args = tool === 'vite' ? [VITE8, 'build', '--config', configFile] : [WEBPACK, '--config', configFile, '--no-color'];
  const r = await runAsync(process.execPath, args, { cwd: dir, env: buildEnv });
  assert.equal(r.code, 0, `${tool} build (${name}) failed in ${dir}:\n${r.output}`);
  const dist = path.join(dir, 'dist');
  const js = fs.readdirSync(dist, { recursive: true }).filter((f) => f.endsWith('.js')).map((f) => path.join(dist, f));
  if (tool === 'webpack') {
    const entry = js.find((f) => /(^|\/)main\.[0-9a-f]{8}\.js$/.test(f));
    assert.ok(entry, `no main.[contenthash].js in ${dist}: ${js.join(', ')}`);
    const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
    const page = html.replace('<script type="module" src="/src/e2e-main.js"></script>', `<script src="./${path.basename(entry)}"></script>`);
    assert.notEqual(page, html, 'the page loads the bundle');
    fs.writeFileSync(path.join(dist, 'index.html'), page);
  }
  return { dir, dist, js, output: r.output };
}

before(async () => {
  h.preflight();
  preflightBuilds();
  const names = Object.keys(BUILDS);
  const built = await Promise.all(names.map((n) => buildApp(n, BUILDS[n])));
  names.forEach((n, i) => (env.builds[n] = built[i]));

  const wasmOut = path.join(PLUGIN_DEPS, '@tensorflow/tfjs-backend-wasm/wasm-out');
  Object.assign(env, await h.serveBuilds('repair', env.builds, wasmOut, env.dirs));
}, { timeout: 300_000 });

after(async () => {
  if (env.context) await env.context.close().catch(() => {});
  if (env.nginx) await env.nginx.stop();
  if (KEEP) console.log(`# GUARDMIN_E2E_KEEP=1: kept ${env.dirs.join(' ')} (builds in ${BUILD_ROOT})`);
  else for (const d of env.dirs) fs.rmSync(d, { recursive: true, force: true });
});

const probeWorkers = () => (typeof Module === 'object' && Module !== null && typeof Module._pthread_self === 'function' ? 'loaded' : `not loaded (${typeof Module})`);
const wasmRequests = (rec) => rec.requests.filter((u) => u.endsWith('.wasm')).map((u) => path.basename(new URL(u).pathname));

/** Everything vite-app.test.mjs requires of a working build: threaded tfjs, both app workers, no error anywhere. */
async function assertRunsThreaded(t, name, repairedRe) {
  const b = env.builds[name];
  const scan = h.run(h.GUARDMIN, ['scan', ...b.js]);
  assert.equal(scan.status, 0, `guardmin scan of ${name}:\n${scan.stdout}\n${scan.stderr}`);
  const main = b.js.map((f) => fs.readFileSync(f, 'utf8')).find((c) => /WasmBackendModuleThreadedSimd/.test(c));
  assert.ok(main, `${name}: the tfjs WASM backend is bundled`);
  assert.match(main, repairedRe, `${name}: the minifier's guard, repaired into a typeof test`);

  const rec = await h.runPage(env.context, b.url, { hardwareConcurrency: HARDWARE_CONCURRENCY, probeWorkers });
  const why = `${name}:\n${h.describe(rec)}\nnginx logs: ${env.nginx.dir}`;
  assert.equal(rec.timedOut, false, `page did not finish. ${why}`);
  assert.equal(rec.dom.status, 'done', `page reported an error. ${why}`);
  assert.equal(rec.dom.isolated, 'true', `crossOriginIsolated. ${why}`);
  assert.equal(rec.dom.stringWorker, 'ok {"echo":"guardmin-e2e-string","base":""}', `stringified-function worker. ${why}`);
  assert.equal(rec.dom.fileWorker, 'ok ["guardmin-probe-worker","guardmin-e2e-file"]', `file worker. ${why}`);
  assert.equal(rec.dom.backend, 'wasm', why);
  assert.equal(rec.dom.threads, '2', `getThreadsCount(). ${why}`);
  assert.equal(rec.dom.result, '[19,22,43,50]', `matMul 2x2. ${why}`);
  assert.ok(Number(rec.dom.bigdiff) < 1e-4, `matMul 96x96 differs from plain JS by ${rec.dom.bigdiff}. ${why}`);
  assert.deepEqual(wasmRequests(rec), [THREADED], `wasm files fetched. ${why}`);
  const blobWorkers = rec.workers.filter((u) => u.startsWith('blob:'));
  assert.ok(blobWorkers.length >= POOL + 1, `expected ${POOL} pthread workers + the string worker. ${why}`);
  const pthreads = rec.probes.filter((p) => p === 'loaded' || p === 'busy').length;
  assert.ok(pthreads >= POOL && rec.probes.includes('loaded'), `pthread workers that loaded the module: ${pthreads}. ${why}`);
  assert.deepEqual(h.errorsOf(rec), [], `errors logged. ${why}`);
  t.diagnostic(`${name}: ${main.length} bytes of tfjs bundle; workers ${rec.workers.length}; probes ${rec.probes.join(',')}`);
}

test("vite 8 (Oxc) + guardmin({ minify: 'repair' }): the app runs threaded in Chromium, no page or worker error", { timeout: 90_000 }, async (t) => {
  await assertRunsThreaded(t, 'vite-repair', /typeof [\w$]+<"u"&&[\w$]+&&\([\w$]+=[\w$]+\)/);
});

test("webpack 5 (terser) + GuardminPlugin({ minify: 'repair' }): the app runs threaded in Chromium, [contenthash] names of the bytes served", { timeout: 90_000 }, async (t) => {
  const b = env.builds['webpack-repair'];
  assert.match(b.output, /LOG from GuardminPlugin\n<i> repaired \d+ reads? in main\./, b.output);
  const createHash = createRequire(path.join(PLUGIN_DEPS, 'noop.js'))('webpack/lib/util/createHash');
  for (const f of b.js) {
    const hash = /\.([0-9a-f]{8})\.js$/.exec(f)[1];
    const digest = createHash('md4').update(fs.readFileSync(f, 'utf8').split(hash).join('')).digest('hex');
    assert.equal(digest.slice(0, 8), hash, `${f}: named by the hash of its bytes`);
  }
  const plainNames = env.builds['webpack-terser'].js.map((f) => path.basename(f)).sort();
  assert.notDeepEqual(b.js.map((f) => path.basename(f)).sort(), plainNames, 'the repaired entry has a name of its own');
  await assertRunsThreaded(t, 'webpack-repair', /typeof [\w$]+<"u"&&[\w$]+&&\([\w$]+=[\w$]+\)/);
});

test('webpack 5 with terser alone: every blob worker throws ReferenceError (the negative control)', { timeout: 90_000 }, async (t) => {
  const b = env.builds['webpack-terser'];
  const scan = h.run(h.GUARDMIN, ['scan', ...b.js]);
  assert.equal(scan.status, 1, `guardmin scan reports terser's build:\n${scan.stdout}\n${scan.stderr}`);
  const rec = await h.runPage(env.context, b.url, {
    hardwareConcurrency: HARDWARE_CONCURRENCY,
    timeoutMs: 30_000,
    until: (r) => {
      const blobs = r.workers.filter((u) => u.startsWith('blob:'));
      return blobs.length >= POOL + 1 && blobs.every((u) => r.workerErrors.some((e) => e.worker === u));
    },
  });
  const why = `webpack-terser:\n${h.describe(rec)}`;
  assert.notEqual(rec.dom.status, 'done', `the backend must not come up. ${why}`);
  assert.match(rec.dom.stringWorker, /^error: (Uncaught )?ReferenceError: \w+ is not defined$/, `stringified-function worker. ${why}`);
  const blobWorkers = rec.workers.filter((u) => u.startsWith('blob:'));
  assert.ok(blobWorkers.length >= POOL + 1, why);
  const failed = new Set(rec.workerErrors.filter((e) => /^ReferenceError: \w+ is not defined$/.test(e.text)).map((e) => e.worker));
  assert.deepEqual(blobWorkers.filter((u) => !failed.has(u)), [], `every blob worker threw ReferenceError. ${why}`);
  t.diagnostic(`webpack-terser: ${failed.size} blob workers threw ReferenceError; string worker: ${rec.dom.stringWorker}`);
});
