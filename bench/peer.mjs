#!/usr/bin/env node
// Runs one peer minifier over the benchmark corpus, the way its users run it, in this (fresh)
// node process. bench/bench.mjs starts it once per timed run, under /usr/bin/time:
//
//   node bench/peer.mjs TOOL MANIFEST OUTDIR
//
// MANIFEST is the corpus.json bench.mjs writes ({files: [{name, path, esm, bytes}]}); every
// output goes to OUTDIR/<basename of path>. Prints one line of JSON on stdout:
//   {"tool","files","in_bytes","out_bytes","load_ms","work_ms"}
// load_ms: process start to the minifier loaded (and, for terser-workers, every worker
// started with terser loaded); work_ms: from then until the last output is written
// (reading, minifying and writing every file).
//
// | TOOL           | call                                                                        |
// | -------------- | --------------------------------------------------------------------------- |
// | terser         | await terser.minify(code, {compress: {}, mangle: true, module: esm}) per file, in turn |
// | terser-workers | the same call in worker_threads, one worker per CPU, biggest file first     |
// | swc            | Promise.all(files.map(f => swc.minify(code, {compress: {}, mangle: true, module: esm}))) |
// | oxc            | Promise.all(files.map(f => oxc.minify(basename, code, {module: esm, compress: true, mangle: true}))) |
// | esbuild        | one esbuild.build({entryPoints: all files, minify: true, outdir, write: true}) (no bundle, formats kept) |
//
// Exit code 0 when every file was minified and written, 1 otherwise, 2 on usage errors.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const SCRIPT = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SCRIPT), '..');
const NODE_MODULES = process.env.BENCH_NODE_MODULES || path.join(ROOT, 'target', 'npm', 'node_modules');
const requireNM = createRequire(path.join(NODE_MODULES, 'noop.js'));

export const PEER_TOOLS = ['terser', 'terser-workers', 'swc', 'oxc', 'esbuild'];

function outPath(outDir, f) {
  return path.join(outDir, path.basename(f.path));
}

async function terserOne(terser, f, outDir) {
  const code = fs.readFileSync(f.path, 'utf8');
  const r = await terser.minify(code, { compress: {}, mangle: true, module: f.esm });
  if (typeof r.code !== 'string' || !r.code) throw new Error(`terser: empty output for ${f.path}`);
  fs.writeFileSync(outPath(outDir, f), r.code);
  return Buffer.byteLength(r.code);
}

if (!isMainThread) {
  // terser-workers: a worker loads terser, says it is ready, then minifies the files it is sent.
  const terser = requireNM('terser');
  parentPort.on('message', async (f) => {
    try {
      parentPort.postMessage({ ok: true, bytes: await terserOne(terser, f, workerData.outDir) });
    } catch (e) {
      parentPort.postMessage({ ok: false, error: String((e && e.stack) || e) });
    }
  });
  parentPort.postMessage({ ready: true });
} else {
  main().catch((e) => {
    console.error(`peer: ${(e && e.stack) || e}`);
    process.exit(1);
  });
}

async function terserWorkers(files, outDir) {
  const n = Math.max(1, Math.min(os.availableParallelism ? os.availableParallelism() : os.cpus().length, files.length));
  const workers = await Promise.all(
    Array.from({ length: n }, () => new Promise((resolve, reject) => {
      const w = new Worker(SCRIPT, { workerData: { outDir } });
      w.once('message', (m) => (m.ready ? resolve(w) : reject(new Error('worker did not start'))));
      w.once('error', reject);
    })),
  );
  const queue = [...files].sort((a, b) => b.bytes - a.bytes);
  let out = 0;
  const t0 = performance.now();
  await Promise.all(workers.map(async (w) => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      const m = await new Promise((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
        w.postMessage(f);
      });
      w.removeAllListeners('error');
      if (!m.ok) throw new Error(m.error);
      out += m.bytes;
    }
  }));
  await Promise.all(workers.map((w) => w.terminate()));
  return { out, t0 };
}

async function main() {
  const [tool, manifestFile, outDir] = process.argv.slice(2);
  if (!PEER_TOOLS.includes(tool) || !manifestFile || !outDir) {
    console.error(`usage: node bench/peer.mjs (${PEER_TOOLS.join('|')}) MANIFEST OUTDIR`);
    process.exit(2);
  }
  const files = JSON.parse(fs.readFileSync(manifestFile, 'utf8')).files;
  fs.mkdirSync(outDir, { recursive: true });
  const inBytes = files.reduce((s, f) => s + f.bytes, 0);
  let outBytes = 0;
  let tLoad;

  switch (tool) {
    case 'terser': {
      const terser = requireNM('terser');
      tLoad = performance.now();
      for (const f of files) outBytes += await terserOne(terser, f, outDir);
      break;
    }
    case 'terser-workers': {
      const r = await terserWorkers(files, outDir);
      tLoad = r.t0;
      outBytes = r.out;
      break;
    }
    case 'swc': {
      const swc = requireNM('@swc/core');
      tLoad = performance.now();
      const sizes = await Promise.all(files.map(async (f) => {
        const code = await fs.promises.readFile(f.path, 'utf8');
        const r = await swc.minify(code, { compress: {}, mangle: true, module: f.esm });
        await fs.promises.writeFile(outPath(outDir, f), r.code);
        return Buffer.byteLength(r.code);
      }));
      outBytes = sizes.reduce((a, b) => a + b, 0);
      break;
    }
    case 'oxc': {
      const oxc = requireNM('oxc-minify');
      tLoad = performance.now();
      const sizes = await Promise.all(files.map(async (f) => {
        const code = await fs.promises.readFile(f.path, 'utf8');
        const r = await oxc.minify(path.basename(f.path), code, { module: f.esm, compress: true, mangle: true });
        const errors = (r.errors || []).filter((e) => e.severity === 'Error');
        if (errors.length) throw new Error(`oxc: ${f.path}: ${errors.map((e) => e.message).join('; ')}`);
        await fs.promises.writeFile(outPath(outDir, f), r.code);
        return Buffer.byteLength(r.code);
      }));
      outBytes = sizes.reduce((a, b) => a + b, 0);
      break;
    }
    case 'esbuild': {
      const esbuild = requireNM('esbuild');
      tLoad = performance.now();
      const r = await esbuild.build({
        entryPoints: files.map((f) => f.path),
        minify: true,
        bundle: false,
        outdir: outDir,
        write: true,
        logLevel: 'silent',
        metafile: true,
      });
      if (r.errors.length) throw new Error(`esbuild: ${r.errors.map((e) => e.text).join('; ')}`);
      outBytes = Object.values(r.metafile.outputs).reduce((s, o) => s + o.bytes, 0);
      const tEnd = performance.now();
      await esbuild.stop(); // reap the service process, so /usr/bin/time counts it
      console.log(JSON.stringify({ tool, files: files.length, in_bytes: inBytes, out_bytes: outBytes,
        load_ms: round(tLoad), work_ms: round(tEnd - tLoad) }));
      return;
    }
  }
  const tEnd = performance.now();
  console.log(JSON.stringify({ tool, files: files.length, in_bytes: inBytes, out_bytes: outBytes,
    load_ms: round(tLoad), work_ms: round(tEnd - tLoad) }));
}

function round(x) {
  return Math.round(x * 10) / 10;
}
