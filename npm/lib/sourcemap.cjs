'use strict';
// Just enough of a source-map reader for the plugins to say where a position of a bundle came
// from, so that an error can name the module and place a person opens: decoding `mappings`
// and looking one position up. No dependency: the package has none.

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) DIGIT[B64.charCodeAt(i)] = i;

/** `mappings` as one array per generated line of [column, source, line, column, name?] (all 0-based). */
function decodeMappings(mappings) {
  const lines = [];
  let line = [];
  let sorted = true;
  let genColumn = 0;
  let source = 0;
  let origLine = 0;
  let origColumn = 0;
  let name = 0;
  const seg = [0, 0, 0, 0, 0];
  let n = 0;
  let value = 0;
  let shift = 0;
  for (let i = 0; i <= mappings.length; i++) {
    const c = i < mappings.length ? mappings.charCodeAt(i) : 59; // ';' ends the last line
    if (c === 44 || c === 59) {
      if (n) {
        genColumn += seg[0];
        if (line.length && line[line.length - 1][0] > genColumn) sorted = false;
        if (n >= 4) {
          source += seg[1];
          origLine += seg[2];
          origColumn += seg[3];
          if (n >= 5) {
            name += seg[4];
            line.push([genColumn, source, origLine, origColumn, name]);
          } else line.push([genColumn, source, origLine, origColumn]);
        } else line.push([genColumn]);
      }
      n = 0;
      if (c === 59) {
        if (!sorted) line.sort((a, b) => a[0] - b[0]);
        lines.push(line);
        line = [];
        sorted = true;
        genColumn = 0;
      }
      continue;
    }
    const d = c < 128 ? DIGIT[c] : -1;
    if (d < 0) throw new Error(`source map: invalid character ${JSON.stringify(mappings[i])} in mappings`);
    value += (d & 31) << shift;
    if (d & 32) {
      shift += 5;
      continue;
    }
    if (n < 5) seg[n++] = value & 1 ? -(value >>> 1) : value >>> 1;
    value = 0;
    shift = 0;
  }
  return lines;
}

function encodeVlq(n) {
  let v = n < 0 ? (-n << 1) | 1 : n << 1;
  let out = '';
  do {
    let d = v & 31;
    v >>>= 5;
    if (v) d |= 32;
    out += B64[d];
  } while (v);
  return out;
}

/** The inverse of decodeMappings. */
function encodeMappings(lines) {
  const state = [0, 0, 0, 0, 0];
  const out = [];
  for (const line of lines) {
    state[0] = 0;
    out.push(
      line
        .map((seg) => {
          let s = '';
          for (let k = 0; k < seg.length; k++) {
            s += encodeVlq(seg[k] - state[k]);
            state[k] = seg[k];
          }
          return s;
        })
        .join(','),
    );
  }
  return out.join(';');
}

const IDENT = /[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*/uy;
const IDENT_CHAR = /[\p{ID_Continue}$\u200c\u200d]$/u;
// Words that are never names; the contextual ones (get, set, of, async, let, static, ...) only
// count as names after a `.`, where they are property names.
const RESERVED = new Set(('break case catch class const continue debugger default delete do else enum export extends ' +
  'false finally for function if import in instanceof new null return super switch this throw true try typeof var ' +
  'void while with').split(' '));
const CONTEXTUAL = new Set('async await get let of set static yield'.split(' '));

const isAsciiIdentChar = (c) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 36 || c === 95;

/** The identifier that starts exactly at `col` of `text` (not inside a longer one), or null. */
function identifierAt(text, col) {
  if (text == null || col >= text.length) return null;
  if (col > 0) {
    const p = text.charCodeAt(col - 1);
    if (p < 128 ? isAsciiIdentChar(p) : IDENT_CHAR.test(text.slice(Math.max(0, col - 2), col))) return null;
  }
  const c = text.charCodeAt(col);
  if (c < 128 && !isAsciiIdentChar(c)) return null;
  IDENT.lastIndex = col;
  const m = IDENT.exec(text);
  return m ? m[0] : null;
}

/**
 * Adds names to a map's segments that have none where the generated text at the segment and
 * the original text it points at (from `sourcesContent`) are the same identifier: property
 * names and globals, which minifiers keep but swc maps without a name. Returns the map as JSON
 * text; segments with a name, and all others, are left as they are.
 */
function addIdentifierNames(mapJson, generatedCode) {
  const map = typeof mapJson === 'string' ? JSON.parse(mapJson) : mapJson;
  const contents = map.sourcesContent || [];
  if (!contents.some((c) => typeof c === 'string')) return JSON.stringify(map);
  const sourceLines = contents.map((c) => (typeof c === 'string' ? null : undefined));
  const genLines = generatedCode.split('\n');
  const names = map.names ? map.names.slice() : [];
  const nameIndex = new Map(names.map((n, i) => [n, i]));
  const lines = decodeMappings(map.mappings);
  let added = 0;
  for (let l = 0; l < lines.length; l++) {
    for (const seg of lines[l]) {
      if (seg.length !== 4) continue;
      const gen = identifierAt(genLines[l], seg[0]);
      if (!gen || RESERVED.has(gen)) continue;
      if (CONTEXTUAL.has(gen) && genLines[l][seg[0] - 1] !== '.') continue;
      if (sourceLines[seg[1]] === null) sourceLines[seg[1]] = contents[seg[1]].split(/\r\n?|\n|\u2028|\u2029/);
      const src = sourceLines[seg[1]];
      if (!src || identifierAt(src[seg[2]], seg[3]) !== gen) continue;
      let i = nameIndex.get(gen);
      if (i === undefined) {
        i = names.push(gen) - 1;
        nameIndex.set(gen, i);
      }
      seg.push(i);
      added++;
    }
  }
  if (added) {
    map.names = names;
    map.mappings = encodeMappings(lines);
  }
  return JSON.stringify(map);
}

/** A parsed source map (object or JSON text; index maps with `sections` are not read). */
class SourceMapReader {
  constructor(map) {
    this.map = typeof map === 'string' ? JSON.parse(map) : map;
    if (!this.map || typeof this.map.mappings !== 'string') throw new Error('source map: no mappings');
    this.lines = decodeMappings(this.map.mappings);
    const root = this.map.sourceRoot ? String(this.map.sourceRoot).replace(/\/?$/, '/') : '';
    this.sources = (this.map.sources || []).map((s) => (s == null ? null : root && !/^[a-z][a-z0-9+.-]*:|^\//i.test(s) ? root + s : s));
  }

  /**
   * Where the generated position (1-based line, 0-based column, in UTF-16 units) came from:
   * `{ source, line (1-based), column (0-based), name, exact }`, or null where nothing maps.
   * The mapping that starts at or before the column is taken; when it starts before and the
   * map carries the source text, the text between the two is compared and, where it is the
   * same, the column moves by as much (bundlers map whole statements of a module at a time;
   * this makes such a map column-exact, as webpack-sources does). `exact` says whether the
   * column is known exactly. `generatedLine` is the text of that generated line, for the
   * comparison.
   */
  originalPositionFor(line, column, generatedLine) {
    const segs = this.lines[line - 1];
    if (!segs || !segs.length) return null;
    let lo = 0;
    let hi = segs.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (segs[mid][0] <= column) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (at < 0 || segs[at].length < 4) return null;
    const [genColumn, src, origLine, origColumn, nameIndex] = segs[at];
    const source = this.sources[src] ?? null;
    const name = nameIndex != null && this.map.names ? this.map.names[nameIndex] ?? null : null;
    let col = origColumn;
    let exact = genColumn === column;
    if (!exact && typeof generatedLine === 'string') {
      const content = this.map.sourcesContent && this.map.sourcesContent[src];
      const origText = typeof content === 'string' ? content.split(/\r?\n|\r|\u2028|\u2029/)[origLine] : null;
      const between = generatedLine.slice(genColumn, column);
      if (origText != null && origText.slice(origColumn, origColumn + between.length) === between) {
        col = origColumn + between.length;
        exact = true;
      } else if (origText != null && /^\s+$/.test(between) && !/^\s/.test(origText.slice(origColumn))) {
        // A mapping at the indentation before a token (esbuild starts lines so) is the token's.
        exact = true;
      }
    }
    return { source, line: origLine + 1, column: col, name: exact && genColumn === column ? name : null, exact };
  }
}

/**
 * Composes `outer` (a map of `code` onto `innerCode`) with `inner` (a map of `innerCode` onto
 * the sources), as webpack-sources does: each mapping of `outer` is looked up in `inner`, the
 * column moved within a mapping of `inner` where the texts agree (`originalPositionFor`). A
 * mapping that lands exactly on an identifier of the source, for a generated identifier, is
 * named after it (the source's name, not `innerCode`'s). Returns the map as JSON text.
 */
function composeMaps(outerJson, code, innerJson, innerCode) {
  const outer = typeof outerJson === 'string' ? JSON.parse(outerJson) : outerJson;
  const reader = new SourceMapReader(innerJson);
  const inner = reader.map;
  const innerLines = innerCode.split('\n');
  const genLines = code.split('\n');
  const contentLines = (inner.sourcesContent || []).map((c) => (typeof c === 'string' ? c.split(/\r\n?|\n|\u2028|\u2029/) : null));
  const names = [];
  const nameIndex = new Map();
  const nameOf = (n) => {
    let i = nameIndex.get(n);
    if (i === undefined) {
      i = names.push(n) - 1;
      nameIndex.set(n, i);
    }
    return i;
  };
  const lines = decodeMappings(outer.mappings).map((segs, l) => {
    const out = [];
    for (const seg of segs) {
      if (seg.length < 4) {
        out.push([seg[0]]);
        continue;
      }
      const t = reader.originalPositionFor(seg[2] + 1, seg[3], innerLines[seg[2]]);
      const src = t ? reader.sources.indexOf(t.source) : -1;
      if (!t || src < 0) {
        out.push([seg[0]]);
        continue;
      }
      const next = [seg[0], src, t.line - 1, t.column];
      const gen = identifierAt(genLines[l], seg[0]);
      if (t.exact && gen && !RESERVED.has(gen) && contentLines[src]) {
        const there = identifierAt(contentLines[src][t.line - 1], t.column);
        if (there && !RESERVED.has(there)) next.push(nameOf(there));
      }
      out.push(next);
    }
    return out;
  });
  return JSON.stringify({
    version: 3,
    ...(outer.file ? { file: outer.file } : {}),
    sources: inner.sources,
    ...(inner.sourceRoot ? { sourceRoot: inner.sourceRoot } : {}),
    ...(inner.sourcesContent ? { sourcesContent: inner.sourcesContent } : {}),
    names,
    mappings: encodeMappings(lines),
  });
}

/** The text of the 1-based `line` of `code`. */
function lineOf(code, line) {
  if (typeof code !== 'string' || !line) return null;
  let start = 0;
  for (let i = 1; i < line; i++) {
    const nl = code.indexOf('\n', start);
    if (nl < 0) return null;
    start = nl + 1;
  }
  const end = code.indexOf('\n', start);
  return code.slice(start, end < 0 ? code.length : end).replace(/\r$/, '');
}

/**
 * Looks up guardmin's 1-based line and column of `code` in `map` (object, JSON text or null):
 * the original position as `originalPositionFor` gives it, or null.
 */
function traceOriginal(map, code, line, column) {
  if (!map || line == null || column == null) return null;
  try {
    const reader = map instanceof SourceMapReader ? map : new SourceMapReader(map);
    return reader.originalPositionFor(line, column - 1, lineOf(code, line));
  } catch {
    return null;
  }
}

module.exports = { decodeMappings, encodeMappings, addIdentifierNames, composeMaps, SourceMapReader, traceOriginal, lineOf };
