// lib/sourcemap.cjs, the plugins' own source-map reader: decoding, the look-up that errors use
// to name the module and place, the names it adds to guardmin's maps, and the composition
// the esbuild plugin does. Checked against @jridgewell/trace-mapping (pinned in npm/test/deps).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { checkSetup, requireDep } from './helpers.mjs';

const require = createRequire(import.meta.url);
const { decodeMappings, encodeMappings, addIdentifierNames, composeMaps, SourceMapReader, traceOriginal } = require('../lib/sourcemap.cjs');

before(checkSetup);

// guardmin batch's answer for this input (no input map): the map of `MINIFIED` onto `SOURCE`.
const SOURCE = 'var obj = {alpha: 1};\nfunction fooBar(someArg) { return obj.alpha + someArg.length; }\nconsole.log(fooBar("x"));\n';
const MINIFIED = 'var obj={alpha:1};function fooBar(o){return obj.alpha+o.length}console.log(fooBar("x"));';
const MAP = {
  version: 3,
  sources: ['a.js'],
  sourcesContent: [SOURCE],
  names: ['obj', 'fooBar', 'someArg', 'console'],
  mappings: 'AAAA,IAAIA,IAAM,CAAC,MAAO,CAAC,EACnB,SAASC,OAAOC,CAAO,EAAI,OAAOF,IAAI,KAAK,CAAGE,EAAQ,MAAM,AAAE,CAC9DC,QAAQ,GAAG,CAACF,OAAO',
};

const namedAt = (map, code, needle, nth = 0) => {
  const { TraceMap, originalPositionFor } = requireDep('@jridgewell/trace-mapping');
  let at = -1;
  for (let i = 0; i <= nth; i++) at = code.indexOf(needle, at + 1);
  return originalPositionFor(new TraceMap(map), { line: 1, column: at });
};

test('decodeMappings reads what trace-mapping reads, and encodeMappings writes it back', () => {
  const { TraceMap, decodedMappings } = requireDep('@jridgewell/trace-mapping');
  const mine = decodeMappings(MAP.mappings);
  assert.deepEqual(mine, decodedMappings(new TraceMap(MAP)).map((line) => line.map((s) => [...s])));
  assert.equal(encodeMappings(mine), MAP.mappings);
  assert.deepEqual(decodeMappings('A;;AACA,CAAC'), [[[0]], [], [[0, 0, 1, 0], [1, 0, 1, 1]]]);
  assert.throws(() => decodeMappings('AA!A'), /invalid character "!"/);
});

test('originalPositionFor: exact mappings, columns moved within a mapping where the texts agree, never where they differ', () => {
  // A module mapped statement by statement, as webpack maps its modules.
  const original = 'let total = first + second;\n';
  const generated = '  let total = first + second;';
  const reader = new SourceMapReader({ version: 3, sources: ['m.js'], sourcesContent: [original], names: [], mappings: 'EAAA' });
  assert.deepEqual(reader.originalPositionFor(1, 2, generated), { source: 'm.js', line: 1, column: 0, name: null, exact: true });
  assert.deepEqual(reader.originalPositionFor(1, 14, generated), { source: 'm.js', line: 1, column: 12, name: null, exact: true });
  assert.equal(reader.originalPositionFor(1, 1, generated), null, 'before the first mapping');
  // The text differs (a minifier rewrote it): the mapping's own column, not exact.
  assert.deepEqual(reader.originalPositionFor(1, 10, '  let t=first+second;'), { source: 'm.js', line: 1, column: 0, name: null, exact: false });
  // A mapping at the indentation before a token is the token's (esbuild maps lines so).
  const esb = new SourceMapReader({ version: 3, sources: ['m.js'], sourcesContent: ['  Module.x = 1;\n'], names: [], mappings: 'AAAE' });
  assert.deepEqual(esb.originalPositionFor(1, 2, '  Module.x = 1;'), { source: 'm.js', line: 1, column: 2, name: null, exact: true });
  // traceOriginal takes guardmin's 1-based columns and the whole code.
  assert.deepEqual(traceOriginal(MAP, MINIFIED, 1, MINIFIED.indexOf('o.length') + 1), { source: 'a.js', line: 2, column: 46, name: 'someArg', exact: true });
  assert.equal(traceOriginal('not json', MINIFIED, 1, 1), null);
});

test('addIdentifierNames names the kept identifiers (properties, globals) after the source, and nothing else', () => {
  const named = JSON.parse(addIdentifierNames(JSON.stringify(MAP), MINIFIED));
  for (const [needle, name] of [['alpha', 'alpha'], ['length', 'length'], ['log', 'log'], ['o.length', 'someArg'], ['fooBar("x")', 'fooBar']]) {
    assert.equal(namedAt(named, MINIFIED, needle).name, name, needle);
  }
  assert.equal(namedAt(named, MINIFIED, 'return').name, null, 'keywords are not names');
  assert.equal(namedAt(named, MINIFIED, '{alpha').name, null, 'punctuation is not');
  // A kept name only where the source has the same identifier at that place.
  const moved = { ...MAP, sourcesContent: [SOURCE.replace('obj.alpha', 'obj.alphaX')] };
  assert.equal(namedAt(JSON.parse(addIdentifierNames(moved, MINIFIED)), MINIFIED, 'alpha', 1).name, null);
  // `get` is a name after a dot only.
  const getMap = { version: 3, sources: ['g.js'], sourcesContent: ['m.get(k); let get;'], names: [], mappings: encodeMappings([[[0, 0, 0, 0], [2, 0, 0, 2], [14, 0, 0, 14]]]) };
  const getNamed = JSON.parse(addIdentifierNames(getMap, 'm.get(k); let get;'));
  assert.deepEqual(getNamed.names, ['m', 'get']);
  assert.deepEqual(decodeMappings(getNamed.mappings), [[[0, 0, 0, 0, 0], [2, 0, 0, 2, 1], [14, 0, 0, 14]]]);
  // Without sourcesContent there is nothing to compare with: the map is left alone.
  assert.deepEqual(JSON.parse(addIdentifierNames({ ...MAP, sourcesContent: undefined }, MINIFIED)).mappings, MAP.mappings);
});

test('composeMaps leads the minified code through the bundle to the modules, with the modules\' names', () => {
  // The bundle (what esbuild writes before minifying) and its map onto one module, statement
  // by statement with the indentation mapped; the module's `value` is `value2` in the bundle.
  const moduleText = 'export function twice(value) {\n  return value * 2;\n}\n';
  const bundle = 'function twice(value2) {\n  return value2 * 2;\n}\n';
  const inner = {
    version: 3,
    sources: ['src/m.js'],
    sourcesContent: [moduleText],
    names: [],
    // `function`, `twice`, `value2`; the indentation (mapped to `return`), `return`; `}`.
    mappings: encodeMappings([[[0, 0, 0, 7], [9, 0, 0, 16], [15, 0, 0, 22]], [[0, 0, 1, 2], [2, 0, 1, 2]], [[0, 0, 2, 0]]]),
  };
  // guardmin's map of its output onto the bundle: `function`, `twice`, `n` (value2), `return`, `n`.
  const code = 'function twice(n){return n*2}';
  const outer = {
    version: 3,
    sources: ['b.js'],
    sourcesContent: [bundle],
    names: ['value2'],
    mappings: encodeMappings([[[0, 0, 0, 0], [9, 0, 0, 9], [15, 0, 0, 15, 0], [18, 0, 1, 2], [25, 0, 1, 9, 0]]]),
  };
  const composed = JSON.parse(composeMaps(outer, code, inner, bundle));
  assert.deepEqual(composed.sources, ['src/m.js']);
  assert.deepEqual(composed.sourcesContent, [moduleText]);
  const param = namedAt(composed, code, 'n)');
  assert.deepEqual({ line: param.line, column: param.column, name: param.name }, { line: 1, column: 22, name: 'value' });
  const read = namedAt(composed, code, 'n*');
  assert.deepEqual({ line: read.line, column: read.column, name: read.name }, { line: 2, column: 9, name: 'value' });
  assert.equal(namedAt(composed, code, 'twice').name, 'twice');
});
