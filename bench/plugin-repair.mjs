#!/usr/bin/env node
// What `guardmin({ minify: 'repair' })` costs a Vite 8 build (issue 15, Must-show 5): the same
// app built with plain Vite 8 (its default minifier, Oxc) and with the plugin repairing Oxc's
// output, side by side in one run, as ratios of build time and of JavaScript bytes.
//
//   node bench/plugin-repair.mjs [ROUNDS]        (default 5; BENCH_ROUNDS works too)
//
// The app: tests/e2e/vite-app (tfjs-core + tfjs-backend-wasm 4.22 with the pthread glue, a
// worker started from a stringified function, a file worker), plus all of three.js
// (`import * as THREE`, kept whole) when `three` is installed: target/npm/node_modules/three
// (scripts/install-npm.sh, the bench corpus) or BENCH_THREE=/path/to/three.module.js. It is
// built in target/bench-plugin-repair/app with node_modules linked to target/plugin-deps
// (scripts/install-plugin-deps.sh); guardmin is target/release/guardmin (or GUARDMIN_BINARY).
//
// Variants, each `vite build` a fresh node process, timed from spawn to exit (wall clock):
//   plain           Vite 8 defaults (build.minify 'oxc')
//   repair          plugins: [guardmin({ minify: 'repair' })]: Oxc, then guardmin fix and scan
//   repair-noscan   guardmin({ minify: 'repair', scan: false }): Oxc, then guardmin fix only
// each without and with build.sourcemap (the repair then updates the map too). One untimed
// build of every variant first; then every round builds every variant once, in an order
// rotated per round. Medians over the rounds; ratios are variant / plain of the same map
// setting. JS bytes: every .js file of dist/. Timings mean something only on an idle machine:
// the load average is printed before and after.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEPS = path.join(ROOT, 'target/plugin-deps/node_modules');
const WORK = path.join(ROOT, 'target/bench-plugin-repair');
const APP = path.join(WORK, 'app');
const GUARDMIN = process.env.GUARDMIN_BINARY || path.join(ROOT, 'target/release/guardmin');
const ROUNDS = Number(process.argv[2] || process.env.BENCH_ROUNDS || 5);

function findThree() {
  if (process.env.BENCH_THREE) return path.resolve(process.env.BENCH_THREE);
  for (const dir of [path.join(ROOT, 'target/npm/node_modules/three'), path.join(DEPS, 'three')]) {
    const f = path.join(dir, 'build/three.module.js');
    if (fs.existsSync(f)) return f;
  }
  return null;
}

function prepare(three) {
  for (const need of [path.join(DEPS, 'vite8/package.json'), path.join(DEPS, 'guardmin/package.json'), GUARDMIN]) {
    if (!fs.existsSync(need)) throw new Error(`${need} is missing: run scripts/install-plugin-deps.sh and cargo build --release`);
  }
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(path.join(APP, 'src'), { recursive: true });
  const e2e = path.join(ROOT, 'tests/e2e/vite-app');
  fs.copyFileSync(path.join(e2e, 'index.html'), path.join(APP, 'index.html'));
  let main = fs.readFileSync(path.join(e2e, 'src/e2e-main.js'), 'utf8');
  if (three) main = `import * as THREE from 'three';\nglobalThis.THREE = THREE;\n${main}`;
  fs.writeFileSync(path.join(APP, 'src/e2e-main.js'), main);
  for (const f of ['string-worker.js', 'worker.js']) fs.copyFileSync(path.join(ROOT, 'npm/test/app/src', f), path.join(APP, 'src', f));
  fs.writeFileSync(path.join(APP, 'package.json'), '{ "name": "guardmin-bench-plugin-repair", "private": true, "type": "module" }\n');
  fs.symlinkSync(path.relative(APP, DEPS), path.join(APP, 'node_modules'), 'dir');
  const variants = [];
  for (const sourcemap of [false, true]) {
    for (const [id, plugin] of [['plain', null], ['repair', "{ minify: 'repair' }"], ['repair-noscan', "{ minify: 'repair', scan: false }"]]) {
      const name = `${id}${sourcemap ? '+map' : ''}`;
      const config = `${plugin ? "import guardmin from 'guardmin/vite';\n" : ''}export default {
  base: './',
  logLevel: 'warn',
  ${three ? `resolve: { alias: { three: ${JSON.stringify(three)} } },` : ''}
  build: { outDir: 'dist-${name}', emptyOutDir: true, sourcemap: ${sourcemap}, chunkSizeWarningLimit: 100000 },
  plugins: [${plugin ? `guardmin(${plugin})` : ''}],
};
`;
      fs.writeFileSync(path.join(APP, `vite.${name}.mjs`), config);
      variants.push({ id, name, sourcemap, config: `vite.${name}.mjs`, dist: path.join(APP, `dist-${name}`), times: [], bytes: null });
    }
  }
  return variants;
}

function build(v) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [path.join(DEPS, 'vite8/bin/vite.js'), 'build', '--config', v.config], {
      cwd: APP,
      env: { ...process.env, NO_COLOR: '1', GUARDMIN_BINARY: GUARDMIN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) reject(new Error(`${v.name}: vite build exited with ${code}:\n${output}`));
      else resolve(seconds);
    });
  });
}

const jsBytes = (dir) =>
  fs
    .readdirSync(dir, { recursive: true })
    .filter((f) => /\.[cm]?js$/.test(f))
    .reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

async function main() {
  const three = findThree();
  const variants = prepare(three);
  console.log(`app: tests/e2e/vite-app (tfjs-core + tfjs-backend-wasm 4.22)${three ? ` + three.js (${path.relative(ROOT, three)})` : ' (three.js not found: tfjs only)'}`);
  console.log(`vite ${JSON.parse(fs.readFileSync(path.join(DEPS, 'vite8/package.json'), 'utf8')).version}, guardmin ${GUARDMIN}, ${ROUNDS} rounds, ${os.cpus().length} CPUs, load average before: ${load()}`);
  for (const v of variants) await build(v); // untimed: caches warm
  for (let round = 0; round < ROUNDS; round++) {
    const order = variants.map((_, i) => variants[(i + round) % variants.length]);
    for (const v of order) v.times.push(await build(v));
  }
  for (const v of variants) {
    v.bytes = jsBytes(v.dist);
    v.median = median(v.times);
  }
  console.log(`load average after: ${load()}\n`);
  console.log('| variant | median s | min s | max s | time ratio | JS bytes | bytes ratio |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const v of variants) {
    const base = variants.find((p) => p.id === 'plain' && p.sourcemap === v.sourcemap);
    const ratio = (v.median / base.median).toFixed(3);
    const bytes = (v.bytes / base.bytes).toFixed(5);
    console.log(`| ${v.name} | ${v.median.toFixed(2)} | ${Math.min(...v.times).toFixed(2)} | ${Math.max(...v.times).toFixed(2)} | ${ratio} | ${v.bytes} | ${bytes} (+${v.bytes - base.bytes}) |`);
  }
  const out = path.join(WORK, 'result.json');
  fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), rounds: ROUNDS, three: Boolean(three), cpus: os.cpus().length, variants: variants.map(({ dist, config, ...v }) => v) }, null, 2));
  console.log(`\nraw numbers: ${path.relative(ROOT, out)}`);
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
