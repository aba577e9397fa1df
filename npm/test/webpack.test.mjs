// guardmin/webpack against the real webpack 5 CLI, building the test app in npm/test/app
// (tfjs with its WASM backend, a file worker, and a module worker started from a stringified
// function).
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  checkSetup,
  prepareApp,
  webpackBuild,
  jsFiles,
  scan,
  traceNeedle,
  sourceLine,
  stackLines,
  buildEnv,
  assertBrokenGuards,
  countingBinary,
  problems,
} from './helpers.mjs';

before(checkSetup);

const config = ({ entry = './src/main.js', minimizer = '[new GuardminPlugin()]', plugins = '[]', prelude = '' } = {}) => `const path = require('node:path');
const GuardminPlugin = require('guardmin/webpack');
${prelude}
module.exports = {
  mode: 'production',
  context: __dirname,
  entry: ${JSON.stringify(entry)},
  output: { path: path.resolve(__dirname, 'dist'), filename: '[name].[contenthash:8].js', clean: true },
  devtool: 'source-map',
  plugins: ${plugins},
  optimization: { minimizer: ${minimizer} },
  performance: { hints: false },
};
`;

const find = (files, re) => {
  const f = files.find((x) => re.test(x.split(path.sep).join('/')));
  assert.ok(f, `no emitted file matches ${re}: ${files.join(', ')}`);
  return f;
};

describe('webpack 5', () => {
  test('with GuardminPlugin: the tfjs app builds, every emitted JS file passes guardmin scan, and source maps lead back to the app', async () => {
    const dir = prepareApp('webpack-guardmin');
    const r = await webpackBuild(dir, config());
    assert.equal(r.code, 0, r.output);
    assert.doesNotMatch(r.output, /ERROR|WARNING/, r.output);
    assert.match(r.output, /main\.\w+\.js .*\[minimized\]/, 'stats show the asset as minimized');
    const dist = path.join(dir, 'dist');
    const files = jsFiles(dist);
    const main = find(files, /\/main\.\w+\.js$/);
    const worker = files.find((f) => f !== main);
    assert.ok(worker, 'the module worker is a chunk of its own');

    const code = fs.readFileSync(main, 'utf8');
    assert.match(code, /WasmBackendModuleThreadedSimd/, 'the tfjs WASM backend is bundled');
    assert.match(code, /"u">typeof (\w+)&&\1&&\(\w+=\1\)/, "Emscripten's `typeof _scriptDir` guard is kept");
    assert.match(fs.readFileSync(worker, 'utf8'), /postMessage\(\["guardmin-probe-worker",\w\.data\]\)/, 'the worker is minified');

    const report = await scan([dist]);
    assert.deepEqual(problems(report), [], JSON.stringify(report.findings, null, 2));
    assert.equal(report.files_scanned, files.length);

    for (const [file, needle, src] of [
      [main, '"guardmin-probe-main"', 'main.js'],
      [worker, '"guardmin-probe-worker"', 'worker.js'],
    ]) {
      const { original } = traceNeedle(file, needle);
      assert.match(original.source ?? '', new RegExp(`/src/${src.replace('.', '\\.')}$`), JSON.stringify(original));
      assert.equal(original.line, sourceLine(src, needle.slice(1, -1)), JSON.stringify(original));
    }
  });

  test("without it (webpack's default terser): guardmin scan finds the broken guards", async () => {
    const dir = prepareApp('webpack-terser');
    const r = await webpackBuild(dir, config({ minimizer: "['...']" }));
    assert.equal(r.code, 0, r.output);
    const report = await scan([path.join(dir, 'dist')]);
    assertBrokenGuards(report);
  });

  test("GuardminPlugin({ minify: false }) after terser scans terser's output and fails the build", async () => {
    const dir = prepareApp('webpack-terser-scan');
    const r = await webpackBuild(dir, config({ entry: './src/small.js', minimizer: "['...', new GuardminPlugin({ minify: false })]" }));
    assert.notEqual(r.code, 0, r.output);
    // webpack's form: the asset, then the module and its line:column (0-based column).
    assert.match(r.output, /ERROR in main\.\w+\.js\n\.\/src\/string-worker\.js \d+:\d+\nguardmin: main\.\w+\.js:1:\d+: error emscripten-script-dir: /);
    assert.match(r.output, /original source: webpack:\/\/[\w-]+\/\.\/src\/string-worker\.js:\d+:\d+ \(scriptUrl\)/);
  });

  test('an asset that does not parse fails the build with file, line and column', async () => {
    const dir = prepareApp('webpack-broken-asset');
    const prelude = `class EmitBroken {
  apply(compiler) {
    compiler.hooks.thisCompilation.tap('EmitBroken', (compilation) => {
      compilation.hooks.processAssets.tap({ name: 'EmitBroken', stage: compiler.webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL }, () => {
        compilation.emitAsset('broken.js', new compiler.webpack.sources.RawSource('export const ok = 1;\\nfunction (\\n'));
      });
    });
  }
}`;
    const r = await webpackBuild(dir, config({ entry: './src/small.js', prelude, plugins: '[new EmitBroken()]' }));
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, /ERROR in broken\.js\nbroken\.js:2:10: guardmin could not minify it: syntax error/);
    assert.match(r.output, /2 \| function \(\n\s+\|\s+\^/, 'a code frame points at it');
    assert.equal((r.output.match(/broken\.js:2:10/g) || []).length, 1, 'reported once, not again by the scan');
  });

  test("a broken guard in the app's own code fails the build, naming the emitted and the original position", async () => {
    const dir = prepareApp('webpack-finding');
    const r = await webpackBuild(dir, config({ entry: './src/finding.js' }));
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, /ERROR in main\.\w+\.js\n\.\/src\/broken-closure\.js \d+:\d+\nguardmin: main\.\w+\.js:1:\d+: error serialized-closure: /);
    const line = sourceLine('broken-closure.js', 'self.postMessage(origin)');
    assert.match(r.output, new RegExp(`original source: webpack://[\\w-]+/\\./src/broken-closure\\.js:${line}:\\d+`));
  });

  test('one guardmin process serves the build, options passed as CLI flags', async () => {
    const dir = prepareApp('webpack-one-process');
    const counting = countingBinary(dir);
    const r = await webpackBuild(dir, config({ entry: './src/with-worker.js', minimizer: "[new GuardminPlugin({ mangle: false, define: { DEBUG: 'false' } })]" }), {
      env: buildEnv({ GUARDMIN_BINARY: counting.bin }),
    });
    assert.equal(r.code, 0, r.output);
    assert.deepEqual(counting.starts(), ['batch --no-mangle --define DEBUG=false']);
    assert.equal((r.output.match(/\[minimized\]/g) || []).length, 2, 'the entry and the worker chunk');
  });

  test('test / include / exclude choose the assets it minifies', async () => {
    const dir = prepareApp('webpack-exclude');
    const cfg = config({ minimizer: '[new GuardminPlugin({ exclude: /^b\\./ })]' })
      .replace('entry: "./src/main.js"', "entry: { a: './src/small.js', b: './src/worker.js' }")
      .replace("'[name].[contenthash:8].js'", "'[name].js'");
    const r = await webpackBuild(dir, cfg);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /asset a\.js .*\[minimized\]/);
    assert.doesNotMatch(r.output, /asset b\.js .*\[minimized\]/);
    assert.doesNotMatch(fs.readFileSync(path.join(dir, 'dist/a.js'), 'utf8'), /\/\/ A small entry/);
    assert.match(fs.readFileSync(path.join(dir, 'dist/b.js'), 'utf8'), /\/\/ A module worker that the bundler emits/);
  });

  test('with the binary missing the build fails with the clear message, not a stack trace', async () => {
    const dir = prepareApp('webpack-no-binary');
    const r = await webpackBuild(dir, config({ entry: './src/small.js' }), {
      env: buildEnv({ GUARDMIN_BINARY: path.join(dir, 'no-such-guardmin') }),
    });
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, /GUARDMIN_BINARY is set to \S+no-such-guardmin, which is not an executable file/);
    assert.match(r.output, /cargo build --release/);
    assert.deepEqual(stackLines(r.output), []);
  });
});
