#!/usr/bin/env node
// The guardmin benchmark (issue 4). bench/run.sh installs and builds what this needs, then runs
//
//   node bench/bench.mjs
//
// It copies the 11-bundle corpus (../shared/FINDINGS.md) into target/bench/corpus, then runs
// every tool over the whole corpus, interleaved (for each round: every tool once, in a fixed
// order), each run a separate process under GNU time for CPU time and peak RSS. After each
// run it hashes the outputs; byte counts, gzip -9 and brotli sizes and a `guardmin scan` of the
// outputs are computed (untimed) once per distinct output. It writes bench/results/latest.md
// (the table a person reads, and the issue's "Must show" checks with PASS/FAIL) and
// bench/results/latest.json (every run's raw numbers, medians, machine and versions).
//
// Environment:
//   BENCH_ROUNDS=3         rounds (the issue asks for at least 3)
//   BENCH_TOOLS=a,b        run only these tools (ids as in the table), e.g. for a quick check
//   BENCH_FILES=a.js,b.js  use only these corpus files (basenames), e.g. for a quick check
//   BENCH_BROTLI_QUALITY=11
//   BENCH_TIMEOUT_S=900    per run
//   BENCH_WORK=target/bench, BENCH_RESULTS=bench/results, BENCH_TIME=/usr/bin/time
//
// Exit code: 0 when every run succeeded (the checks may still FAIL: read the table), 1 when a
// run failed or an output was missing, 2 on usage or a missing install.

import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(import.meta.url);
const BENCH = path.dirname(SCRIPT);
const ROOT = path.resolve(BENCH, '..');
const NODE_MODULES = path.join(ROOT, 'target', 'npm', 'node_modules');
const WORK = path.resolve(ROOT, process.env.BENCH_WORK || 'target/bench');
const RESULTS = path.resolve(ROOT, process.env.BENCH_RESULTS || 'bench/results');
const TIME = process.env.BENCH_TIME || '/usr/bin/time';
const ROUNDS = intEnv('BENCH_ROUNDS', 3);
const BROTLI_Q = intEnv('BENCH_BROTLI_QUALITY', 11);
const TIMEOUT_S = intEnv('BENCH_TIMEOUT_S', 900);
const ONLY = process.env.BENCH_TOOLS ? process.env.BENCH_TOOLS.split(',').map((s) => s.trim()).filter(Boolean) : null;
const BUILT_GUARDMIN = path.join(ROOT, 'target', 'dist', 'guardmin');
const BUILT_BASELINE = path.join(ROOT, 'target', 'dist', 'examples', 'parse_baseline');
const BUILT_FLOOR = path.join(ROOT, 'target', 'dist', 'examples', 'engine_floor');
const FILES = process.env.BENCH_FILES ? process.env.BENCH_FILES.split(',').map((s) => s.trim()).filter(Boolean) : null;
const PEER = path.join(BENCH, 'peer.mjs');

const CORPUS_DIR = path.join(WORK, 'corpus');
const MANIFEST = path.join(WORK, 'corpus.json');
const OUT = path.join(WORK, 'out');
const CACHE = path.join(WORK, 'cache');
// The binaries are copied here first, so that a rebuild during the run cannot swap them.
const GUARDMIN = path.join(WORK, 'bin', 'guardmin');
const BASELINE = path.join(WORK, 'bin', 'parse_baseline');
const FLOOR = path.join(WORK, 'bin', 'engine_floor');

// FINDINGS' corpus: package, version, file. Only three.core.js is an ES module.
const CORPUS = [
  ['antd', '5.29.3', 'antd/dist/antd.js'],
  ['d3', '7.9.2', 'd3/dist/d3.js'],
  ['echarts', '6.1.0', 'echarts/dist/echarts.js'],
  ['jquery', '4.0.0', 'jquery/dist/jquery.js'],
  ['lodash', '4.18.1', 'lodash/lodash.js'],
  ['moment', '2.31.0', 'moment/moment.js'],
  ['react-dom', '18.3.1', 'react-dom/cjs/react-dom.development.js'],
  ['@tensorflow/tfjs-backend-wasm', '4.22.0', '@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.js'],
  ['three', '0.187.0', 'three/build/three.core.js', true],
  ['typescript', '5.9.3', 'typescript/lib/typescript.js'],
  ['vue', '3.5.45', 'vue/dist/vue.global.js'],
].map(([pkg, version, rel, esm]) => ({ pkg, version, rel, esm: !!esm }));
const PEERS = { terser: '5.51.2', esbuild: '0.28.2', '@swc/core': '1.16.22', 'oxc-minify': '0.157.0' };

function intEnv(name, dflt) {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) die(`${name} must be a positive integer, not ${JSON.stringify(v)}`);
  return n;
}

function die(msg) {
  console.error(`bench: ${msg}`);
  process.exit(2);
}

function log(msg) {
  console.error(`bench: ${msg}`);
}

function sh(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function sha256(buf) {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

function writeAtomic(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

// ---------------------------------------------------------------------------------------------
// Setup

function checkInstall() {
  const hint = 'run bench/run.sh (it installs the pinned packages with scripts/install-npm.sh and builds guardmin)';
  for (const [pkg, want] of Object.entries({ ...PEERS, ...Object.fromEntries(CORPUS.map((c) => [c.pkg, c.version])) })) {
    const manifest = path.join(NODE_MODULES, pkg, 'package.json');
    if (!fs.existsSync(manifest)) die(`${pkg} is not installed in ${NODE_MODULES}; ${hint}`);
    const have = JSON.parse(fs.readFileSync(manifest, 'utf8')).version;
    if (have !== want) die(`${pkg} is ${have} in ${NODE_MODULES}, pinned ${want}; ${hint}`);
  }
  for (const bin of [BUILT_GUARDMIN, BUILT_BASELINE, BUILT_FLOOR]) if (!fs.existsSync(bin)) die(`${bin} is missing; ${hint}`);
  if (!fs.existsSync(TIME)) die(`${TIME} (GNU time) is missing; apt-get install time`);
}

function copyBinaries() {
  fs.mkdirSync(path.dirname(GUARDMIN), { recursive: true });
  const out = {};
  for (const [from, to] of [[BUILT_GUARDMIN, GUARDMIN], [BUILT_BASELINE, BASELINE], [BUILT_FLOOR, FLOOR]]) {
    fs.rmSync(to, { force: true });
    fs.copyFileSync(from, to);
    fs.chmodSync(to, 0o755);
    out[path.basename(to)] = { built: path.relative(ROOT, from), mtime: fs.statSync(from).mtime.toISOString(), sha256: sha256(fs.readFileSync(to)) };
  }
  return out;
}

function prepareCorpus() {
  fs.rmSync(CORPUS_DIR, { recursive: true, force: true });
  fs.mkdirSync(CORPUS_DIR, { recursive: true });
  const files = [];
  const picked = FILES ? CORPUS.filter((c) => FILES.includes(path.basename(c.rel))) : CORPUS;
  if (FILES && picked.length !== FILES.length) die(`BENCH_FILES: known names are ${CORPUS.map((c) => path.basename(c.rel)).join(', ')}`);
  for (const c of picked) {
    const src = path.join(NODE_MODULES, c.rel);
    const dst = path.join(CORPUS_DIR, path.basename(c.rel));
    if (files.some((f) => f.path === dst)) die(`two corpus files named ${path.basename(c.rel)}`);
    const buf = fs.readFileSync(src);
    fs.writeFileSync(dst, buf);
    files.push({ name: path.basename(c.rel), pkg: c.pkg, version: c.version, source: c.rel, path: dst,
      esm: c.esm, bytes: buf.length, sha256: sha256(buf) });
  }
  writeAtomic(MANIFEST, JSON.stringify({ files }, null, 2) + '\n');
  return files;
}

function guardminFlags() {
  const help = sh(GUARDMIN, ['minify', '--help']) || '';
  return { cacheDir: help.includes('--cache-dir'), noCache: help.includes('--no-cache') };
}

// ---------------------------------------------------------------------------------------------
// Tools. kind: minify (writes OUT/<id>/), scan (guardmin scan of the corpus), parse (baseline).

function defineTools(flags, corpusFiles) {
  const noCache = flags.noCache ? ['--no-cache'] : [];
  const gm = (id, extra, desc, more = {}) => ({
    id, kind: 'minify', guardmin: true, desc,
    argv: (out) => [GUARDMIN, 'minify', CORPUS_DIR, '--out-dir', out, '-q', ...extra], ...more,
  });
  const peer = (id, desc) => ({ id, kind: 'minify', peer: true, desc, argv: (out) => [process.execPath, PEER, id, MANIFEST, out] });
  const tools = [
    gm('guardmin', noCache, '`guardmin minify DIR --out-dir OUT -q`' + (flags.noCache ? ' `--no-cache`' : '') + ', default threads'),
    peer('swc', '@swc/core `minify`, all files at once (Promise.all), `compress: {}`, `mangle: true`'),
    peer('oxc', 'oxc-minify `minify` (async), all files at once, `compress: true`, `mangle: true`'),
    peer('esbuild', 'esbuild: one `build` call, all files as entry points, `minify: true`, no bundle'),
    gm('guardmin-no-comments', [...noCache, '--comments', 'none'], 'guardmin as above, `--comments none`: the comment policy of @swc/core\'s default (it drops every comment), for the size comparison', { variant: true }),
    gm('guardmin-j1', [...noCache, '-j1'], 'guardmin as above, `-j1`'),
    gm('guardmin-j2', [...noCache, '-j2'], 'guardmin as above, `-j2`'),
    { id: 'engine-floor', kind: 'floor', desc: '`engine_floor` example: swc_ecma_minifier inside guardmin with everything guardmin adds switched off (no guards, no self-check, no map, nothing written), default threads, its own timer',
      argv: () => [FLOOR, ...corpusFiles.map((f) => f.path)] },
    { id: 'parse-baseline', kind: 'parse', desc: '`parse_baseline` example: swc parse only, one thread (its own timer)',
      argv: () => [BASELINE, ...corpusFiles.map((f) => f.path)] },
    { id: 'scan-j1', kind: 'scan', desc: '`guardmin scan -j1 --format json DIR`',
      argv: () => [GUARDMIN, 'scan', '-j1', '--format', 'json', CORPUS_DIR] },
    { id: 'scan', kind: 'scan', desc: '`guardmin scan --format json DIR`, default threads',
      argv: () => [GUARDMIN, 'scan', '--format', 'json', CORPUS_DIR] },
  ];
  if (flags.cacheDir) {
    tools.push(
      gm('guardmin-cache-cold', ['--cache-dir', CACHE], 'guardmin `--cache-dir D`, D emptied first (cold)',
        { outName: 'guardmin-cache', before: () => fs.rmSync(CACHE, { recursive: true, force: true }) }),
      // The same command again (same output directory, emptied first so that every output is
      // written anew from the cache).
      gm('guardmin-cache-warm', ['--cache-dir', CACHE], 'the same command again, corpus unchanged (warm); OUT emptied first',
        { outName: 'guardmin-cache', after: 'guardmin-cache-cold' }),
    );
  }
  tools.push(
    peer('terser-workers', 'terser `minify` in worker_threads, one per CPU, biggest file first'),
    peer('terser', 'terser `minify`, one file after another, `compress: {}`, `mangle: true`'),
  );
  if (!ONLY) return tools;
  const unknown = ONLY.filter((id) => !tools.some((t) => t.id === id));
  if (unknown.length) die(`unknown tool(s) in BENCH_TOOLS: ${unknown.join(', ')}; known: ${tools.map((t) => t.id).join(', ')}`);
  const picked = tools.filter((t) => ONLY.includes(t.id));
  const warm = picked.find((t) => t.after);
  if (warm && !picked.some((t) => t.id === warm.after)) die(`${warm.id} needs ${warm.after} in BENCH_TOOLS`);
  return picked;
}

// Untimed: every tool once over the smallest corpus file, so that the first timed run does not
// pay for loading binaries and node modules from disk.
function warmUp(tools, corpus) {
  const small = [...corpus].sort((a, b) => a.bytes - b.bytes)[0];
  const dir = path.join(WORK, 'warmup');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const manifest = path.join(dir, 'corpus.json');
  fs.writeFileSync(manifest, JSON.stringify({ files: [small] }));
  for (const t of tools) {
    let argv;
    if (t.peer) argv = [process.execPath, PEER, t.id, manifest, path.join(dir, t.id)];
    else if (t.kind === 'minify') argv = [GUARDMIN, 'minify', small.path, '-o', path.join(dir, `${t.id}.js`), '-q', ...(flagsCache.noCache ? ['--no-cache'] : [])];
    else if (t.kind === 'scan') argv = [GUARDMIN, 'scan', '--format', 'json', small.path];
    else if (t.kind === 'floor') argv = [FLOOR, small.path];
    else argv = [BASELINE, small.path];
    const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (r.status !== 0 && !(t.kind === 'scan' && r.status === 1)) log(`warm-up of ${t.id} failed (status ${r.status}): ${(r.stderr || '').slice(-1000)}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}
let flagsCache = { noCache: false };

// ---------------------------------------------------------------------------------------------
// Running and measuring

const TIME_FILE = path.join(WORK, 'time.txt');

function timed(argv) {
  fs.rmSync(TIME_FILE, { force: true });
  const load1 = os.loadavg()[0];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(TIME, ['-f', '%e %U %S %M', '-o', TIME_FILE, ...argv], {
    encoding: 'utf8', maxBuffer: 1 << 30, timeout: TIMEOUT_S * 1000, cwd: ROOT,
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  let m = null;
  try {
    const lines = fs.readFileSync(TIME_FILE, 'utf8').trim().split('\n');
    m = lines[lines.length - 1].match(/^([\d.]+) ([\d.]+) ([\d.]+) (\d+)$/);
  } catch {}
  return {
    status: r.status, signal: r.signal, error: r.error ? String(r.error) : undefined,
    wall_s: roundTo(wall, 4),
    time_wall_s: m ? Number(m[1]) : null,
    user_s: m ? Number(m[2]) : null,
    sys_s: m ? Number(m[3]) : null,
    cpu_s: m ? roundTo(Number(m[2]) + Number(m[3]), 3) : null,
    rss_kib: m ? Number(m[4]) : null,
    load1_before: roundTo(load1, 2),
    stdout: r.stdout || '',
    stderr: r.stderr || '',
  };
}

function roundTo(x, d) {
  const k = 10 ** d;
  return Math.round(x * k) / k;
}

function readOutputs(dir) {
  const files = {};
  let bytes = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && /\.(m|c)?js$/.test(e.name)) {
        const buf = fs.readFileSync(p);
        files[path.relative(dir, p)] = { bytes: buf.length, sha256: sha256(buf) };
        bytes += buf.length;
      }
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  const hash = sha256(Object.entries(files).map(([n, f]) => `${n}:${f.sha256}\n`).join(''));
  return { files, bytes, count: Object.keys(files).length, hash };
}

// gzip -9: GNU gzip itself when it is there (`gzip -9 -n`: no file name in the header, so sizes
// do not depend on names; FINDINGS' figures kept the name, 6-20 bytes a file more), else zlib
// level 9 (about 0.25% bigger on this corpus than GNU gzip's deflate).
const GZIP = ['/usr/bin/gzip', '/bin/gzip'].find((p) => fs.existsSync(p)) || null;
function gzipSize(file, buf) {
  if (GZIP) {
    const r = spawnSync(GZIP, ['-9', '-n', '-c', file], { maxBuffer: 1 << 30 });
    if (r.status === 0) return r.stdout.length;
    log(`gzip failed on ${file}; using zlib`);
  }
  return zlib.gzipSync(buf, { level: 9 }).length;
}

const compressed = new Map(); // sha256 -> {gzip, brotli}
function compressSizes(file, sha) {
  if (!compressed.has(sha)) {
    const buf = fs.readFileSync(file);
    compressed.set(sha, {
      gzip: gzipSize(file, buf),
      brotli: zlib.brotliCompressSync(buf, {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_Q, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
      }).length,
    });
  }
  return compressed.get(sha);
}

function summarizeScan(stdout, status) {
  let j;
  try {
    j = JSON.parse(stdout);
  } catch {
    return { status, parsed: false, errors: null, warnings: null, by_file: {} };
  }
  const byFile = {};
  let errors = 0;
  let warnings = 0;
  for (const f of j.findings || []) {
    // Notes (info, like threaded-wasm) describe a bundle; they are neither errors nor warnings.
    if (f.severity !== 'error' && f.severity !== 'warning') continue;
    const name = path.basename(f.file);
    (byFile[name] ||= { errors: 0, warnings: 0, rules: {} });
    if (f.severity === 'error') errors++, byFile[name].errors++;
    else warnings++, byFile[name].warnings++;
    byFile[name].rules[f.rule] = (byFile[name].rules[f.rule] || 0) + 1;
  }
  return { status, parsed: true, files_scanned: j.files_scanned, errors, warnings, by_file: byFile };
}

const scans = new Map(); // output-set hash -> scan summary
function scanOutputs(dir, hash) {
  if (!scans.has(hash)) {
    const r = spawnSync(GUARDMIN, ['scan', '--format', 'json', dir], { encoding: 'utf8', maxBuffer: 1 << 30 });
    scans.set(hash, summarizeScan(r.stdout, r.status));
  }
  return scans.get(hash);
}

function median(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

// ---------------------------------------------------------------------------------------------

function machine() {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = (cpuinfo.match(/^model name\s*:\s*(.*)$/m) || [])[1] || os.cpus()[0]?.model || 'unknown';
  const pkgVersion = (p) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(NODE_MODULES, p, 'package.json'), 'utf8')).version;
    } catch {
      return null;
    }
  };
  // The results of an earlier run do not make the code being measured "uncommitted".
  const dirty = sh('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)bench/results']);
  return {
    date: new Date().toISOString(),
    hostname: os.hostname(),
    nproc: Number(sh('nproc', [])) || os.cpus().length,
    cpu_model: model,
    mem_total_gib: roundTo(os.totalmem() / 2 ** 30, 1),
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    rustc: sh('rustc', ['--version']),
    guardmin: sh(GUARDMIN, ['--version']),
    git_commit: sh('git', ['-C', ROOT, 'rev-parse', 'HEAD']),
    git_dirty: dirty === null ? null : dirty.length > 0,
    versions: Object.fromEntries(Object.keys(PEERS).map((p) => [p, pkgVersion(p)])),
  };
}

function main() {
  if (process.argv.length > 2) die('no arguments; configure with BENCH_ROUNDS, BENCH_TOOLS (see the header of bench/bench.mjs)');
  checkInstall();
  fs.mkdirSync(WORK, { recursive: true });
  fs.mkdirSync(RESULTS, { recursive: true });
  const binaries = copyBinaries();
  const corpus = prepareCorpus();
  const corpusBytes = corpus.reduce((s, f) => s + f.bytes, 0);
  const flags = guardminFlags();
  flagsCache = flags;
  const tools = defineTools(flags, corpus);
  const notes = [];
  if (!flags.cacheDir) notes.push('`guardmin minify` has no `--cache-dir` yet: the cache runs were skipped.');
  if (!flags.noCache) notes.push('`guardmin minify` has no `--no-cache` yet: the plain guardmin runs ran without it.');
  const info = machine();
  const loadStart = os.loadavg();
  log(`${corpus.length} files, ${corpusBytes.toLocaleString('en-US')} bytes; ${ROUNDS} round(s) of ${tools.map((t) => t.id).join(', ')}`);
  log(`load average ${loadStart.map((x) => x.toFixed(2)).join(' ')} on ${info.nproc} CPUs`);
  if (loadStart[0] > 0.5) log('the machine is busy: timings from this run are not meaningful');

  warmUp(tools, corpus);
  const results = Object.fromEntries(tools.map((t) => [t.id, { runs: [] }]));
  let failures = 0;
  const t0 = Date.now();
  for (let rnd = 1; rnd <= ROUNDS; rnd++) {
    for (const t of tools) {
      const out = path.join(OUT, t.outName || t.id);
      if (t.kind === 'minify') {
        fs.rmSync(out, { recursive: true, force: true });
        fs.mkdirSync(out, { recursive: true });
      }
      if (t.before) t.before();
      const r = timed(t.argv(out));
      const run = { round: rnd, ...r };
      delete run.stdout;
      delete run.stderr;
      if (r.status !== 0 && !(t.kind === 'scan' && r.status === 1)) {
        failures++;
        run.stderr_tail = r.stderr.slice(-4000);
        log(`${t.id} round ${rnd} failed (status ${r.status}${r.signal ? `, ${r.signal}` : ''}${r.error ? `, ${r.error}` : ''}):\n${r.stderr.slice(-2000)}`);
      }
      if (t.kind === 'minify') {
        const o = readOutputs(out);
        run.out_bytes = o.bytes;
        run.out_files = o.count;
        run.out_hash = o.hash;
        if (o.count !== corpus.length) {
          failures++;
          log(`${t.id} round ${rnd}: ${o.count} outputs, expected ${corpus.length}`);
        }
        if (t.peer) {
          try {
            const p = JSON.parse(r.stdout.trim().split('\n').pop());
            run.load_s = round3(p.load_ms / 1000);
            run.work_s = round3(p.work_ms / 1000);
          } catch {}
        }
        // Sizes and the scan once per distinct output (later rounds normally reproduce round 1).
        const res = results[t.id];
        if (!res.outputs || res.outputs.hash !== o.hash) {
          if (res.outputs) log(`${t.id}: round ${rnd} output differs from an earlier round's`);
          const files = {};
          let gzip = 0;
          let brotli = 0;
          for (const [name, f] of Object.entries(o.files)) {
            const c = compressSizes(path.join(out, name), f.sha256);
            files[name] = { ...f, ...c };
            gzip += c.gzip;
            brotli += c.brotli;
          }
          res.outputs = { hash: o.hash, bytes: o.bytes, gzip, brotli, count: o.count, files, scan: scanOutputs(out, o.hash) };
          (res.distinct_outputs ||= []).push(o.hash);
        }
      } else if (t.kind === 'scan') {
        const s = summarizeScan(r.stdout, r.status);
        run.findings = { errors: s.errors, warnings: s.warnings };
        if (!s.parsed) {
          failures++;
          log(`${t.id} round ${rnd}: no JSON on stdout`);
        }
        results[t.id].corpus_scan = s;
      } else if (t.kind === 'parse' || t.kind === 'floor') {
        try {
          const p = JSON.parse(r.stdout.trim());
          run.internal_s = p.seconds;
          run.internal_mb_per_s = p.mb_per_s;
          if (p.bytes !== corpusBytes) log(`${t.id} counted ${p.bytes} bytes, corpus has ${corpusBytes}`);
        } catch {
          failures++;
          log(`${t.id} round ${rnd}: no JSON on stdout`);
        }
      }
      results[t.id].runs.push(run);
      const extra = run.work_s != null ? ` (work ${run.work_s.toFixed(2)} s)` : run.internal_s != null ? ` (parse ${run.internal_s.toFixed(3)} s)` : '';
      log(`round ${rnd}/${ROUNDS} ${t.id.padEnd(20)} ${r.wall_s.toFixed(2)} s wall${extra}, ${r.cpu_s} s CPU, ${Math.round((r.rss_kib || 0) / 1024)} MiB, load ${run.load1_before}`);
    }
  }
  const loadEnd = os.loadavg();

  // Medians.
  for (const t of tools) {
    const res = results[t.id];
    const m = (k) => median(res.runs.map((r) => r[k]));
    res.median = {
      wall_s: m('wall_s'), cpu_s: m('cpu_s'), user_s: m('user_s'), sys_s: m('sys_s'), rss_kib: m('rss_kib'),
      ...(t.peer ? { load_s: m('load_s'), work_s: m('work_s') } : {}),
      ...(t.kind === 'parse' || t.kind === 'floor' ? { internal_s: m('internal_s') } : {}),
    };
    res.max_rss_kib = Math.max(...res.runs.map((r) => r.rss_kib || 0));
    if (t.kind !== 'minify') {
      res.mb_per_s = res.median.wall_s ? roundTo(corpusBytes / 1e6 / res.median.wall_s, 2) : null;
      if (t.kind === 'parse') res.internal_mb_per_s = res.median.internal_s ? roundTo(corpusBytes / 1e6 / res.median.internal_s, 2) : null;
    }
  }

  const checks = mustShow(tools, results, corpus, flags);
  const report = {
    schema: 1,
    binaries,
    machine: { ...info, load_average_start: loadStart.map((x) => roundTo(x, 2)), load_average_end: loadEnd.map((x) => roundTo(x, 2)) },
    config: { rounds: ROUNDS, tools: tools.map((t) => t.id), brotli_quality: BROTLI_Q, gzip: GZIP ? `${GZIP} -9 -n` : 'node zlib level 9', only: ONLY, files: FILES },
    duration_s: roundTo((Date.now() - t0) / 1000, 1),
    corpus: { bytes: corpusBytes, files: corpus.map(({ path: p, ...f }) => f) },
    tools: Object.fromEntries(tools.map((t) => [t.id, { kind: t.kind, desc: t.desc, argv: t.argv(path.join(OUT, t.outName || t.id)).map((a) => a.startsWith(ROOT) ? path.relative(ROOT, a) : a), ...results[t.id] }])),
    checks,
    notes,
  };
  writeAtomic(path.join(RESULTS, 'latest.json'), JSON.stringify(report, null, 2) + '\n');
  writeAtomic(path.join(RESULTS, 'latest.md'), markdown(report, tools));
  log(`wrote ${path.relative(ROOT, path.join(RESULTS, 'latest.md'))} and latest.json in ${report.duration_s} s`);
  for (const c of checks) log(`${c.pass === true ? 'PASS' : c.pass === false ? 'FAIL' : 'n/a '} ${c.id}. ${c.title}: ${c.value}`);
  process.exit(failures ? 1 : 0);
}

function round3(x) {
  return Number.isFinite(x) ? roundTo(x, 3) : null;
}

// The issue's "Must show" list.
function mustShow(tools, results, corpus, flags) {
  const has = (id) => tools.some((t) => t.id === id) && results[id].runs.length > 0;
  const med = (id, k) => (has(id) ? results[id].median[k] : null);
  const checks = [];
  const add = (id, title, value, pass, detail) => checks.push({ id, title, value, pass, detail });
  const fmtR = (x) => (x == null ? 'n/a' : x.toFixed(3));

  // 1. guardmin wall <= 0.67 x @swc/core's, gzip <= swc + 0.1%.
  {
    const g = med('guardmin', 'wall_s');
    const sw = med('swc', 'wall_s');
    const swWork = med('swc', 'work_s');
    // Sizes compare like for like: @swc/core drops every comment by default, guardmin keeps
    // license comments by default, so the size check uses guardmin `--comments none` (the
    // default's size is reported beside it).
    const gzDefault = has('guardmin') ? results.guardmin.outputs.gzip : null;
    const gz = has('guardmin-no-comments') ? results['guardmin-no-comments'].outputs.gzip : gzDefault;
    const sgz = has('swc') ? results.swc.outputs.gzip : null;
    const r = g && swWork ? g / swWork : null;
    const rProc = g && sw ? g / sw : null;
    const gzOk = gz != null && sgz != null ? gz <= sgz * 1.001 : null;
    add('1', 'guardmin wall / @swc/core wall <= 0.67, and gzip bytes <= @swc/core + 0.1%',
      `${fmtR(r)} (vs swc's work time without node start-up; ${fmtR(rProc)} vs its whole process); gzip ${fmt(gz)} (\`--comments none\`, swc's comment policy) vs ${fmt(sgz)} (${gz && sgz ? pct(gz / sgz - 1) : 'n/a'}); with license comments kept (guardmin's default) ${fmt(gzDefault)} (${gzDefault && sgz ? pct(gzDefault / sgz - 1) : 'n/a'})`,
      r == null || gzOk == null ? null : r <= 0.67 && gzOk, { ratio_work: r, ratio_process: rProc, gzip: gz, swc_gzip: sgz });
  }
  // 2. guardmin wall <= 2 x oxc's.
  {
    const g = med('guardmin', 'wall_s');
    const ow = med('oxc', 'work_s');
    const op = med('oxc', 'wall_s');
    const r = g && ow ? g / ow : null;
    add('2', 'guardmin wall / oxc-minify wall <= 2',
      `${fmtR(r)} (vs oxc's work time; ${fmtR(g && op ? g / op : null)} vs its whole process)`, r == null ? null : r <= 2,
      { ratio_work: r, ratio_process: g && op ? g / op : null });
  }
  // 3. Peak RSS < 1 GiB (the highest of every guardmin minify run).
  {
    const gm = tools.filter((t) => t.guardmin && has(t.id));
    const peak = gm.length ? Math.max(...gm.map((t) => results[t.id].max_rss_kib)) : null;
    add('3', 'peak RSS of guardmin minify < 1 GiB', peak == null ? 'n/a' : `${(peak / 1024).toFixed(0)} MiB (highest of ${gm.map((t) => t.id).join(', ')}, every round)`,
      peak == null ? null : peak < 1024 * 1024, { peak_kib: peak });
  }
  // 4. Scan throughput >= 0.8 x parse-only baseline (scan -j1 whole process vs the parse loop's own timer).
  {
    const s = has('scan-j1') ? results['scan-j1'].mb_per_s : null;
    const b = has('parse-baseline') ? results['parse-baseline'].internal_mb_per_s : null;
    const bp = has('parse-baseline') ? results['parse-baseline'].mb_per_s : null;
    const r = s && b ? s / b : null;
    const sd = has('scan') ? results.scan.mb_per_s : null;
    add('4', 'scan throughput / parse-only baseline >= 0.8',
      `${fmtR(r)}: scan -j1 ${s ?? 'n/a'} MB/s (whole process) vs parse ${b ?? 'n/a'} MB/s (parse loop alone; ${bp ?? 'n/a'} MB/s whole process, ratio ${fmtR(s && bp ? s / bp : null)}); scan with default threads ${sd ?? 'n/a'} MB/s`,
      r == null ? null : r >= 0.8, { ratio: r, scan_j1_mb_s: s, scan_mb_s: sd, baseline_mb_s: b, baseline_process_mb_s: bp });
  }
  // 5. -j2 throughput >= 1.7 x -j1.
  {
    const j1 = med('guardmin-j1', 'wall_s');
    const j2 = med('guardmin-j2', 'wall_s');
    const r = j1 && j2 ? j1 / j2 : null;
    add('5', '-j2 throughput / -j1 >= 1.7', `${fmtR(r)} (-j1 ${j1?.toFixed(2) ?? 'n/a'} s, -j2 ${j2?.toFixed(2) ?? 'n/a'} s)`, r == null ? null : r >= 1.7, { ratio: r });
  }
  // 6. Warm cache <= 5% of cold, byte-identical.
  {
    if (!flags.cacheDir || !has('guardmin-cache-cold') || !has('guardmin-cache-warm')) {
      add('6', 'warm cache wall / cold <= 0.05, outputs byte-identical', flags.cacheDir ? 'not run' : 'not run: guardmin has no --cache-dir yet', null, {});
    } else {
      const c = med('guardmin-cache-cold', 'wall_s');
      const w = med('guardmin-cache-warm', 'wall_s');
      const r = c && w ? w / c : null;
      const cold = results['guardmin-cache-cold'];
      const warm = results['guardmin-cache-warm'];
      const hashes = new Set([...cold.runs, ...warm.runs].map((x) => x.out_hash));
      const plain = has('guardmin') ? results.guardmin.outputs.hash : null;
      const identical = hashes.size === 1 && (plain == null || hashes.has(plain));
      add('6', 'warm cache wall / cold <= 0.05, outputs byte-identical',
        `${fmtR(r)} (cold ${c?.toFixed(2)} s, warm ${w?.toFixed(3)} s); outputs ${identical ? 'byte-identical' : 'DIFFER'} (warm vs cold every round${plain ? ', and vs --no-cache' : ''})`,
        r == null ? null : r <= 0.05 && identical, { ratio: r, identical });
    }
  }
  // 7. Every guardmin output passes scan; which peers fail.
  {
    const gm = tools.filter((t) => t.guardmin && has(t.id));
    const bad = gm.filter((t) => {
      const s = results[t.id].outputs.scan;
      return !s.parsed || s.errors !== 0 || s.status !== 0 || results[t.id].outputs.count !== corpus.length;
    });
    const peers = tools.filter((t) => t.peer && has(t.id));
    const failing = peers.filter((t) => results[t.id].outputs.scan.errors !== 0).map((t) => `${t.id} (${failingFiles(results[t.id].outputs.scan)})`);
    const passing = peers.filter((t) => results[t.id].outputs.scan.errors === 0).map((t) => t.id);
    // Every guardmin run with the default options must write the same bytes (the
    // `--comments none` variant writes fewer, on purpose).
    const sameBytes = new Set(gm.filter((t) => !t.variant).map((t) => results[t.id].outputs.hash)).size <= 1;
    add('7', 'every guardmin output passes `guardmin scan`; peers that fail',
      `${gm.length ? (bad.length ? `FAILS: ${bad.map((t) => t.id).join(', ')}` : `all ${gm.length} guardmin runs pass`) : 'n/a'}${gm.length > 1 ? `, outputs ${sameBytes ? 'byte-identical across the guardmin runs with default options' : 'DIFFER between guardmin runs with default options'}` : ''}; peers failing: ${failing.join(', ') || 'none'}; peers passing: ${passing.join(', ') || 'none'}`,
      gm.length ? bad.length === 0 && sameBytes : null, { failing_guardmin: bad.map((t) => t.id), peers_failing: failing, peers_passing: passing, guardmin_outputs_identical: sameBytes });
  }
  return checks;
}

function failingFiles(scan) {
  if (!scan.parsed) return 'scan gave no JSON';
  return Object.entries(scan.by_file).filter(([, f]) => f.errors).map(([n, f]) => `${n}: ${Object.keys(f.rules).join('+')}`).join('; ');
}

function fmt(n) {
  return n == null ? 'n/a' : n.toLocaleString('en-US');
}

function pct(x) {
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`;
}

function markdown(r, tools) {
  const m = r.machine;
  const L = [];
  const t = r.tools;
  const s2 = (x) => (x == null ? 'n/a' : x.toFixed(2));
  L.push('# guardmin benchmark: latest run', '');
  L.push(`Written by \`bench/run.sh\` (bench/bench.mjs) on ${m.date}. Raw numbers, every round: \`latest.json\`.`, '');
  if (r.config.rounds < 3) L.push(`**${r.config.rounds} round(s) only: a smoke run, not a result (the issue asks for at least 3).**`, '');
  if (m.load_average_start[0] > 0.5) L.push(`**The machine was busy (load average ${m.load_average_start.join(', ')} at the start, ${m.load_average_end.join(', ')} at the end, on ${m.nproc} CPUs): these timings are not meaningful.**`, '');
  if (r.config.files) L.push(`**Only these corpus files were used: ${r.config.files.join(', ')}; the checks below do not apply to a partial corpus.**`, '');
  if (r.config.only) L.push(`Only these tools were run: ${r.config.only.join(', ')}.`, '');
  for (const n of r.notes) L.push(`Note: ${n}`, '');
  L.push(`Machine: ${m.nproc} CPUs (${m.cpu_model}), ${m.mem_total_gib} GiB, ${m.kernel}; load average ${m.load_average_start.join(' ')} at the start, ${m.load_average_end.join(' ')} at the end.`);
  L.push(`Versions: ${m.guardmin} (commit ${m.git_commit ? m.git_commit.slice(0, 12) : 'n/a'}${m.git_dirty ? ', uncommitted changes' : ''}), ${m.rustc}, node ${m.node}, ${Object.entries(m.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`);
  L.push(`Corpus: ${r.corpus.files.length} files, ${fmt(r.corpus.bytes)} bytes (${r.corpus.files.map((f) => `${f.pkg} ${f.version}`).join(', ')}). ${r.config.rounds} round(s), tools interleaved in each round; ${r.duration_s} s in all.`, '');

  L.push('## Minify, whole corpus (medians)', '');
  L.push('| tool | wall s | work s | CPU s | peak RSS MiB | output bytes | gzip -9 bytes | brotli bytes | `guardmin scan` |');
  L.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const tool of tools.filter((x) => x.kind === 'minify')) {
    const x = t[tool.id];
    if (!x.runs.length) continue;
    const o = x.outputs;
    const sc = o.scan;
    const scanCell = !sc.parsed ? 'no result' : sc.errors ? `**FAIL**: ${sc.errors} error(s) in ${failingFiles(sc)}` : `pass${sc.warnings ? ` (${sc.warnings} warning(s))` : ''}`;
    L.push(`| ${tool.id} | ${s2(x.median.wall_s)} | ${x.median.work_s != null ? s2(x.median.work_s) : ''} | ${s2(x.median.cpu_s)} | ${x.median.rss_kib ? Math.round(x.median.rss_kib / 1024) : 'n/a'} | ${fmt(o.bytes)} | ${fmt(o.gzip)} | ${fmt(o.brotli)} | ${scanCell} |`);
  }
  L.push('');
  L.push('wall: the whole process (node start-up and module loading included for the peers), measured around the spawn. ' +
    'work: for the node peers, the time from the minifier loaded (terser-workers: every worker started) to the last output written: ' +
    'reading, minifying, writing. CPU: user + system of the process and its children (GNU time). Peak RSS: GNU time `%M`. ' +
    `gzip: \`${r.config.gzip}\`; brotli: node zlib, quality ${r.config.brotli_quality}, window 22; both per file, summed. Output sizes, compression and the scan come from the first round; ` +
    'later rounds are checked to give the same bytes (sha256).', '');
  L.push('esbuild note: esbuild\'s `build` API with `minify` defines `process.env.NODE_ENV` as `"production"` (as its CLI does), so react-dom\'s development build shrinks to its license comment; its total is not comparable file for file. See the per-file table.', '');

  L.push('| tool | how it runs |', '| --- | --- |');
  for (const tool of tools) L.push(`| ${tool.id} | ${tool.desc} |`);
  L.push('');

  if (t['engine-floor']?.runs.length) {
    const x = t['engine-floor'];
    const sw = t.swc?.runs.length ? t.swc.median.work_s : null;
    const g = t.guardmin?.runs.length ? t.guardmin.median.wall_s : null;
    L.push('## Engine floor (medians)', '');
    L.push('What swc_ecma_minifier alone costs inside guardmin (same options, threads and allocator; no guards, no self-check, no source map, nothing written): the least any guardmin built on this engine can take.', '');
    L.push('| tool | wall s | minify loop s | CPU s | peak RSS MiB | loop / @swc/core work | guardmin wall / loop |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    const loop = x.median.internal_s;
    L.push(`| engine-floor | ${s2(x.median.wall_s)} | ${s2(loop)} | ${s2(x.median.cpu_s)} | ${x.median.rss_kib ? Math.round(x.median.rss_kib / 1024) : 'n/a'} | ${loop && sw ? (loop / sw).toFixed(3) : 'n/a'} | ${loop && g ? (g / loop).toFixed(3) : 'n/a'} |`, '');
  }

  L.push('## Scan throughput (medians)', '');
  L.push('| tool | wall s | CPU s | peak RSS MiB | MB/s | findings in the corpus |', '| --- | ---: | ---: | ---: | ---: | --- |');
  for (const tool of tools.filter((x) => x.kind === 'scan' || x.kind === 'parse')) {
    const x = t[tool.id];
    if (!x.runs.length) continue;
    const mbs = tool.kind === 'parse' ? `${x.mb_per_s} (parse loop alone: ${x.internal_mb_per_s})` : `${x.mb_per_s}`;
    const f = tool.kind === 'scan' && x.corpus_scan?.parsed ? `${x.corpus_scan.errors} error(s), ${x.corpus_scan.warnings} warning(s)` : '';
    L.push(`| ${tool.id} | ${s2(x.median.wall_s)} | ${s2(x.median.cpu_s)} | ${x.median.rss_kib ? Math.round(x.median.rss_kib / 1024) : 'n/a'} | ${mbs} | ${f} |`);
  }
  L.push('', `MB = 10^6 bytes of corpus (${fmt(r.corpus.bytes)} bytes) / median wall time of the whole process; the baseline also reports its own timer around the parse loop (files already read).`, '');

  L.push('## Must show (issue 4)', '');
  L.push('| # | check | result | measured |', '| --- | --- | --- | --- |');
  for (const c of r.checks) L.push(`| ${c.id} | ${c.title} | ${c.pass === true ? 'PASS' : c.pass === false ? '**FAIL**' : 'n/a'} | ${c.value} |`);
  L.push('', 'Ratios 1 and 2 divide guardmin\'s whole-process wall time by the peer\'s *work* time (without node start-up and module loading), the stricter reading; the whole-process ratio is shown beside it. Ratio 4 divides `scan -j1` (whole process, reading files included) by the baseline\'s parse loop alone, also the stricter reading.', '');

  L.push('## Per file: output bytes / gzip -9 bytes', '');
  const minify = tools.filter((x) => x.kind === 'minify' && t[x.id].runs.length && !/^guardmin-/.test(x.id));
  L.push(`| file | input bytes | ${minify.map((x) => x.id).join(' | ')} |`);
  L.push(`| --- | ---: | ${minify.map(() => '---:').join(' | ')} |`);
  for (const f of r.corpus.files) {
    const cells = minify.map((x) => {
      const o = t[x.id].outputs.files[f.name];
      return o ? `${fmt(o.bytes)} / ${fmt(o.gzip)}` : 'missing';
    });
    L.push(`| ${f.name} | ${fmt(f.bytes)} | ${cells.join(' | ')} |`);
  }
  L.push('');
  L.push('## Every round', '');
  L.push(`| tool | ${Array.from({ length: r.config.rounds }, (_, i) => `round ${i + 1} wall s (load)`).join(' | ')} |`);
  L.push(`| --- | ${Array.from({ length: r.config.rounds }, () => '---:').join(' | ')} |`);
  for (const tool of tools) {
    const x = t[tool.id];
    L.push(`| ${tool.id} | ${x.runs.map((u) => `${u.wall_s.toFixed(2)} (${u.load1_before})`).join(' | ')} |`);
  }
  L.push('');
  return L.join('\n');
}

main();
