// Shared by the plugin tests: where things are, running real builds in child processes,
// `guardmin scan` on what they emitted, and source-map look-ups.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PKG = path.join(REPO, 'npm');
export const APP = path.join(PKG, 'test/app');
export const DEPS = path.join(REPO, 'target/plugin-deps');
/** The repository's release build, which the linked package finds by itself. */
export const REPO_GUARDMIN = path.join(REPO, 'target/release/guardmin');
/**
 * The binary under test: the release build, or GUARDMIN_TEST_BINARY (e.g. a debug build or
 * a patched one elsewhere), which is then also handed to the builds as GUARDMIN_BINARY.
 */
export const GUARDMIN = process.env.GUARDMIN_TEST_BINARY ? path.resolve(process.env.GUARDMIN_TEST_BINARY) : REPO_GUARDMIN;

/** Fails early, with the command to run, when the tests cannot work. */
export function checkSetup() {
  if (!fs.existsSync(path.join(DEPS, 'node_modules/guardmin'))) {
    throw new Error('target/plugin-deps is not installed: run scripts/install-plugin-deps.sh');
  }
  if (!fs.existsSync(GUARDMIN)) {
    throw new Error(`${GUARDMIN} is missing: run cargo build --release`);
  }
}

const depsRequire = createRequire(path.join(DEPS, 'package.json'));
export const requireDep = (name) => depsRequire(name);

/** A fresh copy of the test app under target/plugin-deps/apps, where its imports resolve. */
export function prepareApp(name) {
  const dir = path.join(DEPS, 'apps', name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(APP, dir, { recursive: true });
  return dir;
}

// eslint-disable-next-line no-control-regex
export const stripAnsi = (s) => s.replace(/\u001b\[[0-9;]*m/g, '');

/**
 * The environment builds run in: no colour, and no GUARDMIN_BINARY (so the package finds the
 * repository's build) unless GUARDMIN_TEST_BINARY or the test sets one.
 */
export function buildEnv(extra = {}) {
  const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
  delete env.GUARDMIN_BINARY;
  if (process.env.GUARDMIN_TEST_BINARY) env.GUARDMIN_BINARY = GUARDMIN;
  return { ...env, ...extra };
}

/** Runs a command; resolves with its exit code and output (never rejects on failure). */
export function run(cmd, args, { cwd, env = buildEnv(), timeout = 240_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeout);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      stdout = stripAnsi(stdout);
      stderr = stripAnsi(stderr);
      const note = timedOut ? `\n[killed: still running after ${timeout / 1000} s]` : '';
      resolve({ code, signal, timedOut, stdout, stderr, output: `${stdout}\n${stderr}${note}` });
    });
  });
}

/** `vite build` of the CLI of vite 7 or 8 in `dir`, with `config` as its vite.config.mjs. */
export function viteBuild(major, dir, config, opts = {}) {
  fs.writeFileSync(path.join(dir, 'vite.config.mjs'), config);
  const bin = path.join(DEPS, `node_modules/vite${major}/bin/vite.js`);
  return run(process.execPath, [bin, 'build', '--config', 'vite.config.mjs'], { cwd: dir, ...opts });
}

/** The webpack CLI in `dir`, with `config` as its webpack.config.cjs. */
export function webpackBuild(dir, config, opts = {}) {
  fs.writeFileSync(path.join(dir, 'webpack.config.cjs'), config);
  const bin = path.join(DEPS, 'node_modules/webpack-cli/bin/cli.js');
  return run(process.execPath, [bin, '--config', 'webpack.config.cjs', '--no-color'], { cwd: dir, ...opts });
}

/** Every JavaScript file under `dir`. */
export function jsFiles(dir) {
  return fs
    .readdirSync(dir, { recursive: true })
    .map((f) => path.join(dir, f))
    .filter((f) => /\.[cm]?js$/.test(f) && fs.statSync(f).isFile())
    .sort();
}

/** `guardmin scan --format json` over `paths`: the parsed report and the exit code. */
export async function scan(paths) {
  const r = await run(GUARDMIN, ['scan', '--format', 'json', ...paths], { env: process.env });
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`guardmin scan printed no JSON (exit ${r.code}):\n${r.output}`);
  }
  return { ...report, code: r.code };
}

/** 1-based line of `src/<file>` in the app that contains `needle`. */
export function sourceLine(file, needle) {
  const lines = fs.readFileSync(path.join(APP, 'src', file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${needle} not in ${file}`);
  return i + 1;
}

/**
 * Where `needle` sits in the emitted `file` (1-based line, 0-based column) and what its
 * source map (`file.map`) says the original position is.
 */
export function traceNeedle(file, needle) {
  const { TraceMap, originalPositionFor } = requireDep('@jridgewell/trace-mapping');
  const code = fs.readFileSync(file, 'utf8');
  const at = code.indexOf(needle);
  if (at < 0) throw new Error(`${needle} not in ${file}`);
  const before = code.slice(0, at);
  const line = before.split('\n').length;
  const column = at - (before.lastIndexOf('\n') + 1);
  const map = new TraceMap(fs.readFileSync(`${file}.map`, 'utf8'));
  return { line, column, original: originalPositionFor(map, { line, column }) };
}

/** Lines of build output that look like a JavaScript stack trace. */
export const stackLines = (output) => output.split('\n').filter((l) => /^\s+at\s+\S/.test(l));

/**
 * The guards a minifier broke in the test app, as `guardmin scan` reports them through the
 * source maps: Emscripten's `_scriptDir` in the tfjs threaded glue and the app's own
 * `scriptUrl` (string-worker.js). Either rule may name them: `emscripten-script-dir` (from
 * the code alone) or `guard-lost` (through the map).
 */
export function assertBrokenGuards(report) {
  assert.equal(report.code, 1, 'guardmin scan exits 1 on errors');
  const named = new Set(
    report.findings
      .filter((f) => f.severity === 'error' && f.original && ['emscripten-script-dir', 'guard-lost'].includes(f.rule))
      .map((f) => `${path.basename(f.original.file)}:${f.original.name}`),
  );
  for (const want of ['tfjs-backend-wasm-threaded-simd.js:_scriptDir', 'string-worker.js:scriptUrl']) {
    assert.ok(named.has(want), `no broken-guard finding for ${want}; found: ${[...named].join(', ')}`);
  }
}

/**
 * A stand-in for the guardmin binary that records each start in `log` and runs the real one,
 * to count the processes a build starts.
 */
export function countingBinary(dir) {
  const log = path.join(dir, 'guardmin-starts.log');
  const bin = path.join(dir, 'guardmin-counting');
  fs.writeFileSync(bin, `#!/bin/sh\necho "$*" >> '${log}'\nexec '${GUARDMIN}' "$@"\n`, { mode: 0o755 });
  return { bin, starts: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []) };
}

/** What makes `guardmin scan` fail: its errors and warnings (infos are advice only). */
export const problems = (report) => report.findings.filter((f) => f.severity === 'error' || f.severity === 'warning');
