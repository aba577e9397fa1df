// Shared machinery of the browser end-to-end tests: preflight checks, a real nginx on
// 127.0.0.1, Debian's Chromium driven by playwright-core, and a page run that records
// everything a person would want to see when it breaks.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEPS = path.join(ROOT, 'target/e2e-deps/node_modules');
export const CHROMIUM = '/usr/bin/chromium';
export const NGINX = '/usr/sbin/nginx';
export const GUARDMIN = process.env.GUARDMIN_BIN || path.join(ROOT, 'target/release/guardmin');

const INSTALL_HINT = 'run scripts/install-e2e.sh (installs Debian chromium + nginx-light and the pinned npm packages into target/e2e-deps)';

/** Throws one error naming everything that is missing. Never skips. */
export function preflight() {
  const missing = [];
  if (!isExecutable(CHROMIUM)) missing.push(`${CHROMIUM} (Debian package chromium)`);
  if (!isExecutable(NGINX)) missing.push(`${NGINX} (Debian package nginx-light)`);
  for (const pkg of ['playwright-core', 'terser', '@swc/core', 'oxc-minify', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm']) {
    if (!fs.existsSync(path.join(DEPS, pkg, 'package.json'))) missing.push(`target/e2e-deps/node_modules/${pkg}`);
  }
  const problems = missing.length ? [`missing: ${missing.join(', ')}; ${INSTALL_HINT}`] : [];
  if (!isExecutable(GUARDMIN)) problems.push(`missing: ${GUARDMIN}; run cargo build --release (or set GUARDMIN_BIN)`);
  if (problems.length) throw new Error(`e2e preflight failed:\n  ${problems.join('\n  ')}`);
}

function isExecutable(p) {
  try { fs.accessSync(p, fs.constants.X_OK); return fs.statSync(p).isFile(); } catch { return false; }
}

const require = createRequire(path.join(DEPS, 'noop.js'));
export const depRequire = (name) => require(name);
export const depPath = (rel) => path.join(DEPS, rel);

export function tempDir(tag) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `guardmin-e2e-${tag}-`));
}

/** Runs a program, returns {status, stdout, stderr}; never throws on a non-zero exit. */
export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000, ...opts });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts Debian's nginx in the foreground (`daemon off;`) as a child of this process, with a
 * config written to `dir`: every path it writes (pid, logs, temp files) lies in `dir`. Serves
 * `docroot` on 127.0.0.1:<free port> with the cross-origin isolation headers.
 */
export async function startNginx(dir, docroot) {
  for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) fs.mkdirSync(path.join(dir, 'tmp', sub), { recursive: true });
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const conf = path.join(dir, 'nginx.conf');
    fs.writeFileSync(conf, nginxConf(dir, docroot, port));
    const errorLog = path.join(dir, 'error.log');
    const child = spawn(NGINX, ['-p', dir, '-c', conf, '-e', errorLog], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    let exited = null;
    // If this process ends without after() (a crash, a test timeout), take nginx along.
    const reap = () => { if (!exited) child.kill('SIGKILL'); };
    process.on('exit', reap);
    child.on('exit', (code, signal) => { exited = { code, signal }; process.off('exit', reap); });
    const url = `http://127.0.0.1:${port}/`;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !exited) {
      try {
        const res = await fetch(url + 'healthz.txt');
        if (res.ok) {
          return {
            url,
            port,
            dir,
            accessLog: path.join(dir, 'access.log'),
            errorLog,
            stop: () => stopChild(child, () => exited),
          };
        }
      } catch { /* not listening yet */ }
      await sleep(100);
    }
    if (!exited) await stopChild(child, () => exited);
    lastError = `${output}\n${readIfExists(errorLog)}`;
    if (!/Address already in use/.test(lastError)) break;
  }
  throw new Error(`nginx did not start:\n${lastError}`);
}

async function stopChild(child, exited) {
  if (exited()) return;
  child.kill('SIGQUIT'); // graceful shutdown
  for (let i = 0; i < 50 && !exited(); i++) await sleep(100);
  if (!exited()) child.kill('SIGKILL');
  for (let i = 0; i < 20 && !exited(); i++) await sleep(100);
}

export function readIfExists(p) {
  try { return fs.readFileSync(p, 'utf8'); } catch { return ''; }
}

function nginxConf(dir, docroot, port) {
  const t = (sub) => path.join(dir, 'tmp', sub);
  // The master runs as whoever runs the tests; as root its workers would switch to `nobody`,
  // which cannot read a 0700 temp dir, so they stay root there (127.0.0.1 only).
  const user = process.getuid && process.getuid() === 0 ? 'user root;\n' : '';
  return `# written by tests/e2e/lib/harness.mjs
${user}daemon off;
master_process on;
worker_processes 1;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} warn;
events { worker_connections 128; }
http {
  types {
    text/html html;
    text/javascript js mjs;
    application/json json map;
    application/wasm wasm;
    text/plain txt;
  }
  default_type application/octet-stream;
  access_log ${path.join(dir, 'access.log')};
  client_body_temp_path ${t('client_body')};
  proxy_temp_path ${t('proxy')};
  fastcgi_temp_path ${t('fastcgi')};
  uwsgi_temp_path ${t('uwsgi')};
  scgi_temp_path ${t('scgi')};
  sendfile on;
  server {
    listen 127.0.0.1:${port};
    server_name localhost;
    root ${docroot};
    etag off;
    add_header Cross-Origin-Opener-Policy same-origin always;
    add_header Cross-Origin-Embedder-Policy require-corp always;
    add_header Cross-Origin-Resource-Policy same-origin always;
    add_header Cache-Control no-store always;
  }
}
`;
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches Debian's Chromium with a fresh user-data-dir; returns the persistent context. */
export async function launchChromium(userDataDir) {
  const { chromium } = depRequire('playwright-core');
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
}

/**
 * Opens `url` in a new page of `context` and records what a person debugging it would want:
 * console messages of the page and of every worker, page errors, worker errors, the workers
 * that started, and every request and response. Waits until the page writes #status ("done"
 * or "error"), or `until(rec)` holds, or `timeoutMs` passes.
 *
 * Worker errors: playwright-core attaches to every dedicated worker of the page (CDP
 * Target.setAutoAttach, flatten) and reports an uncaught exception in a worker
 * (Runtime.exceptionThrown on the worker's session) as a `pageerror` of the page; its stack
 * names the worker's script URL. So a page error whose stack names a worker URL is filed under
 * `workerErrors`, everything else under `pageErrors`.
 *
 * `hardwareConcurrency` overrides navigator.hardwareConcurrency through CDP
 * (Emulation.setHardwareConcurrencyOverride) before the page loads.
 */
export async function runPage(context, url, { timeoutMs = 60_000, until = null, hardwareConcurrency = 0, probeWorkers = null } = {}) {
  const page = await context.newPage();
  const rec = {
    url,
    console: [],      // {from: 'page'|'worker', type, text}
    pageErrors: [],   // uncaught in the page's own scripts: {text, stack}
    workerErrors: [], // uncaught in a worker: {text, stack, worker}
    workers: [],      // URLs of the dedicated workers the page started
    requests: [],     // URLs
    responses: [],    // {url, status, headers}
    failed: [],       // requests that failed
    dom: null,        // {id: text} of every [data-out] element
    probes: null,     // probeWorkers' answer per worker
    timedOut: false,
  };
  const liveWorkers = [];
  page.on('console', (m) => rec.console.push({ from: 'page', type: m.type(), text: m.text() }));
  page.on('worker', (w) => {
    rec.workers.push(w.url());
    liveWorkers.push(w);
    w.on('console', (m) => rec.console.push({ from: 'worker', type: m.type(), text: m.text() }));
  });
  page.on('pageerror', (e) => {
    const err = { text: `${e.name || 'Error'}: ${e.message}`, stack: String(e.stack || '') };
    const worker = rec.workers.find((u) => err.stack.includes(u));
    if (worker) rec.workerErrors.push({ ...err, worker });
    else rec.pageErrors.push(err);
  });
  page.on('request', (r) => rec.requests.push(r.url()));
  page.on('requestfailed', (r) => rec.failed.push(`${r.url()} ${r.failure() && r.failure().errorText}`));
  page.on('response', (r) => rec.responses.push({ url: r.url(), status: r.status(), headers: r.headers() }));

  const cdp = await context.newCDPSession(page);
  if (hardwareConcurrency) {
    await cdp.send('Emulation.setHardwareConcurrencyOverride', { hardwareConcurrency });
  }

  const deadline = Date.now() + timeoutMs;
  try {
    await page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
    for (;;) {
      const status = await page.locator('#status').textContent({ timeout: 5_000 }).catch(() => null);
      if (status === 'done' || status === 'error') break;
      if (until && until(rec)) break;
      if (Date.now() > deadline) { rec.timedOut = true; break; }
      await sleep(200);
    }
    rec.dom = await page.evaluate(() => {
      const o = {};
      for (const el of document.querySelectorAll('[data-out]')) o[el.id] = el.textContent;
      return o;
    });
    if (probeWorkers) {
      // A worker blocked in Atomics.wait (a pthread parked in its pool) cannot answer: give
      // each a short time and call it 'busy'.
      rec.probes = await Promise.all(liveWorkers.map((w) => Promise.race([
        w.evaluate(probeWorkers).catch((e) => `error: ${e.message.split('\n')[0]}`),
        sleep(2_000).then(() => 'busy'),
      ])));
    }
  } finally {
    await cdp.detach().catch(() => {});
    await page.close().catch(() => {});
  }
  return rec;
}

/** Every error-looking thing a run logged, page and workers together. */
export function errorsOf(rec) {
  return [
    ...rec.pageErrors.map((e) => `page error: ${e.text}`),
    ...rec.workerErrors.map((e) => `worker error (${e.worker}): ${e.text}`),
    ...rec.console.filter((m) => m.type === 'error' || m.type === 'warning').map((m) => `console.${m.type} (${m.from}): ${m.text}`),
    ...rec.failed.map((t) => `request failed: ${t}`),
  ];
}

/** A readable account of a run, for assertion messages. */
export function describe(rec) {
  return JSON.stringify({
    url: rec.url,
    dom: rec.dom,
    timedOut: rec.timedOut,
    workers: rec.workers.length,
    probes: rec.probes,
    errors: errorsOf(rec).slice(0, 30),
    console: rec.console.slice(0, 30),
    responses: rec.responses.filter((r) => !r.url.startsWith('blob:')).map((r) => `${r.status} ${r.url}`),
  }, null, 2);
}

/** The tfjs WASM binaries each built app loads from its `wasm/` folder. */
export const TFJS_WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/**
 * Serves built apps (`builds[name].dist`, each with the tfjs WASM files of `wasmOut` in its
 * `wasm/` folder) from one nginx with COOP/COEP, sets `builds[name].url`, and starts
 * Chromium. Temporary folders go to `dirs` (the caller removes them). Returns
 * `{ nginx, context }`.
 */
export async function serveBuilds(tag, builds, wasmOut, dirs) {
  const tmp = tempDir(`${tag}-site`);
  dirs.push(tmp);
  fs.chmodSync(tmp, 0o755);
  const www = path.join(tmp, 'www');
  fs.mkdirSync(www);
  fs.writeFileSync(path.join(www, 'healthz.txt'), 'ok\n');
  for (const [n, b] of Object.entries(builds)) {
    const site = path.join(www, n);
    fs.cpSync(b.dist, site, { recursive: true });
    fs.mkdirSync(path.join(site, 'wasm'));
    for (const w of TFJS_WASM_FILES) fs.copyFileSync(path.join(wasmOut, w), path.join(site, 'wasm', w));
  }
  const nginxDir = tempDir(`${tag}-nginx`);
  dirs.push(nginxDir);
  const nginx = await startNginx(nginxDir, www);
  for (const [n, b] of Object.entries(builds)) b.url = `${nginx.url}${n}/`;
  const profile = tempDir(`${tag}-profile`);
  dirs.push(profile);
  const context = await launchChromium(profile);
  return { nginx, context };
}
