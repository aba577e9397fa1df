// Build errors carry file, line and column in each bundler's own form (issue 16), so that the
// terminal and editors link to the place. The app imports a vendored module that another
// minifier already broke: tests/bundlers/app's factory and worker pool, bundled and minified
// by Rolldown (Oxc), which rewrote the factory's `typeof scriptDir !== "undefined"` guard into
// `void 0 !== e`. guardmin refuses to minify a bundle with that break (the factory's text is
// sent to a worker), and the error must point into the vendored file, at the read that
// throws in the worker:
//
// - Vite (7, 8), Rollup, Rolldown: the error `this.error` raises has `id` (the file) and
//   `loc: { file, line, column }` (1-based line, 0-based column, as Rollup's own errors), and
//   Vite prints `file: <id>:<line>:<column>`;
// - webpack 5, Rspack: a `WebpackError` in `compilation.errors` with `file` (the asset),
//   `module` (the vendored module) and `loc: { start: { line, column } }` there, and stats
//   print `ERROR in <module> <line>:<column>`;
// - esbuild: a message whose `location` has file, line, column (0-based, in bytes) and the
//   line's text.
//
//   node --test tests/bundlers/errors.test.mjs   (after scripts/install-plugin-deps.sh)
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { REPO, APP, DEPS, GUARDMIN, checkSetup } from './build.mjs';

const depsRequire = createRequire(path.join(DEPS, 'package.json'));
const dep = (name) => depsRequire(name);
const depImport = (name) => import(pathToFileURL(depsRequire.resolve(name)).href);

const OUT = path.join(REPO, 'target/bundlers-errors');
const SRC = path.join(OUT, 'app/src');
const VENDORED = path.join(SRC, 'vendor/glue.min.js');
const ENTRY = path.join(SRC, 'broken-main.js');

// Where the vendored file breaks: the read in `void 0 !== e` (1-based line, 0-based column).
let broken;

before(async () => {
  checkSetup();
  process.env.GUARDMIN_BINARY = GUARDMIN;
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(VENDORED), { recursive: true });
  for (const f of ['factory.js', 'pool.js', 'format.js']) fs.copyFileSync(path.join(APP, 'src', f), path.join(SRC, f));
  // The vendored library: Rolldown with its default minifier, as a package would ship it.
  fs.writeFileSync(path.join(SRC, 'lib.js'), "export { createModule } from './factory.js';\nexport { startWorker } from './pool.js';\n");
  const { rolldown } = await depImport('rolldown');
  const bundle = await rolldown({ input: path.join(SRC, 'lib.js') });
  await bundle.write({ file: VENDORED, format: 'es', minify: true });
  await bundle.close();
  for (const f of ['factory.js', 'pool.js', 'format.js', 'lib.js']) fs.rmSync(path.join(SRC, f));
  fs.writeFileSync(
    ENTRY,
    "// The app: starts the vendored factory in a worker.\nimport { createModule, startWorker } from './vendor/glue.min.js';\n\n" +
      "startWorker(createModule, function (data) {\n  console.log('worker:', data);\n});\n",
  );
  const lines = fs.readFileSync(VENDORED, 'utf8').split('\n');
  const line = lines.findIndex((l) => /void 0\s*!==\s*[\w$]+|[\w$]+\s*!==\s*void 0/.test(l));
  assert.ok(line >= 0, `Rolldown kept the guard:\n${lines.join('\n')}`);
  const after = /void 0\s*!==\s*([\w$]+)/.exec(lines[line]);
  const before = /([\w$]+)\s*!==\s*void 0/.exec(lines[line]);
  broken = after
    ? { line: line + 1, column: after.index + after[0].length - after[1].length, name: after[1] }
    : { line: line + 1, column: before.index, name: before[1] };
});

const rel = (f) => path.relative(OUT, f).split(path.sep).join('/');

function assertRollupError(thrown, what) {
  assert.ok(thrown, `${what}: the build fails`);
  // Rolldown (so Vite 8) throws one error for the build, with the plugins' errors in `errors`.
  const err = Array.isArray(thrown.errors) && thrown.errors.length === 1 ? thrown.errors[0] : thrown;
  assert.equal(err.plugin, 'guardmin', `${what}: ${err.message}`);
  assert.equal(err.id, VENDORED, `${what}: id is the vendored file\n${err.message}`);
  assert.deepEqual(err.loc, { file: VENDORED, line: broken.line, column: broken.column }, `${what}: ${err.message}`);
  assert.match(err.message, /guardmin could not minify it/);
  assert.match(err.message, new RegExp(`original source: (\\S+/)?src/vendor/glue\\.min\\.js:${broken.line}:${broken.column + 1}\n`));
}

async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  return null;
}

describe('Rollup-style errors (guardmin/vite)', () => {
  for (const major of [7, 8]) {
    test(`Vite ${major}: id and loc point at the broken read in the vendored file`, async () => {
      const { build } = await depImport(`vite${major}`);
      const input = { input: ENTRY };
      const { default: guardmin } = await depImport('guardmin/vite');
      const err = await rejection(
        build({
          root: path.join(OUT, 'app'),
          configFile: false,
          logLevel: 'silent',
          cacheDir: path.join(OUT, `.vite${major}-cache`),
          plugins: [guardmin()],
          build: { outDir: path.join(OUT, `vite${major}`), sourcemap: true, ...(major === 7 ? { rollupOptions: input } : { rolldownOptions: input }) },
        }),
      );
      assertRollupError(err, `vite ${major}`);
      // What Vite prints: the file and the place, as a terminal links them.
      assert.ok(err.message.includes(`${VENDORED}:${broken.line}:${broken.column}`), err.message);
    });
  }

  test('Rollup 4 and Rolldown: the same fields', async () => {
    const { default: guardmin } = await depImport('guardmin/vite');
    for (const name of ['rollup', 'rolldown']) {
      const mod = await depImport(name);
      const err = await rejection(
        (async () => {
          const bundle = await mod[name]({ input: ENTRY, plugins: [guardmin()] });
          try {
            await bundle.write({ dir: path.join(OUT, name), format: 'es', sourcemap: true });
          } finally {
            await bundle.close();
          }
        })(),
      );
      assertRollupError(err, name);
    }
  });
});

describe('webpack-style errors (guardmin/webpack)', () => {
  for (const [what, load] of [
    ['webpack 5', () => dep('webpack')],
    ['Rspack', () => dep('@rspack/core').rspack],
  ]) {
    test(`${what}: a WebpackError with file, module and loc at the broken read`, async () => {
      const GuardminPlugin = dep('guardmin/webpack');
      const compiler = load()({
        mode: 'production',
        context: path.join(OUT, 'app'),
        entry: './src/broken-main.js',
        devtool: 'source-map',
        output: { path: path.join(OUT, what.replace(/\W/g, '')), filename: 'main.js' },
        cache: false,
        optimization: { minimizer: [new GuardminPlugin()] },
      });
      const stats = await new Promise((resolve, reject) => compiler.run((e, s) => (e ? reject(e) : resolve(s))));
      await new Promise((resolve) => compiler.close(resolve));
      const errors = [...stats.compilation.errors];
      assert.equal(errors.length, 1, stats.toString({ all: false, errors: true }));
      const err = errors[0];
      assert.equal(err.name, 'GuardminError');
      assert.equal(err.file, 'main.js');
      assert.ok(err.module, `${what}: the error names a module\n${err.message}`);
      assert.equal(err.module.resource, VENDORED);
      assert.deepEqual(JSON.parse(JSON.stringify(err.loc)), { start: { line: broken.line, column: broken.column } });
      assert.match(err.message, new RegExp(`original source: src/vendor/glue\\.min\\.js:${broken.line}:${broken.column + 1}`));
      // What the terminal shows: the module and webpack's line:column, then the message.
      const printed = stats.toString({ all: false, errors: true, colors: false });
      assert.match(printed, new RegExp(`ERROR in main\\.js\\n\\./src/vendor/glue\\.min\\.js ${broken.line}:${broken.column}\\n`), printed);
    });
  }
});

test('esbuild: a message whose location is the broken read, with its line text', async () => {
  const esbuild = dep('esbuild');
  const { default: guardmin } = await depImport('guardmin/esbuild');
  const err = await rejection(
    esbuild.build({
      entryPoints: [ENTRY],
      bundle: true,
      format: 'esm',
      outdir: path.join(OUT, 'esbuild'),
      sourcemap: true,
      absWorkingDir: OUT,
      logLevel: 'silent',
      plugins: [guardmin()],
    }),
  );
  assert.ok(err && err.errors, 'the build fails with esbuild messages');
  assert.equal(err.errors.length, 1, JSON.stringify(err.errors, null, 2));
  const [msg] = err.errors;
  assert.equal(msg.pluginName, 'guardmin');
  const text = fs.readFileSync(VENDORED, 'utf8').split('\n')[broken.line - 1];
  assert.deepEqual(
    { file: msg.location.file, line: msg.location.line, column: msg.location.column },
    { file: rel(VENDORED), line: broken.line, column: Buffer.byteLength(text.slice(0, broken.column)) },
  );
  // esbuild cuts long lines down around the place.
  assert.ok(msg.location.lineText.length > broken.column && text.startsWith(msg.location.lineText), msg.location.lineText);
  assert.equal(msg.location.length, broken.name.length);
  assert.ok(!fs.existsSync(path.join(OUT, 'esbuild/broken-main.js')), 'nothing is written');
});

describe("guardmin({ minify: false }) after the bundler's minifier: the scan's error points into the original module", () => {
  const FACTORY = path.join(APP, 'src/factory.js');
  const guard = () => {
    const lines = fs.readFileSync(FACTORY, 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('typeof scriptDir !== "undefined" && scriptDir')) + 1;
    const text = lines[line - 1];
    return { line, from: text.indexOf('typeof'), to: text.lastIndexOf('scriptDir') + 'scriptDir'.length };
  };

  test('Vite 8 (Oxc): id and loc in src/factory.js, on the guard', async () => {
    const { build } = await depImport('vite8');
    const { default: guardmin } = await depImport('guardmin/vite');
    const thrown = await rejection(
      build({
        root: APP,
        configFile: false,
        logLevel: 'silent',
        cacheDir: path.join(OUT, '.vite8-scan-cache'),
        plugins: [guardmin({ minify: false })],
        build: { outDir: path.join(OUT, 'vite8-scan'), sourcemap: true, rolldownOptions: { input: path.join(APP, 'src/main.js') } },
      }),
    );
    assert.ok(thrown, 'the build fails');
    const err = Array.isArray(thrown.errors) && thrown.errors.length === 1 ? thrown.errors[0] : thrown;
    const g = guard();
    assert.equal(err.id, FACTORY, err.message);
    assert.equal(err.loc.file, FACTORY);
    assert.equal(err.loc.line, g.line, err.message);
    assert.ok(err.loc.column >= g.from && err.loc.column < g.to, `column ${err.loc.column} is not on the guard (${g.from}-${g.to})`);
    assert.match(err.message, /error emscripten-script-dir: [\s\S]*original source: src\/factory\.js:\d+:\d+ \(scriptDir\)/);
  });

  test("webpack 5 (terser): the WebpackError's module and loc are src/factory.js, on the guard", async () => {
    const GuardminPlugin = dep('guardmin/webpack');
    const compiler = dep('webpack')({
      mode: 'production',
      context: APP,
      entry: './src/main.js',
      devtool: 'source-map',
      output: { path: path.join(OUT, 'webpack-scan'), filename: 'main.js' },
      cache: false,
      optimization: { minimizer: ['...', new GuardminPlugin({ minify: false })] },
    });
    const stats = await new Promise((resolve, reject) => compiler.run((e, s) => (e ? reject(e) : resolve(s))));
    await new Promise((resolve) => compiler.close(resolve));
    const errors = [...stats.compilation.errors];
    assert.equal(errors.length, 1, stats.toString({ all: false, errors: true }));
    const [err] = errors;
    const g = guard();
    assert.equal(err.file, 'main.js');
    assert.equal(err.module && err.module.resource, FACTORY, err.message);
    assert.equal(err.loc.start.line, g.line);
    assert.ok(err.loc.start.column >= g.from && err.loc.start.column < g.to, `column ${err.loc.start.column} is not on the guard (${g.from}-${g.to})`);
  });
});
