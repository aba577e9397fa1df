#!/usr/bin/env node
// Builds the app in tests/bundlers/app (a factory stringified into a worker, plus an ordinary
// module graph) with real bundlers, through their JavaScript APIs, into
// target/bundlers/<variant>/, and writes target/bundlers/manifest.json naming each variant's
// emitted JavaScript.
//
//   node tests/bundlers/build.mjs [VARIANT...]
//
// Variants (every one with a source map), the bundler's default minifier beside guardmin's:
//   webpack-terser   webpack 5, mode production, its default minimizer (terser)
//   webpack-guardmin webpack 5, mode production, optimization.minimizer: [new GuardminPlugin()]
//   rspack-swc       Rspack, mode production, its default minimizer (SwcJsMinimizerRspackPlugin)
//   rspack-guardmin  Rspack with guardmin/webpack as the minimizer, unchanged
//   rollup-plain     Rollup 4, ES output, no minifier (the input of rollup-guardmin)
//   rollup-terser    Rollup 4, ES output, @rollup/plugin-terser with its default options
//   rollup-guardmin  `guardmin minify` on rollup-plain's output (source map composed)
//   rollup-guardmin-plugin  Rollup 4 with guardmin/vite as a plain Rollup plugin (it needs no
//                    Vite hook to minify in renderChunk and scan in generateBundle)
//   rolldown-oxc     Rolldown, ES output, output.minify: true (Oxc)
//   rolldown-guardmin  Rolldown with guardmin/vite as a plain plugin
//   esbuild-esbuild  esbuild, bundle + ESM, minify: true
//   esbuild-guardmin esbuild with the guardmin/esbuild plugin
//   vite7-esbuild    Vite 7 build, default minifier (esbuild), build.sourcemap: true
//   vite7-guardmin   Vite 7 build with the guardmin/vite plugin
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
  for (const name of ['rollup', '@rspack/core', 'rolldown', 'esbuild']) {
    if (!fs.existsSync(path.join(DEPS, 'node_modules', name, 'package.json'))) {
      throw new Error(`target/plugin-deps lacks ${name}: run scripts/install-plugin-deps.sh`);
    }
  }
  if (!fs.existsSync(GUARDMIN)) throw new Error(`${GUARDMIN} is missing: run cargo build --release`);
}

/** The versions the builds used, for the record. */
export function versions() {
  const v = (name) => JSON.parse(fs.readFileSync(path.join(DEPS, 'node_modules', name, 'package.json'), 'utf8')).version;
  return {
    webpack: v('webpack'),
    'minimizer-webpack-plugin': v('minimizer-webpack-plugin'),
    '@rspack/core': v('@rspack/core'),
    rollup: v('rollup'),
    '@rollup/plugin-terser': v('@rollup/plugin-terser'),
    terser: v('terser'),
    rolldown: v('rolldown'),
    esbuild: v('esbuild'),
    vite7: v('vite7'),
    vite: v('vite8'),
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

function fresh(out, name) {
  const dir = path.join(out, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** webpack 5 or Rspack (`bundler` is the module's main export: webpack or rspack). */
async function webpackLikeBuild(bundler, dir, minimizer) {
  const config = {
    mode: 'production',
    context: APP,
    entry: './src/main.js',
    devtool: 'source-map',
    output: { path: dir, filename: 'main.js' },
    // The bundler's own cache directory would land in the app folder otherwise.
    cache: false,
    performance: { hints: false },
  };
  if (minimizer) config.optimization = { minimizer: [minimizer] };
  const compiler = bundler(config);
  const stats = await new Promise((resolve, reject) => compiler.run((err, s) => (err ? reject(err) : resolve(s))));
  await new Promise((resolve) => compiler.close(resolve));
  if (stats.hasErrors() || stats.hasWarnings()) {
    throw new Error(`${path.basename(dir)}:\n${stats.toString({ all: false, errors: true, warnings: true })}`);
  }
  return { entry: path.join(dir, 'main.js'), module: false };
}

/** `plugins` go to rollup() (build plugins), `outputPlugins` to write() (as @rollup/plugin-terser's README does). */
async function rollupBuild(dir, { plugins = [], outputPlugins = [] } = {}) {
  const { rollup } = await depImport('rollup');
  const onwarn = (w) => {
    throw new Error(`${path.basename(dir)}: ${w.message}`);
  };
  const bundle = await rollup({ input: ENTRY, plugins, onwarn });
  await bundle.write({ dir, format: 'es', entryFileNames: 'main.mjs', sourcemap: true, plugins: outputPlugins });
  await bundle.close();
  return { entry: path.join(dir, 'main.mjs'), module: true };
}

async function rolldownBuild(dir, { plugins = [], minify = false } = {}) {
  const { rolldown } = await depImport('rolldown');
  const onwarn = (w) => {
    throw new Error(`${path.basename(dir)}: ${w.message}`);
  };
  const bundle = await rolldown({ input: ENTRY, plugins, onwarn });
  await bundle.write({ dir, format: 'es', entryFileNames: 'main.mjs', sourcemap: true, minify });
  await bundle.close();
  return { entry: path.join(dir, 'main.mjs'), module: true };
}

async function esbuildBuild(dir, { plugins = [], minify = false } = {}) {
  const esbuild = dep('esbuild');
  const outfile = path.join(dir, 'main.mjs');
  const r = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'esm',
    outfile,
    sourcemap: true,
    minify,
    plugins,
    logLevel: 'silent',
  });
  if (r.errors.length || r.warnings.length) throw new Error(`${path.basename(dir)}: ${JSON.stringify(r)}`);
  return { entry: outfile, module: true };
}

function guardminMinify(dir, input) {
  const out = path.join(dir, path.basename(input));
  const r = spawnSync(GUARDMIN, ['minify', '--no-cache', '-q', input, '-o', out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${path.basename(dir)}: guardmin minify exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return { entry: out, module: true };
}

/** `vite build` of Vite 7 (Rollup) or 8 (Rolldown). */
async function viteBuild(major, dir, out, plugins) {
  const { build } = await depImport(`vite${major}`);
  // A JavaScript entry: no index.html, so no modulepreload polyfill in the bundle.
  const input = { input: ENTRY };
  await build({
    root: APP,
    configFile: false,
    logLevel: 'warn',
    cacheDir: path.join(out, `.vite${major}-cache`),
    plugins,
    build: {
      outDir: dir,
      emptyOutDir: true,
      sourcemap: true,
      ...(major === 7 ? { rollupOptions: input } : { rolldownOptions: input }),
    },
  });
  const entry = jsFiles(dir).map((f) => path.join(REPO, f)).find((f) => /assets\/main-[\w-]+\.js$/.test(f));
  if (!entry) throw new Error(`${path.basename(dir)}: no assets/main-*.js in ${dir}`);
  return { entry, module: true };
}

/** [name, bundler, minifier, build(dir, out)] for every variant, in manifest order. */
async function variantTable() {
  // The plugins look for the binary themselves; hand them the one under test.
  process.env.GUARDMIN_BINARY = GUARDMIN;
  const { default: GuardminPlugin } = await depImport('guardmin/webpack');
  const { default: guardmin } = await depImport('guardmin/vite');
  const { default: guardminEsbuild } = await depImport('guardmin/esbuild');
  const { default: terser } = await depImport('@rollup/plugin-terser');
  const webpack = () => dep('webpack');
  const rspack = () => dep('@rspack/core').rspack;
  return [
    ['webpack-terser', 'webpack', 'terser', (dir) => webpackLikeBuild(webpack(), dir, null)],
    ['webpack-guardmin', 'webpack', 'guardmin', (dir) => webpackLikeBuild(webpack(), dir, new GuardminPlugin())],
    ['rspack-swc', 'rspack', 'swc', (dir) => webpackLikeBuild(rspack(), dir, null)],
    ['rspack-guardmin', 'rspack', 'guardmin', (dir) => webpackLikeBuild(rspack(), dir, new GuardminPlugin())],
    ['rollup-plain', 'rollup', 'none', (dir) => rollupBuild(dir)],
    ['rollup-terser', 'rollup', 'terser', (dir) => rollupBuild(dir, { outputPlugins: [terser()] })],
    ['rollup-guardmin', 'rollup', 'guardmin', (dir, out) => guardminMinify(dir, path.join(out, 'rollup-plain/main.mjs'))],
    ['rollup-guardmin-plugin', 'rollup', 'guardmin', (dir) => rollupBuild(dir, { plugins: [guardmin()] })],
    ['rolldown-oxc', 'rolldown', 'oxc', (dir) => rolldownBuild(dir, { minify: true })],
    ['rolldown-guardmin', 'rolldown', 'guardmin', (dir) => rolldownBuild(dir, { plugins: [guardmin()] })],
    ['esbuild-esbuild', 'esbuild', 'esbuild', (dir) => esbuildBuild(dir, { minify: true })],
    ['esbuild-guardmin', 'esbuild', 'guardmin', (dir) => esbuildBuild(dir, { plugins: [guardminEsbuild()] })],
    ['vite7-esbuild', 'vite7', 'esbuild', (dir, out) => viteBuild(7, dir, out, [])],
    ['vite7-guardmin', 'vite7', 'guardmin', (dir, out) => viteBuild(7, dir, out, [guardmin()])],
    ['vite-oxc', 'vite', 'oxc', (dir, out) => viteBuild(8, dir, out, [])],
    ['vite-guardmin', 'vite', 'guardmin', (dir, out) => viteBuild(8, dir, out, [guardmin()])],
  ];
}

/** The names of every variant, in manifest order (no build). */
export const VARIANT_NAMES = [
  'webpack-terser', 'webpack-guardmin', 'rspack-swc', 'rspack-guardmin', 'rollup-plain', 'rollup-terser',
  'rollup-guardmin', 'rollup-guardmin-plugin', 'rolldown-oxc', 'rolldown-guardmin', 'esbuild-esbuild',
  'esbuild-guardmin', 'vite7-esbuild', 'vite7-guardmin', 'vite-oxc', 'vite-guardmin',
];

/**
 * Builds the variants named in `only` (default: all; rollup-guardmin needs rollup-plain) into
 * `out`; returns the manifest (also written to `out`/manifest.json).
 */
export async function buildAll({ only = null, out = OUT } = {}) {
  checkSetup();
  fs.mkdirSync(out, { recursive: true });
  const table = await variantTable();
  const manifest = { versions: versions(), variants: [] };
  for (const [name, bundler, minifier, run] of table) {
    if (only && !only.includes(name)) continue;
    const dir = fresh(out, name);
    const { entry, module } = await run(dir, out);
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
  fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const only = process.argv.slice(2);
  const m = await buildAll({ only: only.length ? only : null });
  for (const v of m.variants) console.log(`${v.name.padEnd(22)} ${v.files.join(' ')}`);
}
