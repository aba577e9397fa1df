#!/usr/bin/env node
// Builds the app in tests/bundlers/app with real bundlers, through their JavaScript APIs, into
// target/bundlers/<variant>/, and writes target/bundlers/manifest.json naming each variant's
// emitted JavaScript.
//
//   node tests/bundlers/build.mjs
//
// Variants (every one with a source map):
//   webpack-terser   webpack 5, mode production, its default minimizer (terser)
//   webpack-guardmin webpack 5, mode production, optimization.minimizer: [new GuardminPlugin()]
//   rollup-plain     Rollup 4, ES output, no minifier (the input of rollup-guardmin)
//   rollup-terser    Rollup 4, ES output, @rollup/plugin-terser with its default options
//   rollup-guardmin  `guardmin minify` on rollup-plain's output (source map composed)
//   rollup-guardmin-plugin  Rollup 4 with guardmin/vite as a plain Rollup plugin (it needs no
//                    Vite hook to minify in renderChunk and scan in generateBundle)
//   vite-oxc         Vite 8 build, default minifier (Oxc), build.sourcemap: true
//   vite-guardmin    Vite 8 build with the guardmin/vite plugin, build.sourcemap: true
//
// The packages are the pinned ones in npm/test/deps (scripts/install-plugin-deps.sh installs
// them into target/plugin-deps); the guardmin plugins are npm/ itself, linked there, and
// find target/release/guardmin (or GUARDMIN_BINARY).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const APP = path.join(REPO, 'tests/bundlers/app');
export const DEPS = path.join(REPO, 'target/plugin-deps');
export const OUT = path.join(REPO, 'target/bundlers');
export const GUARDMIN = process.env.GUARDMIN_BINARY
  ? path.resolve(process.env.GUARDMIN_BINARY)
  : path.join(REPO, 'target/release/guardmin');
const ENTRY = path.join(APP, 'src/main.js');

const depsRequire = createRequire(path.join(DEPS, 'package.json'));
const dep = (name) => depsRequire(name);
const depImport = (name) => import(pathToFileURL(depsRequire.resolve(name)).href);

export function checkSetup() {
  if (!fs.existsSync(path.join(DEPS, 'node_modules/rollup/package.json'))) {
    throw new Error('target/plugin-deps lacks rollup: run scripts/install-plugin-deps.sh');
  }
  if (!fs.existsSync(GUARDMIN)) throw new Error(`${GUARDMIN} is missing: run cargo build --release`);
}

/** The versions the builds used, for the record. */
export function versions() {
  const v = (name) => JSON.parse(fs.readFileSync(path.join(DEPS, 'node_modules', name, 'package.json'), 'utf8')).version;
  return {
    webpack: v('webpack'),
    'minimizer-webpack-plugin': v('minimizer-webpack-plugin'),
    rollup: v('rollup'),
    '@rollup/plugin-terser': v('@rollup/plugin-terser'),
    terser: v('terser'),
    vite: v('vite8'),
    rolldown: v('rolldown'),
  };
}

/** Every .js/.mjs/.cjs file under `dir`, relative to the repository, sorted. */
function jsFiles(dir) {
  return fs
    .readdirSync(dir, { recursive: true })
    .map((f) => path.join(dir, f))
    .filter((f) => /\.[cm]?js$/.test(f) && fs.statSync(f).isFile())
    .sort()
    .map((f) => path.relative(REPO, f));
}

function fresh(name) {
  const dir = path.join(OUT, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

async function webpackBuild(name, minimizer) {
  const webpack = dep('webpack');
  const dir = fresh(name);
  const config = {
    mode: 'production',
    context: APP,
    entry: './src/main.js',
    devtool: 'source-map',
    output: { path: dir, filename: 'main.js' },
    // Webpack's own cache directory would land in the app folder otherwise.
    cache: false,
  };
  if (minimizer) config.optimization = { minimizer: [minimizer] };
  const compiler = webpack(config);
  const stats = await new Promise((resolve, reject) => compiler.run((err, s) => (err ? reject(err) : resolve(s))));
  await new Promise((resolve) => compiler.close(resolve));
  if (stats.hasErrors() || stats.hasWarnings()) {
    throw new Error(`${name}: webpack:\n${stats.toString({ all: false, errors: true, warnings: true })}`);
  }
  return { dir, entry: path.join(dir, 'main.js'), module: false };
}

/** `plugins` go to rollup() (build plugins), `outputPlugins` to write() (as @rollup/plugin-terser's README does). */
async function rollupBuild(name, { plugins = [], outputPlugins = [] } = {}) {
  const { rollup } = await depImport('rollup');
  const dir = fresh(name);
  const onwarn = (w) => {
    throw new Error(`${name}: ${w.message}`);
  };
  const bundle = await rollup({ input: ENTRY, plugins, onwarn });
  await bundle.write({ dir, format: 'es', entryFileNames: 'main.mjs', sourcemap: true, plugins: outputPlugins });
  await bundle.close();
  return { dir, entry: path.join(dir, 'main.mjs'), module: true };
}

function guardminMinify(name, input) {
  const dir = fresh(name);
  const out = path.join(dir, path.basename(input));
  const r = spawnSync(GUARDMIN, ['minify', '--no-cache', '-q', input, '-o', out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${name}: guardmin minify exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return { dir, entry: out, module: true };
}

async function viteBuild(name, plugins) {
  const { build } = await depImport('vite8');
  const dir = fresh(name);
  await build({
    root: APP,
    configFile: false,
    logLevel: 'warn',
    cacheDir: path.join(OUT, '.vite-cache'),
    plugins,
    build: {
      outDir: dir,
      emptyOutDir: true,
      sourcemap: true,
      // A JavaScript entry: no index.html, so no modulepreload polyfill in the bundle.
      rolldownOptions: { input: ENTRY },
    },
  });
  const entry = jsFiles(dir).map((f) => path.join(REPO, f)).find((f) => /assets\/main-[\w-]+\.js$/.test(f));
  if (!entry) throw new Error(`${name}: no assets/main-*.js in ${dir}`);
  return { dir, entry, module: true };
}

/** Builds every variant; returns the manifest (also written to target/bundlers/manifest.json). */
export async function buildAll() {
  checkSetup();
  fs.mkdirSync(OUT, { recursive: true });
  // The plugins look for the binary themselves; hand them the one under test.
  process.env.GUARDMIN_BINARY = GUARDMIN;
  const { default: GuardminPlugin } = await depImport('guardmin/webpack');
  const { default: guardmin } = await depImport('guardmin/vite');
  const { default: terser } = await depImport('@rollup/plugin-terser');

  const variants = [
    ['webpack-terser', 'webpack', 'terser', () => webpackBuild('webpack-terser', null)],
    ['webpack-guardmin', 'webpack', 'guardmin', () => webpackBuild('webpack-guardmin', new GuardminPlugin())],
    ['rollup-plain', 'rollup', 'none', () => rollupBuild('rollup-plain')],
    ['rollup-terser', 'rollup', 'terser', () => rollupBuild('rollup-terser', { outputPlugins: [terser()] })],
    [
      'rollup-guardmin',
      'rollup',
      'guardmin',
      () => guardminMinify('rollup-guardmin', path.join(OUT, 'rollup-plain/main.mjs')),
    ],
    ['rollup-guardmin-plugin', 'rollup', 'guardmin', () => rollupBuild('rollup-guardmin-plugin', { plugins: [guardmin()] })],
    ['vite-oxc', 'vite', 'oxc', () => viteBuild('vite-oxc', [])],
    ['vite-guardmin', 'vite', 'guardmin', () => viteBuild('vite-guardmin', [guardmin()])],
  ];
  const manifest = { versions: versions(), variants: [] };
  for (const [name, bundler, minifier, run] of variants) {
    const { dir, entry, module } = await run();
    manifest.variants.push({
      name,
      bundler,
      minifier,
      dir: path.relative(REPO, dir),
      entry: path.relative(REPO, entry),
      module,
      files: jsFiles(dir),
    });
  }
  fs.writeFileSync(path.join(OUT, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const m = await buildAll();
  for (const v of m.variants) console.log(`${v.name.padEnd(17)} ${v.files.join(' ')}`);
}
