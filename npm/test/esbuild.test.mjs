// guardmin/esbuild against the real esbuild (its JavaScript API: plugins need it), building the
// test app in npm/test/app (tfjs with its WASM backend and a module worker started from a
// stringified function) from a build script run in a child process, as a project would.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  checkSetup,
  prepareApp,
  run,
  jsFiles,
  scan,
  traceNeedle,
  sourceLine,
  stackLines,
  buildEnv,
  problems,
  requireDep,
} from './helpers.mjs';

before(checkSetup);

/** Runs an esbuild build script in `dir`: `options` is the source of the build options object. */
function esbuildBuild(dir, options, opts = {}) {
  fs.writeFileSync(
    path.join(dir, 'build.mjs'),
    `import * as esbuild from 'esbuild';
import guardmin from 'guardmin/esbuild';
const result = await esbuild.build(${options});
console.log('RESULT ' + JSON.stringify({
  warnings: result.warnings.map((w) => w.text),
  outputFiles: result.outputFiles && result.outputFiles.map((f) => ({ path: f.path, text: f.text })),
}));
`,
  );
  return run(process.execPath, ['build.mjs'], { cwd: dir, ...opts });
}
const result = (r) => JSON.parse(/^RESULT (.*)$/m.exec(r.stdout)[1]);
const TFJS_GUARD = /"u">typeof (\w+)&&\1&&\(\w+=\1\)/;

describe('esbuild', () => {
  test('with guardmin: the tfjs app builds, minified by guardmin, passes guardmin scan, and its map leads back to the app', async () => {
    const dir = prepareApp('esbuild-guardmin');
    const r = await esbuildBuild(dir, "{ entryPoints: ['src/main.js'], bundle: true, format: 'esm', outdir: 'dist', sourcemap: true, logLevel: 'warning', plugins: [guardmin()] }");
    assert.equal(r.code, 0, r.output);
    assert.deepEqual(result(r).warnings, []);
    const files = jsFiles(path.join(dir, 'dist'));
    assert.equal(files.length, 1, files.join(', '));
    const code = fs.readFileSync(files[0], 'utf8');
    assert.match(code, /WasmBackendModuleThreadedSimd/, 'the tfjs WASM backend is bundled');
    assert.match(code, TFJS_GUARD, "Emscripten's `typeof _scriptDir` guard is kept");
    const plain = await esbuildBuild(dir, "{ entryPoints: ['src/main.js'], bundle: true, format: 'esm', outdir: 'dist-plain', logLevel: 'warning' }");
    assert.equal(plain.code, 0, plain.output);
    const plainSize = fs.statSync(path.join(dir, 'dist-plain/main.js')).size;
    assert.ok(code.length < plainSize * 0.6, `minified: ${code.length} bytes, ${plainSize} without guardmin`);
    assert.match(code, /\n\/\/# sourceMappingURL=main\.js\.map\n$/);
    const report = await scan([path.join(dir, 'dist')]);
    assert.deepEqual(problems(report), [], JSON.stringify(report.findings, null, 2));
    const { original } = traceNeedle(files[0], '"guardmin-probe-main"');
    assert.match(original.source ?? '', /(^|\/)src\/main\.js$/, JSON.stringify(original));
    assert.equal(original.line, sourceLine('main.js', 'guardmin-probe-main'));
  });

  test("esbuild's minify option is turned off with a warning, and guardmin minifies", async () => {
    const dir = prepareApp('esbuild-minify-asked');
    const r = await esbuildBuild(dir, "{ entryPoints: ['src/small.js'], bundle: true, outdir: 'dist', minify: true, logLevel: 'silent', plugins: [guardmin()] }");
    assert.equal(r.code, 0, r.output);
    assert.deepEqual(result(r).warnings, [
      "minify ignored: guardmin minifies this build (other minifiers rewrite typeof guards that workers rely on); remove guardmin() from plugins to use esbuild's minifier, or pass guardmin({ minify: false }) to keep it and only scan",
    ]);
    const code = fs.readFileSync(path.join(dir, 'dist/small.js'), 'utf8');
    assert.match(code, /"u">typeof (\w+)&&\1&&/, 'the guard of the stringified factory is kept (guardmin writes `"u">typeof x`, esbuild `typeof x<"u"`)');
  });

  test('write: false: the result holds the minified files and their map, and nothing is written', async () => {
    const dir = prepareApp('esbuild-no-write');
    const r = await esbuildBuild(dir, "{ entryPoints: ['src/small.js'], bundle: true, outdir: 'dist', sourcemap: 'external', write: false, logLevel: 'silent', plugins: [guardmin()] }");
    assert.equal(r.code, 0, r.output);
    assert.ok(!fs.existsSync(path.join(dir, 'dist')), 'nothing written');
    const out = result(r).outputFiles;
    assert.deepEqual(out.map((f) => path.basename(f.path)).sort(), ['small.js', 'small.js.map']);
    const js = out.find((f) => f.path.endsWith('.js')).text;
    assert.match(js, /"u">typeof (\w+)&&\1&&/);
    assert.doesNotMatch(js, /sourceMappingURL/, "'external': no comment");
    const map = JSON.parse(out.find((f) => f.path.endsWith('.map')).text);
    assert.ok(map.sources.some((s) => s.endsWith('src/string-worker.js')), map.sources.join(', '));
  });

  test("sourcemap: 'inline': the minified file carries its composed map", async () => {
    const dir = prepareApp('esbuild-inline-map');
    const r = await esbuildBuild(dir, "{ entryPoints: ['src/small.js'], bundle: true, outdir: 'dist', sourcemap: 'inline', logLevel: 'silent', plugins: [guardmin()] }");
    assert.equal(r.code, 0, r.output);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'dist')), ['small.js']);
    const code = fs.readFileSync(path.join(dir, 'dist/small.js'), 'utf8');
    const m = /\/\/# sourceMappingURL=data:application\/json;base64,(\S+)\n$/.exec(code);
    assert.ok(m, 'an inline map at the end');
    const { TraceMap, originalPositionFor } = requireDep('@jridgewell/trace-mapping');
    const map = new TraceMap(Buffer.from(m[1], 'base64').toString('utf8'));
    const at = code.indexOf('"guardmin-probe-small"');
    const before = code.slice(0, at);
    const o = originalPositionFor(map, { line: before.split('\n').length, column: at - (before.lastIndexOf('\n') + 1) });
    assert.match(o.source ?? '', /src\/small\.js$/);
    assert.equal(o.line, sourceLine('small.js', 'guardmin-probe-small'));
  });

  test("guardmin({ minify: false }) keeps esbuild's minifier, which keeps typeof guards: the build passes", async () => {
    const dir = prepareApp('esbuild-scan-only');
    const r = await esbuildBuild(dir, "{ entryPoints: ['src/small.js'], bundle: true, outdir: 'dist', minify: true, logLevel: 'silent', plugins: [guardmin({ minify: false })] }");
    assert.equal(r.code, 0, r.output);
    assert.deepEqual(result(r).warnings, []);
    assert.match(fs.readFileSync(path.join(dir, 'dist/small.js'), 'utf8'), /typeof (\w+)<"u"&&\1&&/, "esbuild's own minified output");
  });

  test("a broken guard in the app's own code fails the build, at its place in the original module", async () => {
    const dir = prepareApp('esbuild-finding');
    const r = await esbuildBuild(dir, "{ entryPoints: ['src/finding.js'], bundle: true, outdir: 'dist', sourcemap: true, logLevel: 'error', color: false, plugins: [guardmin()] }");
    assert.notEqual(r.code, 0, r.output);
    const line = sourceLine('broken-closure.js', 'self.postMessage(origin)');
    const column = fs.readFileSync(path.join(dir, 'src/broken-closure.js'), 'utf8').split('\n')[line - 1].indexOf('origin);');
    // esbuild's own form: `<file>:<line>:<column>: ERROR: [plugin: guardmin] <text>` (0-based column).
    assert.match(
      r.output,
      new RegExp(`\\nsrc/broken-closure\\.js:${line}:${column}: ERROR: \\[plugin: guardmin\\] dist/finding\\.js:1:\\d+: error serialized-closure: `),
    );
    assert.match(r.output, new RegExp(`original source: src/broken-closure\\.js:${line}:${column + 1} \\(origin\\)`));
    assert.ok(!fs.existsSync(path.join(dir, 'dist')), 'nothing written');
  });

  test("with the binary missing the build fails with the clear message, in esbuild's log and with no stack from guardmin", async () => {
    const dir = prepareApp('esbuild-no-binary');
    const r = await esbuildBuild(dir, "{ entryPoints: ['src/small.js'], bundle: true, outdir: 'dist', logLevel: 'error', plugins: [guardmin()] }", {
      env: buildEnv({ GUARDMIN_BINARY: path.join(dir, 'no-such-guardmin') }),
    });
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, /✘ \[ERROR\] guardmin: GUARDMIN_BINARY is set to \S+no-such-guardmin, which is not an executable file/);
    assert.match(r.output, /cargo build --release/);
    // The build script does not catch, so Node prints esbuild's stack; none of it is guardmin's.
    assert.deepEqual(stackLines(r.output).filter((l) => /lib\/(esbuild|client|binary)\.cjs/.test(l)), []);
  });
});
