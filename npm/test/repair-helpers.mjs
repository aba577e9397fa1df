// Shared by the `minify: 'repair'` tests: what `guardmin fix` would repair in a file, applying
// those repairs to a text, comparing a repaired build's source map with the plain build's
// token by token, and webpack's real content hash of an asset.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { GUARDMIN, DEPS, PKG, run } from './helpers.mjs';

const pkgRequire = createRequire(path.join(PKG, 'package.json'));
const { decodeMappings } = pkgRequire('./lib/sourcemap.cjs');

/** `guardmin fix --check --format json FILE`: the repairs it would make ([{ line, column, before, after, rule }]). */
export async function repairsOf(file) {
  const r = await run(GUARDMIN, ['fix', '--check', '--format', 'json', file], { env: process.env });
  const report = JSON.parse(r.stdout);
  const [f] = report.files;
  assert.notEqual(f.status, 'failed', JSON.stringify(f));
  assert.deepEqual(f.not_repairable, [], `${file}: ${JSON.stringify(f.not_repairable)}`);
  return f.repairs;
}

/**
 * The repairs as splices of `text`: { line (1-based), start, end (UTF-16 columns of the
 * replaced text on that line), index (in the whole text), before, after, delta }. guardmin
 * names the place of the read (its 1-based line and column, in characters, i.e. code points;
 * JavaScript strings and source maps count UTF-16 units); `before`, the text replaced, is the
 * guard around it (`void 0!==e` for the read `e`).
 */
export function splices(text, repairs) {
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  return repairs
    .map((r) => {
      const lineStart = lineStarts[r.line - 1];
      let read = lineStart;
      for (let c = 1; c < r.column; c++) read += text.codePointAt(read) > 0xffff ? 2 : 1;
      let at = -1;
      for (let s = Math.max(lineStart, read - r.before.length + 1); s <= read && at < 0; s++) {
        if (text.startsWith(r.before, s)) at = s;
      }
      assert.ok(at >= 0, `no ${JSON.stringify(r.before)} around the read at ${r.line}:${r.column}: ${JSON.stringify(text.slice(read - 20, read + 20))}`);
      const start = at - lineStart;
      return { ...r, start, end: start + r.before.length, index: at, delta: r.after.length - r.before.length };
    })
    .sort((a, b) => a.index - b.index);
}

/** `text` with every splice applied. */
export function applySplices(text, list) {
  let out = '';
  let last = 0;
  for (const s of list) {
    out += text.slice(last, s.index) + s.after;
    last = s.index + s.before.length;
  }
  return out + text.slice(last);
}

/** Decoded segments of a map: per generated line, [column, source, line, column, name] with names and sources as strings. */
function segments(map) {
  return decodeMappings(map.mappings).map((line) =>
    line.map((s) => [s[0], s.length > 1 ? map.sources[s[1]] : null, s[2], s[3], s.length > 4 ? map.names[s[4]] : null]),
  );
}

/**
 * Compares the plain build's map with the repaired build's, token by token: every segment of
 * the plain map outside a repaired span must be in the repaired map at its column moved by the
 * repairs before it on its line, leading to the same source, line, column and name; and the
 * repaired map has no other segments outside the repaired spans. Returns, per repair, the
 * first segment after it on its line ({ line, plainColumn, repairedColumn }), for look-ups.
 */
export function compareMaps(plainMap, repairedMap, list) {
  const plain = segments(plainMap);
  const repaired = segments(repairedMap);
  assert.equal(repaired.length, plain.length, 'the same number of generated lines');
  const after = [];
  let compared = 0;
  for (let l = 0; l < plain.length; l++) {
    const onLine = list.filter((s) => s.line === l + 1);
    const inside = (col, moved) =>
      onLine.some((s) => {
        const shift = moved ? onLine.filter((o) => o.index < s.index).reduce((n, o) => n + o.delta, 0) : 0;
        return col >= s.start + shift && col < s.end + shift + (moved ? s.delta : 0);
      });
    const shiftAt = (col) => onLine.filter((s) => s.end <= col).reduce((n, s) => n + s.delta, 0);
    const want = plain[l].filter((s) => !inside(s[0], false)).map((s) => [s[0] + shiftAt(s[0]), ...s.slice(1)]);
    const got = repaired[l].filter((s) => !inside(s[0], true));
    assert.deepEqual(got, want, `generated line ${l + 1}: the segments outside the repaired reads`);
    compared += want.length;
    for (const s of onLine) {
      const next = plain[l].find((seg) => seg[0] >= s.end && seg[1] != null);
      if (next) after.push({ line: l + 1, plainColumn: next[0], repairedColumn: next[0] + shiftAt(next[0]), repair: s });
    }
  }
  return { compared, after };
}

/** The real content hash webpack 5 gives an asset whose name carries `hash` and that is the only asset with it. */
export function webpackContentHash(code, hash, hashFunction = 'md4', salt = '') {
  const createHash = createRequire(path.join(DEPS, 'package.json'))('webpack/lib/util/createHash');
  const h = createHash(hashFunction);
  if (salt) h.update(salt);
  h.update(code.split(hash).join(''));
  return h.digest('hex').slice(0, hash.length);
}

/** Total bytes of the JavaScript files in `files`. */
export const bytesOf = (files) => files.reduce((n, f) => n + fs.statSync(f).size, 0);
