// new GuardminPlugin({ minify: 'repair' }) for webpack 5 and Rspack (issue 15, Must-show 6):
// the configured minimizer stays (terser in webpack, SWC in Rspack) and `guardmin fix` repairs
// its output right after it, before the source-map files and the real content hashes are made.
// Each repaired build is compared with the same build without guardmin: the minimizer's
// output with exactly the reads `guardmin fix --check` names repaired, `[contenthash]` names
// that are the hash of the bytes written (recomputed as webpack's RealContentHashPlugin does),
// and source maps that lead every other token to the same original place.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { checkSetup, prepareApp, webpackBuild, jsFiles, scan, sourceLine, problems, requireDep, countingBinary, buildEnv } from './helpers.mjs';
import { repairsOf, splices, applySplices, compareMaps, webpackContentHash } from './repair-helpers.mjs';

before(checkSetup);

const config = ({ entry = './src/main.js', minimizer = "['...']", plugins = '[]' } = {}) => `const path = require('node:path');
const GuardminPlugin = require('guardmin/webpack');
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
const REPAIR = "['...', new GuardminPlugin({ minify: 'repair' })]";

/** `main.1a2b3c4d.js` -> { key: 'main.js', hash: '1a2b3c4d' }. */
const hashed = (file) => {
  const m = /^(.*)\.([0-9a-f]{8})\.js$/.exec(path.basename(file));
  assert.ok(m, `${file} is named [name].[contenthash:8].js`);
  return { key: `${m[1]}.js`, hash: m[2] };
};

/**
 * The JavaScript files of both builds, matched by name without hash: the repaired one must be
 * the plain one with exactly the reads `guardmin fix --check` names repaired (the file's own
 * hash, which its sourceMappingURL comment names, aside), and named by the real content hash
 * of its bytes.
 */
async function compareBuilds(plainDist, repairDist, hashFunction) {
  const plainFiles = new Map(jsFiles(plainDist).map((f) => [hashed(f).key, f]));
  const repairFiles = jsFiles(repairDist);
  assert.deepEqual(repairFiles.map((f) => hashed(f).key).sort(), [...plainFiles.keys()].sort(), 'the same chunks');
  const out = [];
  for (const file of repairFiles) {
    const { key, hash } = hashed(file);
    const plainFile = plainFiles.get(key);
    const plainHash = hashed(plainFile).hash;
    const plain = fs.readFileSync(plainFile, 'utf8');
    const repaired = fs.readFileSync(file, 'utf8');
    const list = splices(plain, await repairsOf(plainFile));
    const own = (code, h) => code.split(h).join('[contenthash]');
    assert.equal(own(repaired, hash), own(applySplices(plain, list), plainHash), `${key}: the minimizer's output with only the broken reads repaired`);
    // The names are the real content hashes of the bytes written, in both builds; they
    // changed where the bytes did.
    assert.equal(webpackContentHash(plain, plainHash, hashFunction), plainHash, `${plainFile}: the recomputation holds for the plain build`);
    assert.equal(webpackContentHash(repaired, hash, hashFunction), hash, `${file}: [contenthash] is the hash of the bytes written`);
    if (list.length) assert.notEqual(hash, plainHash, `${key}: repaired, so renamed`);
    out.push({ key, file, plainFile, list, plain, repaired });
  }
  return out;
}

/** Must-show 4 for webpack: the maps agree outside the repaired reads, and a place after each repair traces to the same original. */
function compareBuildMaps(files) {
  const { TraceMap, originalPositionFor } = requireDep('@jridgewell/trace-mapping');
  let checked = 0;
  for (const f of files) {
    if (!f.list.length) continue;
    const plainMap = JSON.parse(fs.readFileSync(`${f.plainFile}.map`, 'utf8'));
    const repairedMap = JSON.parse(fs.readFileSync(`${f.file}.map`, 'utf8'));
    const { compared, after } = compareMaps(plainMap, repairedMap, f.list);
    assert.ok(compared > 0);
    for (const a of after) {
      const want = originalPositionFor(new TraceMap(plainMap), { line: a.line, column: a.plainColumn });
      const got = originalPositionFor(new TraceMap(repairedMap), { line: a.line, column: a.repairedColumn });
      assert.ok(want.source, JSON.stringify(a));
      assert.deepEqual(got, want, `${f.key}:${a.line}: after ${a.repair.after}`);
      checked++;
    }
  }
  return checked;
}

describe("webpack 5, terser + GuardminPlugin({ minify: 'repair' })", () => {
  test("the tfjs app: terser's output with only the broken guards repaired, [contenthash] names of the bytes written, maps that still hold", async () => {
    const plainDir = prepareApp('webpack-repair-plain');
    const repairDir = prepareApp('webpack-repair');
    const [p, r] = await Promise.all([webpackBuild(plainDir, config()), webpackBuild(repairDir, config({ minimizer: REPAIR }))]);
    assert.equal(p.code, 0, p.output);
    assert.equal(r.code, 0, r.output);
    assert.doesNotMatch(r.output, /ERROR|WARNING/, r.output);
    assert.match(r.output, /LOG from GuardminPlugin\n<i> repaired \d+ reads? in main\.\w+\.js: /);

    const files = await compareBuilds(path.join(plainDir, 'dist'), path.join(repairDir, 'dist'), 'md4');
    const reads = files.flatMap((f) => f.list);
    assert.ok(reads.length >= 2, `terser broke Emscripten's _scriptDir guard and the app's scriptUrl one: ${JSON.stringify(reads)}`);
    for (const s of reads) assert.ok(s.delta <= 16, JSON.stringify(s));
    const main = files.find((f) => f.key === 'main.js');
    assert.match(main.repaired, /WasmBackendModuleThreadedSimd/, 'the tfjs WASM backend is bundled');
    assert.ok(main.list.length >= 2, JSON.stringify(main.list));

    const report = await scan([path.join(repairDir, 'dist')]);
    assert.deepEqual(problems(report), [], JSON.stringify(report.findings, null, 2));
    assert.ok(compareBuildMaps(files) >= 2, 'positions after repaired reads were compared');

    // A rebuild gives the same names and bytes.
    const again = prepareApp('webpack-repair-again');
    const r2 = await webpackBuild(again, config({ minimizer: REPAIR }));
    assert.equal(r2.code, 0, r2.output);
    const names = (dir) => fs.readdirSync(path.join(dir, 'dist')).sort();
    assert.deepEqual(names(again), names(repairDir));
    for (const f of files) assert.equal(fs.readFileSync(path.join(again, 'dist', path.basename(f.file)), 'utf8'), f.repaired);
  });

  test('a read guardmin fix cannot repair fails the build, with the module and place it came from', async () => {
    // As a plain plugin, not a minimizer: it still runs after terser.
    const dir = prepareApp('webpack-repair-finding');
    const r = await webpackBuild(dir, config({ entry: './src/finding.js', plugins: "[new GuardminPlugin({ minify: 'repair' })]" }));
    assert.notEqual(r.code, 0, r.output);
    const line = sourceLine('broken-closure.js', 'self.postMessage(origin)');
    assert.match(
      r.output,
      new RegExp(`ERROR in main\\.\\w+\\.js\\n\\./src/broken-closure\\.js ${line}:\\d+\\nguardmin: main\\.\\w+\\.js:1:\\d+: error serialized-closure: [^\\n]*\\n  guardmin fix cannot repair it: `),
    );
    assert.match(r.output, new RegExp(`original source: src/broken-closure\\.js:${line}:\\d+`));
    assert.equal((r.output.match(/error serialized-closure/g) || []).length, 1, 'reported once, not again by the scan');
  });

  test('ignoreRules: a read of an ignored rule that cannot be repaired does not fail the build, and the asset stays as terser wrote it', async () => {
    const dir = prepareApp('webpack-repair-ignored');
    const r = await webpackBuild(dir, config({ entry: './src/finding.js', minimizer: "['...', new GuardminPlugin({ minify: 'repair', ignoreRules: ['serialized-closure'] })]" }));
    assert.equal(r.code, 0, r.output);
    assert.doesNotMatch(r.output, /ERROR|repaired \d+ read/, r.output);
    const [file] = jsFiles(path.join(dir, 'dist'));
    assert.match(fs.readFileSync(file, 'utf8'), /postMessage\((\w)\)/, "terser's output, the read as it was");
  });

  test('devtool: false: repaired without maps, still named by the content hash; one guardmin fix and one guardmin batch process', async () => {
    const dir = prepareApp('webpack-repair-nomap');
    const counting = countingBinary(dir);
    const r = await webpackBuild(dir, config({ entry: './src/small.js', minimizer: REPAIR }).replace("devtool: 'source-map'", 'devtool: false'), {
      env: buildEnv({ GUARDMIN_BINARY: counting.bin }),
    });
    assert.equal(r.code, 0, r.output);
    // The asset webpack renames for its real content hash is not repaired a second time.
    assert.deepEqual(counting.starts().map((s) => s.split(' ')[0]).sort(), ['batch', 'fix'], counting.starts().join('\n'));
    const [file] = jsFiles(path.join(dir, 'dist'));
    const code = fs.readFileSync(file, 'utf8');
    assert.match(code, /typeof (\w+)<"u"&&\1&&/, 'the stringified factory reads its guard with typeof again');
    assert.equal(webpackContentHash(code, hashed(file).hash), hashed(file).hash);
    assert.deepEqual(problems(await scan([path.join(dir, 'dist')])), []);
  });
});

describe("Rspack, SWC + GuardminPlugin({ minify: 'repair' }) (the same plugin, Rspack's own API)", () => {
  async function rspackBuild(dir, minimizer) {
    const { rspack } = requireDep('@rspack/core');
    const compiler = rspack({
      mode: 'production',
      context: dir,
      entry: './src/small.js',
      devtool: 'source-map',
      output: { path: path.join(dir, 'dist'), filename: '[name].[contenthash:8].js', clean: true },
      optimization: minimizer ? { minimizer } : {},
      performance: { hints: false },
    });
    const stats = await new Promise((resolve, reject) => compiler.run((e, s) => (e ? reject(e) : resolve(s))));
    await new Promise((resolve) => compiler.close(resolve));
    return stats;
  }

  test("SWC's output with the broken guard repaired, named by the bytes written, its map still exact", async () => {
    const GuardminPlugin = requireDep('guardmin/webpack');
    const plainDir = prepareApp('rspack-repair-plain');
    const repairDir = prepareApp('rspack-repair');
    const plain = await rspackBuild(plainDir, null);
    const stats = await rspackBuild(repairDir, ['...', new GuardminPlugin({ minify: 'repair' })]);
    assert.ok(!plain.hasErrors() && !stats.hasErrors(), stats.toString({ all: false, errors: true }));
    const hashFunction = stats.compilation.outputOptions.hashFunction;
    const files = await compareBuilds(path.join(plainDir, 'dist'), path.join(repairDir, 'dist'), hashFunction);
    assert.equal(files.flatMap((f) => f.list).length, 1, "SWC broke the stringified factory's guard");
    assert.equal(compareBuildMaps(files), 1);
    assert.deepEqual(problems(await scan([path.join(repairDir, 'dist')])), []);
  });
});
