#!/usr/bin/env node
// Minifies the 11-bundle corpus (../shared/FINDINGS.md) with the peer minifiers, pinned in
// scripts/npm/package.json and installed by scripts/install-npm.sh into target/npm:
//
//   node scripts/peers.mjs OUTDIR
//
// writes OUTDIR/<config>/<name>.js for every config and corpus file, plus OUTDIR/corpus.json
// (name -> input path relative to target/npm/node_modules, and which file is an ES module).
//
// | config               | call                                                                      |
// | -------------------- | ------------------------------------------------------------------------- |
// | terser               | terser.minify(code, {compress: {}, mangle: true, module: isESM})          |
// | terser-typeofs-false | terser.minify(code, {compress: {typeofs: false}, mangle: true, module})   |
// | swc                  | swc.minify(code, {compress: {typeofs: false}, mangle: true, module})      |
// | oxc                  | oxc.minify(basename, code, {module: isESM, compress: true, mangle: true}) |
// | esbuild              | esbuild.build({entryPoints: [FILE], minify: true, write: false})          |
// | esbuild-transform    | esbuild.transform(code, {minify: true})                                   |
//
// esbuild: `esbuild FILE --minify` (no --bundle, no --format) keeps the file's format as it
// is (ESM stays ESM, a script stays a script; `format: 'esm'` would change jquery). But the CLI
// goes through the build API, which differs from transform on two corpus files: with --minify
// it defines `process.env.NODE_ENV` as "production", so react-dom's development build (all
// inside `if (process.env.NODE_ENV !== "production")`) shrinks to its license comment (251
// bytes); and it honours `"type": "module"` in d3's package.json, so d3's top-level `this`
// becomes `void 0`. `esbuild` is byte-identical to `esbuild FILE --minify` on all 11 files (and
// to FINDINGS' 7,860,636-byte total); `esbuild-transform` minifies the text as it is (full
// react-dom), for more coverage.
// oxc: the file's own basename (`.js`) with `module: false` is parsed and mangled as a script
// (top-level names kept); `module: true` for three's ES module. Only three.core.js is an ES
// module; the rest are scripts, UMD or CommonJS.
//
// Outputs newer than their input and this script are left alone, so a re-run is quick. Writes
// are atomic (temp file + rename). terser runs in worker threads (one per CPU, largest file
// first); swc, oxc and esbuild use their own native threads and run all files at once.
// Exit code 0 when every output exists, 1 when a minifier failed, 2 on usage or a missing
// install.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const SCRIPT = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SCRIPT), '..');
const NODE_MODULES = path.join(ROOT, 'target', 'npm', 'node_modules');

export const CORPUS = [
  ['antd', 'antd/dist/antd.js'],
  ['d3', 'd3/dist/d3.js'],
  ['echarts', 'echarts/dist/echarts.js'],
  ['jquery', 'jquery/dist/jquery.js'],
  ['lodash', 'lodash/lodash.js'],
  ['moment', 'moment/moment.js'],
  ['react-dom', 'react-dom/cjs/react-dom.development.js'],
  ['tfjs-backend-wasm', '@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.js'],
  ['three', 'three/build/three.core.js', { esm: true }],
  ['typescript', 'typescript/lib/typescript.js'],
  ['vue', 'vue/dist/vue.global.js'],
].map(([name, rel, o]) => ({ name, rel, esm: !!(o && o.esm) }));

const PINNED = {
  terser: '5.51.2',
  esbuild: '0.28.2',
  '@swc/core': '1.16.22',
  'oxc-minify': '0.157.0',
  antd: '5.29.3',
  d3: '7.9.2',
  echarts: '6.1.0',
  jquery: '4.0.0',
  lodash: '4.18.1',
  moment: '2.31.0',
  'react-dom': '18.3.1',
  '@tensorflow/tfjs-backend-wasm': '4.22.0',
  three: '0.187.0',
  typescript: '5.9.3',
  vue: '3.5.45',
};

export const CONFIGS = ['terser', 'terser-typeofs-false', 'swc', 'oxc', 'esbuild', 'esbuild-transform'];

const requireNM = createRequire(path.join(NODE_MODULES, 'noop.js'));

async function runConfig(config, job, code) {
  switch (config) {
    case 'terser':
    case 'terser-typeofs-false': {
      const terser = requireNM('terser');
      const compress = config === 'terser' ? {} : { typeofs: false };
      const r = await terser.minify(code, { compress, mangle: true, module: job.esm });
      return r.code;
    }
    case 'swc': {
      const swc = requireNM('@swc/core');
      const r = await swc.minify(code, {
        compress: { typeofs: false },
        mangle: true,
        module: job.esm,
      });
      return r.code;
    }
    case 'oxc': {
      const oxc = requireNM('oxc-minify');
      const r = await oxc.minify(path.basename(job.rel), code, {
        module: job.esm,
        compress: true,
        mangle: true,
      });
      const errors = (r.errors || []).filter((e) => e.severity === 'Error');
      if (errors.length) throw new Error(errors.map((e) => e.message).join('; '));
      return r.code;
    }
    case 'esbuild': {
      const esbuild = requireNM('esbuild');
      const r = await esbuild.build({
        entryPoints: [path.join(NODE_MODULES, job.rel)],
        minify: true,
        write: false,
        logLevel: 'silent',
      });
      if (r.outputFiles.length !== 1) throw new Error(`esbuild gave ${r.outputFiles.length} outputs`);
      return r.outputFiles[0].text;
    }
    case 'esbuild-transform': {
      const esbuild = requireNM('esbuild');
      const r = await esbuild.transform(code, { minify: true });
      return r.code;
    }
    default:
      throw new Error(`unknown config ${config}`);
  }
}

function writeAtomic(file, text) {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

// One job: read, minify, write. Returns {bytes, ms}.
async function doJob(config, job, outFile) {
  const code = fs.readFileSync(path.join(NODE_MODULES, job.rel), 'utf8');
  const t0 = performance.now();
  const out = await runConfig(config, job, code);
  const ms = performance.now() - t0;
  if (typeof out !== 'string' || out.length === 0) throw new Error('empty output');
  writeAtomic(outFile, out);
  return { bytes: Buffer.byteLength(out), ms };
}

if (!isMainThread) {
  parentPort.on('message', async ({ config, job, outFile }) => {
    try {
      parentPort.postMessage({ ok: true, ...(await doJob(config, job, outFile)) });
    } catch (e) {
      parentPort.postMessage({ ok: false, error: String((e && e.stack) || e) });
    }
  });
} else {
  await main();
}

function die(msg) {
  console.error(`peers: ${msg}`);
  process.exit(2);
}

function checkInstall() {
  const hint = 'run scripts/install-npm.sh first (it installs the pinned npm packages into target/npm)';
  if (!fs.existsSync(NODE_MODULES)) die(`${NODE_MODULES} does not exist; ${hint}`);
  for (const [pkg, want] of Object.entries(PINNED)) {
    const manifest = path.join(NODE_MODULES, pkg, 'package.json');
    if (!fs.existsSync(manifest)) die(`${pkg} is not installed in ${NODE_MODULES}; ${hint}`);
    const have = JSON.parse(fs.readFileSync(manifest, 'utf8')).version;
    if (have !== want) die(`${pkg} is ${have} in ${NODE_MODULES}, pinned ${want}; ${hint}`);
  }
  for (const job of CORPUS) {
    if (!fs.existsSync(path.join(NODE_MODULES, job.rel))) die(`corpus file ${job.rel} is missing; ${hint}`);
  }
}

// A small pool of worker threads for terser (pure JS, one core per file).
function makePool(size) {
  const idle = [];
  const waiting = [];
  const all = [];
  for (let i = 0; i < size; i++) {
    const w = new Worker(SCRIPT);
    all.push(w);
    idle.push(w);
  }
  const take = () =>
    idle.length ? Promise.resolve(idle.pop()) : new Promise((resolve) => waiting.push(resolve));
  const give = (w) => (waiting.length ? waiting.shift()(w) : idle.push(w));
  return {
    async run(msg) {
      const w = await take();
      try {
        return await new Promise((resolve, reject) => {
          const onMsg = (m) => {
            w.off('error', onErr);
            m.ok ? resolve(m) : reject(new Error(m.error));
          };
          const onErr = (e) => {
            w.off('message', onMsg);
            reject(e);
          };
          w.once('message', onMsg);
          w.once('error', onErr);
          w.postMessage(msg);
        });
      } finally {
        give(w);
      }
    },
    close: () => Promise.all(all.map((w) => w.terminate())),
  };
}

async function main() {
  const outDir = process.argv[2];
  if (!outDir || process.argv.length > 3 || outDir.startsWith('-')) {
    console.error('usage: node scripts/peers.mjs OUTDIR');
    process.exit(2);
  }
  checkInstall();
  const scriptMtime = fs.statSync(SCRIPT).mtimeMs;

  const stats = Object.fromEntries(
    CONFIGS.map((c) => [c, { done: 0, fresh: 0, failed: [], bytes: 0, ms: 0 }]),
  );
  const tasks = [];
  for (const config of CONFIGS) {
    fs.mkdirSync(path.join(outDir, config), { recursive: true });
    for (const job of CORPUS) {
      const input = path.join(NODE_MODULES, job.rel);
      const outFile = path.join(outDir, config, `${job.name}.js`);
      const st = fs.statSync(input);
      let out = null;
      try {
        out = fs.statSync(outFile);
      } catch {}
      if (out && out.size > 0 && out.mtimeMs > st.mtimeMs && out.mtimeMs > scriptMtime) {
        stats[config].fresh++;
        stats[config].bytes += out.size;
        continue;
      }
      tasks.push({ config, job, outFile, size: st.size });
    }
  }

  const terserTasks = tasks.filter((t) => t.config.startsWith('terser')).sort((a, b) => b.size - a.size);
  const nativeTasks = tasks.filter((t) => !t.config.startsWith('terser'));
  const record = (t, p) =>
    p.then(
      (r) => {
        stats[t.config].done++;
        stats[t.config].bytes += r.bytes;
        stats[t.config].ms += r.ms;
      },
      (e) => {
        stats[t.config].failed.push(t.job.name);
        console.error(`peers: ${t.config} failed on ${t.job.rel}: ${e && e.message ? e.message : e}`);
      },
    );

  const t0 = performance.now();
  const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const pool = terserTasks.length ? makePool(Math.max(1, Math.min(cpus, terserTasks.length))) : null;
  const pending = [
    ...terserTasks.map((t) => record(t, pool.run({ config: t.config, job: t.job, outFile: t.outFile }))),
    // swc, oxc and esbuild spread one call over their own threads; run each config's files at once.
    ...(await (async () => {
      const ps = [];
      for (const config of ['swc', 'oxc', 'esbuild', 'esbuild-transform']) {
        const mine = nativeTasks.filter((t) => t.config === config);
        ps.push(Promise.all(mine.map((t) => record(t, doJob(t.config, t.job, t.outFile)))));
      }
      return ps;
    })()),
  ];
  await Promise.all(pending);
  if (pool) await pool.close();
  try {
    requireNM('esbuild').stop?.();
  } catch {}

  writeAtomic(
    path.join(outDir, 'corpus.json'),
    JSON.stringify(
      { configs: CONFIGS, corpus: CORPUS.map(({ name, rel, esm }) => ({ name, input: rel, esm })) },
      null,
      2,
    ) + '\n',
  );

  let failed = 0;
  for (const config of CONFIGS) {
    const s = stats[config];
    failed += s.failed.length;
    const parts = [`${s.done} minified`, `${s.fresh} up to date`];
    if (s.failed.length) parts.push(`${s.failed.length} FAILED (${s.failed.join(', ')})`);
    const time = s.done ? `, ${(s.ms / 1000).toFixed(1)} s minifier time` : '';
    console.log(
      `${config.padEnd(20)} ${CORPUS.length} files: ${parts.join(', ')}; ${s.bytes.toLocaleString('en-US')} bytes${time}`,
    );
  }
  console.log(`peers: ${outDir} in ${((performance.now() - t0) / 1000).toFixed(1)} s wall`);
  process.exit(failed ? 1 : 0);
}
