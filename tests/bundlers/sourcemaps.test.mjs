// Source maps (issue 16): with guardmin, the identifiers of the app's modules that survive in
// the output map back to their original line, column and name, at least as well as with the
// bundler's default minimizer: for webpack 5 (terser) and Rspack (SwcJsMinimizerRspackPlugin),
// where GuardminPlugin's map is composed with the asset's by webpack-sources, and also for
// Rollup 4 (@rollup/plugin-terser), Rolldown (Oxc), esbuild, Vite 7 (esbuild) and Vite 8 (Oxc).
//
// The app is tests/bundlers/app, built by tests/bundlers/build.mjs into target/bundlers-maps/.
// Identifiers are found with the TypeScript parser (pinned in npm/test/deps), on both sides:
//
// - the original identifiers: every Identifier node of the app's modules (src/**/*.js), by
//   file, 1-based line and 0-based column;
// - the output's identifiers: every Identifier node of the emitted entry whose position lies
//   in code of the app's modules (the mapping at or before it names one of them);
// - an output identifier maps back when a mapping starts exactly at it and leads exactly to
//   an original identifier (same file, line and column), and that mapping's `name` is the
//   original identifier's text. Maps are read with @jridgewell/trace-mapping (pinned).
//
// guardmin and the default minimizers inline different things (guardmin turns a function
// called once into an expression, so its name is gone), so the outputs hold different numbers
// of identifiers; the test compares the share of the output's identifiers that map back, and
// also requires guardmin's to be all of them.
//
//   node --test tests/bundlers/sourcemaps.test.mjs   (after scripts/install-plugin-deps.sh)
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { buildAll, REPO, APP, DEPS } from './build.mjs';

const depsRequire = createRequire(path.join(DEPS, 'package.json'));
const OUT = path.join(REPO, 'target/bundlers-maps');
const PAIRS = [
  ['webpack 5', 'webpack-terser', 'webpack-guardmin'],
  ['Rspack', 'rspack-swc', 'rspack-guardmin'],
  ['Rollup 4', 'rollup-terser', 'rollup-guardmin-plugin'],
  ['Rolldown', 'rolldown-oxc', 'rolldown-guardmin'],
  ['esbuild', 'esbuild-esbuild', 'esbuild-guardmin'],
  ['Vite 7', 'vite7-esbuild', 'vite7-guardmin'],
  ['Vite 8', 'vite-oxc', 'vite-guardmin'],
];

let manifest;
before(async () => {
  manifest = await buildAll({ only: PAIRS.flatMap(([, a, b]) => [a, b]), out: OUT });
});

/** Every Identifier (and #private name) of `code`: { name, line (1-based), column (0-based) }. */
function identifiers(code, fileName) {
  const ts = depsRequire('typescript');
  const sf = ts.createSourceFile(fileName, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const out = [];
  const walk = (node) => {
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) {
      const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
      out.push({ name: node.text, line: line + 1, column: character });
    }
    ts.forEachChild(node, walk);
  };
  walk(sf);
  return out;
}

/**
 * `src/...` for a source of a map: `webpack://<namespace>/./src/x.js` (webpack, Rspack), or a
 * path relative to the map (`../../tests/bundlers/app/src/x.js`).
 */
const appPath = (source) => /(?:^|\/)(src\/[^?]*)/.exec((source || '').replace(/^webpack:\/\/[^/]*\//, ''))?.[1] ?? '';

let originalsCache;
/** `src/file:line:column` -> name, for every identifier of the app's modules. */
function originals() {
  if (originalsCache) return originalsCache;
  originalsCache = new Map();
  const src = path.join(APP, 'src');
  for (const f of fs.readdirSync(src, { recursive: true })) {
    if (!f.endsWith('.js')) continue;
    const rel = `src/${f.split(path.sep).join('/')}`;
    for (const i of identifiers(fs.readFileSync(path.join(src, f), 'utf8'), rel)) originalsCache.set(`${rel}:${i.line}:${i.column}`, i.name);
  }
  return originalsCache;
}

const sourceLines = new Map();
/** The word (identifier characters) at 1-based `line`, 0-based `column` of the app's `file`, or ''. */
function textAt(file, line, column) {
  if (!sourceLines.has(file)) {
    const abs = path.join(APP, file);
    sourceLines.set(file, fs.existsSync(abs) ? fs.readFileSync(abs, 'utf8').split('\n') : []);
  }
  const text = (sourceLines.get(file)[line - 1] ?? '').slice(column);
  // The name must be the whole word there, not the start of a longer one.
  return /^[\w$]+/.exec(text)?.[0] ?? '';
}

/**
 * For the variant's main.js: the output identifiers in code of the app's modules, those that
 * map back (exactly, with the name), the original identifiers they reach, and the mappings
 * whose name contradicts the original text they point at.
 */
function measure(name) {
  const { TraceMap, eachMapping, originalPositionFor } = depsRequire('@jridgewell/trace-mapping');
  const v = manifest.variants.find((x) => x.name === name);
  const file = path.join(REPO, v.entry);
  const code = fs.readFileSync(file, 'utf8');
  const map = new TraceMap(fs.readFileSync(`${file}.map`, 'utf8'));
  const starts = new Map();
  const wrongNames = [];
  const orig = originals();
  eachMapping(map, (m) => {
    starts.set(`${m.generatedLine}:${m.generatedColumn}`, m);
    if (m.name && m.source && textAt(appPath(m.source), m.originalLine, m.originalColumn) !== m.name) {
      wrongNames.push(`${m.generatedLine}:${m.generatedColumn} -> ${appPath(m.source)}:${m.originalLine}:${m.originalColumn} named ${m.name}`);
    }
  });
  const inApp = [];
  const missed = [];
  const reached = new Set();
  for (const id of identifiers(code, 'main.js')) {
    const around = originalPositionFor(map, { line: id.line, column: id.column });
    if (!around.source || !appPath(around.source).startsWith('src/')) continue;
    inApp.push(id);
    const m = starts.get(`${id.line}:${id.column}`);
    const key = m && m.source ? `${appPath(m.source)}:${m.originalLine}:${m.originalColumn}` : null;
    if (key && orig.has(key) && m.name === orig.get(key)) reached.add(key);
    else missed.push(`${id.name} at ${id.line}:${id.column}` + (m ? ` -> ${key} named ${m.name}` : ' (no mapping starts there)'));
  }
  return { total: inApp.length, mapped: inApp.length - missed.length, missed, reached, wrongNames, sources: map.sources };
}

for (const [bundler, plain, withGuardmin] of PAIRS) {
  test(`${bundler}: guardmin's map leads every identifier back to its original line, column and name, as well as ${plain.split('-')[1]}'s`, (t) => {
    const base = measure(plain);
    const ours = measure(withGuardmin);
    const share = (r) => r.mapped / r.total;
    t.diagnostic(`${plain}: ${base.mapped}/${base.total} output identifiers map back (${base.reached.size} original identifiers reached, ${base.wrongNames.length} wrong names)`);
    t.diagnostic(`${withGuardmin}: ${ours.mapped}/${ours.total} output identifiers map back (${ours.reached.size} original identifiers reached, ${ours.wrongNames.length} wrong names)`);

    // The map names the app's modules, not the bundle.
    for (const f of ['src/factory.js', 'src/pool.js', 'src/graph/histogram.js', 'src/graph/summary.js']) {
      assert.ok(ours.sources.some((s) => appPath(s) === f), `${f} is not a source of the map: ${ours.sources.join(', ')}`);
    }
    assert.ok(ours.total >= 100, `only ${ours.total} identifiers found in the output`);
    assert.deepEqual(ours.missed, [], 'every identifier of the output maps back');
    assert.deepEqual(ours.wrongNames, [], 'no mapping carries a name that is not the original text it points at');
    assert.ok(share(ours) >= share(base), `guardmin maps ${ours.mapped}/${ours.total}, the default ${base.mapped}/${base.total}`);
    // Every module of the graph is reached, not only some.
    for (const f of ['src/factory.js', 'src/format.js', 'src/pool.js', 'src/main.js', 'src/graph/histogram.js', 'src/graph/numbers.js', 'src/graph/summary.js']) {
      assert.ok([...ours.reached].some((k) => k.startsWith(`${f}:`)), `no identifier of ${f} maps back`);
    }
  });
}

test("the guard's operand in the factory maps to its place and name in factory.js", () => {
  const { TraceMap, originalPositionFor } = depsRequire('@jridgewell/trace-mapping');
  const lines = fs.readFileSync(path.join(APP, 'src/factory.js'), 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes('typeof scriptDir !== "undefined" && scriptDir')) + 1;
  const column = lines[line - 1].indexOf('scriptDir');
  for (const [, , name] of PAIRS) {
    const file = path.join(REPO, manifest.variants.find((x) => x.name === name).entry);
    const code = fs.readFileSync(file, 'utf8');
    const at = code.search(/typeof (\w+)&&\1&&/) + 'typeof '.length;
    assert.ok(at > 'typeof '.length, `${name}: the guard is kept`);
    const before = code.slice(0, at);
    const pos = { line: before.split('\n').length, column: at - (before.lastIndexOf('\n') + 1) };
    const o = originalPositionFor(new TraceMap(fs.readFileSync(`${file}.map`, 'utf8')), pos);
    assert.deepEqual({ source: appPath(o.source), line: o.line, column: o.column, name: o.name }, { source: 'src/factory.js', line, column, name: 'scriptDir' }, name);
  }
});
