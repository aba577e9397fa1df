// guardmin/vite against the real Vite 7 and Vite 8 CLIs, building the test app in
// npm/test/app (tfjs with its WASM backend, a file worker, an inlined worker, and a module
// worker started from a stringified function).
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  checkSetup,
  prepareApp,
  viteBuild,
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

const WITH_GUARDMIN = `import guardmin from 'guardmin/vite';
export default { logLevel: 'warn', build: { sourcemap: true }, plugins: [guardmin()] };
`;

// A small page (no tfjs) and plugins that misbehave on purpose.
const smallConfig = ({ input = 'small.html', plugins = '', build = '', guardmin = '' } = {}) => `import guardmin from 'guardmin/vite';
export default {
  logLevel: 'warn',
  build: { sourcemap: true, rollupOptions: { input: ${JSON.stringify(input)} }, ${build} },
  plugins: [${plugins} guardmin(${guardmin})],
};
`;

const find = (files, re) => {
  const f = files.find((x) => re.test(x.split(path.sep).join('/')));
  assert.ok(f, `no emitted file matches ${re}: ${files.join(', ')}`);
  return f;
};

for (const major of [7, 8]) {
  describe(`vite ${major}`, () => {
    test('with guardmin: the tfjs app builds, every emitted JS file passes guardmin scan, and source maps lead back to the app', async () => {
      const dir = prepareApp(`vite${major}-guardmin`);
      const r = await viteBuild(major, dir, WITH_GUARDMIN);
      assert.equal(r.code, 0, r.output);
      const dist = path.join(dir, 'dist');
      const files = jsFiles(dist);
      const main = find(files, /assets\/index-[\w-]+\.js$/);
      const worker = find(files, /assets\/worker-[\w-]+\.js$/);

      // guardmin minified it: the whole main chunk, the tfjs glue, the file worker and the
      // inlined worker (whose minified text sits in a string of the main chunk).
      const code = fs.readFileSync(main, 'utf8');
      assert.match(code, /WasmBackendModuleThreadedSimd/, 'the tfjs WASM backend is bundled');
      assert.match(code, /"u">typeof (\w+)&&\1&&\(\w+=\1\)/, "Emscripten's `typeof _scriptDir` guard is kept");
      assert.match(code, /postMessage\(\[\\?["']guardmin-probe-inline-worker\\?["'],\w\.data\]\)/, 'the inlined worker is minified');
      assert.match(fs.readFileSync(worker, 'utf8'), /self\.onmessage=\w=>\{?self\.postMessage\(\["guardmin-probe-worker",\w\.data\]\)/);

      const report = await scan([dist]);
      assert.deepEqual(problems(report), [], JSON.stringify(report.findings, null, 2));
      assert.equal(report.files_scanned, files.length);
      assert.equal(report.code, 0);

      for (const [file, needle, src] of [
        [main, '"guardmin-probe-main"', 'main.js'],
        [worker, '"guardmin-probe-worker"', 'worker.js'],
      ]) {
        const { original } = traceNeedle(file, needle);
        assert.match(original.source ?? '', new RegExp(`(^|/)src/${src.replace('.', '\\.')}$`), JSON.stringify(original));
        assert.equal(original.line, sourceLine(src, needle.slice(1, -1)), JSON.stringify(original));
      }
    });

    test('one guardmin process serves the build and its worker builds, all minified', async () => {
      const dir = prepareApp(`vite${major}-one-process`);
      const counting = countingBinary(dir);
      const r = await viteBuild(major, dir, smallConfig({ input: 'workers.html', guardmin: "{ comments: 'none', threads: 1 }" }), {
        env: buildEnv({ GUARDMIN_BINARY: counting.bin }),
        timeout: 30_000, // guardmin batch --threads 1 must answer before its input ends
      });
      assert.equal(r.code, 0, r.output);
      assert.deepEqual(counting.starts(), ['batch --comments none --threads 1']);
      const files = jsFiles(path.join(dir, 'dist'));
      const entry = fs.readFileSync(find(files, /assets\/workers-[\w-]+\.js$/), 'utf8');
      assert.match(entry, /postMessage\(\[\\?["']guardmin-probe-inline-worker\\?["'],\w\.data\]\)/, 'the inlined worker is minified');
      assert.match(fs.readFileSync(find(files, /assets\/worker-[\w-]+\.js$/), 'utf8'), /self\.onmessage=\w=>/, 'the file worker is minified');
    });

    test("comments: 'linked' writes CHUNK.LICENSE.txt under the chunk's final name, and a banner naming it", async () => {
      const dir = prepareApp(`vite${major}-linked-licenses`);
      // A plugin that gives the entry chunk a license comment before guardmin sees it.
      // (order 'post': Vite 7's own renderChunk drops comments a normal one adds.)
      const licensed = `{ name: 'add-license', renderChunk: { order: 'post', handler(code, chunk) { return chunk.isEntry ? '/*! probe-license MIT */\\n' + code : null; } } },`;
      const r = await viteBuild(major, dir, smallConfig({ plugins: licensed, guardmin: "{ comments: 'linked' }" }));
      assert.equal(r.code, 0, r.output);
      const files = jsFiles(path.join(dir, 'dist'));
      const entry = find(files, /assets\/small-[\w-]+\.js$/);
      const code = fs.readFileSync(entry, 'utf8');
      assert.equal(fs.readFileSync(`${entry}.LICENSE.txt`, 'utf8'), '/*! probe-license MIT */\n');
      assert.ok(!code.includes('probe-license'), code.slice(0, 200));
      assert.match(code, new RegExp(`/\\*! For license information please see ${path.basename(entry).replace(/[.$-]/g, '\\$&')}\\.LICENSE\\.txt \\*/`));
      // An `es` chunk is a module: its top-level names are mangled (the entry's `worker`).
      assert.doesNotMatch(code, /\bconst worker=/, code.slice(-300));
    });

    test('a chunk that does not parse fails the build with file, line and column', async () => {
      const dir = prepareApp(`vite${major}-broken-chunk`);
      // A plugin that appends code after every other renderChunk hook, just before guardmin.
      const breaker = `{ name: 'append-broken-code', renderChunk: { order: 'post', handler(code, chunk) { return chunk.isEntry ? code + '\\nlet let = 1;\\n' : null; } } },`;
      const r = await viteBuild(major, dir, smallConfig({ plugins: breaker }));
      assert.notEqual(r.code, 0, r.output);
      assert.match(r.output, /assets\/small-\[hash\]\.js:\d+:5: guardmin could not minify it \(a chunk; entry small\.html;[^)]*\): syntax error/);
      assert.match(r.output, /\| let let = 1;\n\s+\|\s+\^/, 'a code frame points at it');
    });

    test('an emitted JS asset that does not parse fails the build with file, line and column', async () => {
      const dir = prepareApp(`vite${major}-broken-asset`);
      const emitter = `{ name: 'emit-broken-asset', generateBundle() { this.emitFile({ type: 'asset', fileName: 'assets/broken.js', source: 'export const ok = 1;\\nfunction (\\n' }); } },`;
      const r = await viteBuild(major, dir, smallConfig({ plugins: emitter }));
      assert.notEqual(r.code, 0, r.output);
      assert.match(r.output, /assets\/broken\.js:2:10: guardmin could not read it: syntax error/);
    });

    test("a broken guard in the app's own code fails the build, naming the emitted and the original position", async () => {
      const dir = prepareApp(`vite${major}-finding`);
      const r = await viteBuild(major, dir, smallConfig({ input: 'finding.html' }));
      assert.notEqual(r.code, 0, r.output);
      assert.match(r.output, /assets\/finding-[\w-]+\.js:1:\d+: error serialized-closure: /);
      const line = sourceLine('broken-closure.js', 'self.postMessage(origin)');
      assert.match(r.output, new RegExp(`original source: src/broken-closure\\.js:${line}:\\d+ \\(origin\\)`));
    });

    test('a broken guard in an inlined ?worker&inline worker fails the build', async () => {
      const dir = prepareApp(`vite${major}-inline-finding`);
      const r = await viteBuild(major, dir, smallConfig({ input: 'inline.html' }));
      assert.notEqual(r.code, 0, r.output);
      assert.match(r.output, /assets\/inline-broken-[\w-]+\.js \(worker bundle\):1:\d+: error serialized-closure: /);
      assert.match(r.output, /original source: src\/broken-closure\.js:\d+:\d+ \(origin\)/);
    });

    test('asking Vite for another minifier warns, and guardmin minifies anyway', async () => {
      const dir = prepareApp(`vite${major}-other-minifier`);
      const r = await viteBuild(major, dir, smallConfig({ build: "minify: 'terser'" }));
      assert.equal(r.code, 0, r.output);
      assert.match(r.output, /\[guardmin\] build\.minify: "terser" is ignored: guardmin minifies this build/);
      const [small] = jsFiles(path.join(dir, 'dist'));
      assert.match(fs.readFileSync(small, 'utf8'), /"u">typeof (\w+)&&\1&&\(\w+=\1\)/, 'the guard of the stringified factory is kept');
      assert.deepEqual(problems(await scan([path.join(dir, 'dist')])), []);
    });

    test('with the binary missing the build fails with the clear message, not a stack trace', async () => {
      const dir = prepareApp(`vite${major}-no-binary`);
      const r = await viteBuild(major, dir, smallConfig(), { env: buildEnv({ GUARDMIN_BINARY: path.join(dir, 'no-such-guardmin') }) });
      assert.notEqual(r.code, 0, r.output);
      assert.match(r.output, /GUARDMIN_BINARY is set to \S+no-such-guardmin, which is not an executable file/);
      assert.match(r.output, /cargo build --release/);
      assert.deepEqual(stackLines(r.output), []);
    });
  });
}

describe('vite 8 without guardmin', () => {
  test("its default minifier (Oxc) breaks the guards, and guardmin scan finds them", async () => {
    const dir = prepareApp('vite8-oxc');
    const r = await viteBuild(8, dir, 'export default { logLevel: "warn", build: { sourcemap: true } };\n');
    assert.equal(r.code, 0, r.output);
    const report = await scan([path.join(dir, 'dist')]);
    assertBrokenGuards(report);
  });

  test('guardmin({ minify: false }) keeps Oxc and fails the build on what it broke', async () => {
    const dir = prepareApp('vite8-oxc-scan-only');
    const r = await viteBuild(8, dir, smallConfig({ guardmin: '{ minify: false }' }));
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, /assets\/small-[\w-]+\.js:1:\d+: error emscripten-script-dir: [\s\S]*original source: src\/string-worker\.js:\d+:\d+ \(scriptUrl\)/);
  });
});
