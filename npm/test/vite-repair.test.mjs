// guardmin({ minify: 'repair' }) for Vite (issue 15, Must-show 4): Vite's own minifier stays
// (Oxc in Vite 8, terser when asked for in Vite 7) and generateBundle repairs what it broke with
// `guardmin fix`. Each repaired build is compared with the same build without guardmin: the
// files are the plain build's with exactly the reads `guardmin fix --check` names replaced, and
// the source maps lead every token outside those reads to the same original line, column and
// name as the plain build's.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { checkSetup, prepareApp, viteBuild, jsFiles, scan, sourceLine, problems, requireDep, PKG, DEPS } from './helpers.mjs';
import { repairsOf, splices, applySplices, compareMaps } from './repair-helpers.mjs';

before(checkSetup);

// The repaired builds log at 'info', where the plugin says what it repaired.
const config = ({ input, guardmin = null, build = '' }) => `${guardmin ? "import guardmin from 'guardmin/vite';\n" : ''}export default {
  logLevel: ${guardmin ? "'info'" : "'warn'"},
  build: { ${build} ${input ? `rollupOptions: { input: ${JSON.stringify(input)} },` : ''} },
  plugins: [${guardmin ? `guardmin(${guardmin})` : ''}],
};
`;

/** Builds the app twice, at once: as it is (`plain`) and with guardmin({ minify: 'repair' }). */
async function buildPair(name, major, opts) {
  const plainDir = prepareApp(`${name}-plain`);
  const repairDir = prepareApp(`${name}-repair`);
  const [p, r] = await Promise.all([
    viteBuild(major, plainDir, config(opts)),
    viteBuild(major, repairDir, config({ ...opts, guardmin: "{ minify: 'repair' }" })),
  ]);
  assert.equal(p.code, 0, p.output);
  assert.equal(r.code, 0, r.output);
  const rel = (dir) => jsFiles(path.join(dir, 'dist')).map((f) => path.relative(path.join(dir, 'dist'), f));
  return { plainDir, repairDir, plainFiles: rel(plainDir), repairFiles: rel(repairDir), output: r.output };
}

/**
 * For every JavaScript file of the pair: the repaired file is the plain one with exactly the
 * reads `guardmin fix --check` names in it repaired. Returns { file, list, plain, repaired } per file.
 */
async function assertOnlyRepaired(pair) {
  // Vite names chunks by hashes taken before generateBundle: the names are the plain build's.
  assert.deepEqual(pair.repairFiles, pair.plainFiles, 'the same files, under the same names');
  const out = [];
  for (const file of pair.plainFiles) {
    const plain = fs.readFileSync(path.join(pair.plainDir, 'dist', file), 'utf8');
    const repaired = fs.readFileSync(path.join(pair.repairDir, 'dist', file), 'utf8');
    const list = splices(plain, await repairsOf(path.join(pair.plainDir, 'dist', file)));
    // An inline map differs as the map does (compared separately): the code before it must not.
    assert.equal(cutInlineMap(repaired), cutInlineMap(applySplices(plain, list)), `${file}: the plain build's code with only the broken reads repaired`);
    for (const s of list) assert.ok(s.delta <= 16, `${file}: ${s.before} -> ${s.after} grows by ${s.delta} bytes`);
    out.push({ file, list, plain, repaired });
  }
  return out;
}

const INLINE_MAP = /\/\/# sourceMappingURL=data:[^\n]*\s*$/;
const cutInlineMap = (code) => code.replace(INLINE_MAP, '');

const readMap = (dir, file) => JSON.parse(fs.readFileSync(path.join(dir, 'dist', `${file}.map`), 'utf8'));

describe("vite 8, Oxc + guardmin({ minify: 'repair' })", () => {
  let pair;
  let files;
  before(async () => {
    pair = await buildPair('vite8-repair-tfjs', 8, { build: 'sourcemap: true,' });
    files = await assertOnlyRepaired(pair);
  });

  test("the tfjs app: Oxc's output, only the broken guards repaired, and every emitted file passes guardmin scan", async () => {
    const repaired = files.flatMap((f) => f.list.map((s) => ({ ...s, file: f.file })));
    assert.ok(repaired.length >= 2, `Oxc broke Emscripten's _scriptDir guard and the app's scriptUrl one: ${JSON.stringify(repaired)}`);
    for (const s of repaired) assert.match(s.after, /^\(?typeof [\w$]+[<>]"u"/, JSON.stringify(s));
    const main = files.find((f) => /assets\/index-[\w-]+\.js$/.test(f.file));
    assert.ok(main, pair.repairFiles.join(', '));
    assert.match(main.repaired, /WasmBackendModuleThreadedSimd/, 'the tfjs WASM backend is bundled');
    // Oxc's output (template literals for strings), not guardmin's.
    assert.match(main.repaired, /postMessage\(`guardmin-probe-main`|`guardmin-probe-main`/);
    const report = await scan([path.join(pair.repairDir, 'dist')]);
    assert.deepEqual(problems(report), [], JSON.stringify(report.findings, null, 2));
    assert.match(pair.output, /repaired \d+ reads? in assets\/index-[\w-]+\.js: `[^`]+` -> `typeof /);
  });

  test('source maps: every token outside a repaired read maps to the same original place as in the plain build', async () => {
    const { TraceMap, originalPositionFor } = requireDep('@jridgewell/trace-mapping');
    let checked = 0;
    for (const f of files) {
      if (!fs.existsSync(path.join(pair.plainDir, 'dist', `${f.file}.map`))) continue;
      const plainMap = readMap(pair.plainDir, f.file);
      const repairedMap = readMap(pair.repairDir, f.file);
      const { compared, after } = compareMaps(plainMap, repairedMap, f.list);
      assert.ok(compared > 0);
      // The issue's check: a position after a repaired read, on its line, maps to the same
      // original line and column before and after the fix.
      const plainTrace = new TraceMap(plainMap);
      const repairedTrace = new TraceMap(repairedMap);
      for (const a of after) {
        const want = originalPositionFor(plainTrace, { line: a.line, column: a.plainColumn });
        const got = originalPositionFor(repairedTrace, { line: a.line, column: a.repairedColumn });
        assert.ok(want.source, JSON.stringify(a));
        assert.deepEqual(got, want, `${f.file}:${a.line}: after ${a.repair.after}`);
        if (a.repair.delta) assert.notEqual(a.repairedColumn, a.plainColumn);
        checked++;
      }
    }
    assert.ok(checked >= 2, `positions after a repaired read: ${checked}`);
  });

  test("the app's own repaired guard maps back to its place in string-worker.js", () => {
    const { TraceMap, originalPositionFor } = requireDep('@jridgewell/trace-mapping');
    const main = files.find((f) => /assets\/index-[\w-]+\.js$/.test(f.file));
    const map = new TraceMap(readMap(pair.repairDir, main.file));
    const line = sourceLine('string-worker.js', "typeof scriptUrl !== 'undefined'");
    const hits = main.list.map((s) => {
      const shift = main.list.filter((o) => o.line === s.line && o.index < s.index).reduce((n, o) => n + o.delta, 0);
      // `typeof X<"u"`: X sits 7 characters in.
      return originalPositionFor(map, { line: s.line, column: s.start + shift + s.after.indexOf('typeof ') + 7 });
    });
    assert.ok(
      hits.some((o) => /src\/string-worker\.js$/.test(o.source || '') && o.line === line),
      `a repaired read maps to string-worker.js:${line}: ${JSON.stringify(hits)}`,
    );
  });
});

describe("guardmin({ minify: 'repair' }) with other source-map settings and minifiers", () => {
  test("Vite 8, build.sourcemap 'inline': the inline map is updated as the file's would be", async () => {
    const pair = await buildPair('vite8-repair-inline', 8, { input: 'small.html', build: "sourcemap: 'inline'," });
    const [f] = await assertOnlyRepaired(pair);
    assert.equal(f.list.length, 1, JSON.stringify(f.list));
    const inline = (code) => {
      const m = /\/\/# sourceMappingURL=data:application\/json;[^,]*base64,([A-Za-z0-9+/=]+)\s*$/.exec(code);
      assert.ok(m, code.slice(-200));
      return JSON.parse(Buffer.from(m[1], 'base64').toString('utf8'));
    };
    const { compared, after } = compareMaps(inline(f.plain), inline(f.repaired), f.list);
    assert.ok(compared > 0 && after.length === 1, JSON.stringify(after));
  });

  test("Vite 7 with build.minify 'terser': terser's output repaired, its .map file updated", async () => {
    const pair = await buildPair('vite7-repair-terser', 7, { input: 'small.html', build: "sourcemap: true, minify: 'terser'," });
    const [f] = await assertOnlyRepaired(pair);
    assert.equal(f.list.length, 1, `terser broke the stringified factory's guard: ${JSON.stringify(f.list)}`);
    const { after } = compareMaps(readMap(pair.plainDir, f.file), readMap(pair.repairDir, f.file), f.list);
    assert.equal(after.length, 1);
    assert.deepEqual(problems(await scan([path.join(pair.repairDir, 'dist')])), []);
  });

  test('Vite 7 with its default minifier (esbuild, which keeps typeof guards): nothing to repair, the build is the plain one', async () => {
    const pair = await buildPair('vite7-repair-esbuild', 7, { build: 'sourcemap: true,' });
    const files = await assertOnlyRepaired(pair);
    assert.deepEqual(files.flatMap((f) => f.list), []);
    for (const f of files) {
      assert.equal(fs.readFileSync(path.join(pair.repairDir, 'dist', `${f.file}.map`), 'utf8'), fs.readFileSync(path.join(pair.plainDir, 'dist', `${f.file}.map`), 'utf8'));
    }
    // The scan still speaks: tfjs's threaded glue gets its note, once.
    assert.equal((pair.output.match(/info threaded-wasm: /g) || []).length, 1, pair.output);
    assert.doesNotMatch(pair.output, /repaired \d+ read/);
  });
});

test('vite 8: a warning after a repaired read on its line is reported where it is in the repaired file', async () => {
  // The scan before the repair is not repeated after it: its warnings move along their line.
  const dir = prepareApp('vite8-repair-warning');
  fs.writeFileSync(
    path.join(dir, 'src/warn.js'),
    "import { startStringWorker } from './string-worker.js';\n\nstartStringWorker().postMessage('guardmin-probe-warn');\n" +
      "if (guardminUndeclaredProbe === undefined) console.log('guardmin-probe-warning');\n",
  );
  const r = await viteBuild(8, dir, config({ input: 'src/warn.js', guardmin: "{ minify: 'repair' }", build: 'sourcemap: true,' }));
  assert.equal(r.code, 0, r.output);
  assert.match(r.output, /repaired 1 read in assets\/warn-/);
  const printed = /assets\/(warn-[\w-]+\.js):(\d+):(\d+): warning undeclared-void-compare: /.exec(r.output);
  assert.ok(printed, r.output);
  const report = await scan([path.join(dir, 'dist')]);
  const [warning] = report.findings.filter((f) => f.rule === 'undeclared-void-compare');
  assert.ok(warning && report.findings.length === 1, JSON.stringify(report.findings));
  assert.deepEqual([Number(printed[2]), Number(printed[3])], [warning.line, warning.column], 'the place guardmin scan gives in the written file');
  assert.deepEqual(await repairsOf(path.join(dir, 'dist/assets', printed[1])), [], 'nothing left to repair');
  assert.match(r.output, /original source: src\/warn\.js:4:5\n/, 'line 4 of warn.js, at the comparison');
});

for (const major of [7, 8]) {
  test(`vite ${major}: a read guardmin fix cannot repair fails the build, at its place in the app's source`, async () => {
    const dir = prepareApp(`vite${major}-repair-finding`);
    const minify = major === 7 ? "minify: 'terser'," : '';
    const r = await viteBuild(major, dir, config({ input: 'finding.html', guardmin: "{ minify: 'repair' }", build: `sourcemap: true, ${minify}` }));
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, /assets\/finding-[\w-]+\.js:1:\d+: error serialized-closure: [^\n]*\n  guardmin fix cannot repair it: /);
    const line = sourceLine('broken-closure.js', 'self.postMessage(origin)');
    assert.match(r.output, new RegExp(`original source: src/broken-closure\\.js:${line}:\\d+`));
    // The error's id and loc (Vite 7 prints `file: <id>:<line>:<column>`, Vite 8 `[plugin guardmin] <id>:<line>:<column>`).
    const file = path.join(dir, 'src/broken-closure.js').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(r.output, new RegExp(`${file}:${line}:\\d+`));
    assert.ok(!fs.existsSync(path.join(dir, 'dist/finding.html')), 'nothing is written');
  });
}

test("vite 8: with ignoreRules, a read of an ignored rule that cannot be repaired does not fail the build", async () => {
  const dir = prepareApp('vite8-repair-ignored');
  const r = await viteBuild(8, dir, config({ input: 'finding.html', guardmin: "{ minify: 'repair', ignoreRules: ['serialized-closure'] }" }));
  assert.equal(r.code, 0, r.output);
  assert.doesNotMatch(r.output, /cannot repair|repaired \d+ read/, r.output);
});

test("options: minify takes true, false or 'repair'; esbuild's plugin refuses 'repair'", () => {
  const pkgRequire = createRequire(path.join(PKG, 'package.json'));
  const vite = pkgRequire('./lib/vite.cjs');
  const GuardminPlugin = pkgRequire('./lib/webpack.cjs');
  const esbuild = pkgRequire('./lib/esbuild.cjs');
  assert.throws(() => vite({ minify: 'fast' }), /`minify` must be true, false or 'repair', not "fast"/);
  assert.throws(() => new GuardminPlugin({ minify: 'fix' }), /`minify` must be true, false or 'repair'/);
  assert.throws(() => esbuild({ minify: 'repair' }), /esbuild's keeps them: pass `minify: false`/);
  assert.equal(typeof vite({ minify: 'repair' }).generateBundle, 'function');
  assert.equal(new GuardminPlugin({ minify: 'repair' }).options.minify, 'repair');
});

describe("guardmin/vite as a plain plugin with minify: 'repair'", () => {
  // Builds src/small.js through the JavaScript API, with and without the plugin.
  async function pair(name, bundle) {
    const dir = prepareApp(name);
    const out = {};
    for (const variant of ['plain', 'repair']) {
      await bundle(dir, path.join(dir, variant), variant === 'repair' ? [requireDep('guardmin/vite')({ minify: 'repair' })] : []);
      out[variant] = fs.readFileSync(path.join(dir, variant, 'small.js'), 'utf8');
    }
    const list = splices(out.plain, await repairsOf(path.join(dir, 'plain', 'small.js')));
    assert.equal(list.length, 1, JSON.stringify(list));
    assert.equal(out.repair, applySplices(out.plain, list));
    const map = (v) => JSON.parse(fs.readFileSync(path.join(dir, v, 'small.js.map'), 'utf8'));
    assert.equal(compareMaps(map('plain'), map('repair'), list).after.length, 1);
    assert.deepEqual(problems(await scan([path.join(dir, 'repair')])), []);
  }

  test('Rollup 4 with @rollup/plugin-terser (an output plugin): its output repaired in generateBundle', async () => {
    const depRequire = createRequire(path.join(DEPS, 'package.json'));
    const { rollup } = await import(pathToFileURL(depRequire.resolve('rollup')).href);
    const terser = (await import(pathToFileURL(depRequire.resolve('@rollup/plugin-terser')).href)).default;
    await pair('rollup-repair', async (dir, outDir, plugins) => {
      const b = await rollup({ input: path.join(dir, 'src/small.js'), plugins, onLog: () => {} });
      await b.write({ dir: outDir, format: 'es', sourcemap: true, plugins: [terser()] });
      await b.close();
    });
  });

  test("Rolldown with output.minify (Oxc): its output repaired in generateBundle", async () => {
    const depRequire = createRequire(path.join(DEPS, 'package.json'));
    const { rolldown } = await import(pathToFileURL(depRequire.resolve('rolldown')).href);
    await pair('rolldown-repair', async (dir, outDir, plugins) => {
      const b = await rolldown({ input: path.join(dir, 'src/small.js'), plugins, logLevel: 'silent' });
      await b.write({ dir: outDir, format: 'es', sourcemap: true, minify: true });
      await b.close();
    });
  });
});
