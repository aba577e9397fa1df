'use strict';
// guardmin for esbuild: a plugin whose onEnd callback minifies every JavaScript output file
// with `guardmin batch` (esbuild's own minify options are turned off), composes the source
// maps, scans the results and writes them; problems become esbuild messages with a location
// (file, line, column, line text), as esbuild reports its own errors.

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { GuardminError, Session, normalizeOptions, classify, describeFinding, describeError } = require('./client.cjs');
const { traceOriginal, lineOf, composeMaps } = require('./sourcemap.cjs');

const JS_FILE = /\.[cm]?js$/i;
const MINIFY_OPTIONS = ['minify', 'minifyWhitespace', 'minifySyntax', 'minifyIdentifiers'];
const MAP_COMMENT = /\n?\/\/# sourceMappingURL=(\S+)\s*$/;

function outputFile(filePath, text) {
  const contents = Buffer.from(text, 'utf8');
  // esbuild's own hash is an implementation detail; this one also changes with the contents.
  const hash = crypto.createHash('sha256').update(contents).digest('base64url').slice(0, 12);
  return { path: filePath, contents: new Uint8Array(contents.buffer, contents.byteOffset, contents.length), hash, get text() { return text; } };
}

/**
 * An esbuild message for guardmin's 1-based `line`/`column` of `file`: esbuild's locations are
 * relative to its working directory, with 1-based lines and 0-based columns in UTF-8 bytes.
 */
function location(file, line, column, cwd, text) {
  if (!file || line == null) return null;
  let lineText = '';
  try {
    lineText = lineOf(text ?? fs.readFileSync(file, 'utf8'), line) ?? '';
  } catch {}
  const col = Math.max(0, (column || 1) - 1);
  return {
    file: path.relative(cwd, file).split(path.sep).join('/'),
    line,
    column: Buffer.byteLength(lineText.slice(0, col)),
    length: (/^[\w$]+/.exec(lineText.slice(col)) || [''])[0].length,
    lineText,
  };
}

/** The plugin: `plugins: [guardmin()]`. Options as for the other plugins (`guardmin/vite`). */
function guardmin(options = {}) {
  const opts = normalizeOptions(options, 'esbuild');
  return {
    name: 'guardmin',
    setup(build) {
      const initial = build.initialOptions;
      const cwd = initial.absWorkingDir || process.cwd();
      const session = new Session(opts);
      // No binary: fail before bundling, with the message as it is.
      session.ensureBinary();
      const asked = [];
      if (opts.minify !== false) {
        for (const k of MINIFY_OPTIONS) {
          if (initial[k]) asked.push(k);
          if (initial[k] !== undefined) initial[k] = false;
        }
      }
      // guardmin writes the files once they are minified and checked.
      const write = initial.write !== false;
      initial.write = false;
      const mapMode = initial.sourcemap === true ? 'linked' : initial.sourcemap || false;
      const wantMaps = opts.sourceMap !== false && mapMode !== false;

      build.onStart(() => {
        session.scanned.clear();
        if (!asked.length) return null;
        return {
          warnings: [{ text: `${asked.join(', ')} ignored: guardmin minifies this build (other minifiers rewrite typeof guards that workers rely on); remove guardmin() from plugins to use esbuild's minifier, or pass guardmin({ minify: false }) to keep it and only scan` }],
        };
      });

      build.onEnd(async (result) => {
        const files = result.outputFiles || [];
        const byPath = new Map(files.map((f) => [f.path, f]));
        const licenseFiles = [];
        const errors = [];
        const warnings = [];
        // Where guardmin's position (1-based line and column of the output `code`) leads: the
        // original source, through the map (resolved against the output's folder), when it
        // is on disk, else the output file itself. `original` is a finding's own trace.
        const place = (file, code, map, line, column, original) => {
          let o = original;
          if (!o) {
            const t = traceOriginal(map, code, line, column);
            o = t && { file: t.source, line: t.line, column: t.column + 1 };
          }
          if (o && o.file && !/^[a-z][a-z0-9+.-]*:/i.test(o.file)) {
            const abs = path.resolve(path.dirname(file), o.file);
            if (fs.existsSync(abs)) return location(abs, o.line, o.column, cwd);
          }
          return location(file, line, column, cwd, code);
        };
        const jobs = files.filter((f) => JS_FILE.test(f.path)).map(async (f) => {
          const mapFile = byPath.get(f.path + '.map');
          let code = f.text;
          let map = mapFile ? mapFile.text : null;
          const comment = MAP_COMMENT.exec(code);
          if (comment && comment[1].startsWith('data:') && !map) {
            map = Buffer.from(comment[1].slice(comment[1].indexOf(',') + 1), 'base64').toString('utf8');
          }
          if (opts.minify !== false) {
            // As for webpack: guardmin maps its output onto esbuild's code, and the two maps
            // are composed here, keeping columns exact within esbuild's mappings (swc would
            // put each token on the mapping before it).
            const res = await session.minify(path.relative(cwd, f.path), code, null, initial.format === 'esm');
            if (res.error) {
              const where = place(f.path, code, map, res.error.line, res.error.column);
              errors.push({ text: describeError(path.relative(cwd, f.path), res.error, 'minify'), location: where });
              return;
            }
            const esbuildCode = code;
            code = res.code;
            if (res.licenses) {
              // comments: 'external' / 'linked': FILE.LICENSE.txt beside the file.
              const lic = `${f.path}.LICENSE.txt`;
              licenseFiles.push(outputFile(lic, res.licenses));
              if (opts.comments === 'linked') code += `\n/*! For license information please see ${path.basename(lic)} */`;
            }
            if (wantMaps && res.map) {
              map = map ? composeMaps(res.map, code, map, esbuildCode.replace(MAP_COMMENT, '')) : res.map;
              if (mapMode === 'inline' || mapMode === 'both') {
                code += `\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(map).toString('base64')}\n`;
              } else if (mapMode === 'linked') {
                code += `\n//# sourceMappingURL=${encodeURI(path.basename(f.path))}.map\n`;
              }
              if (mapFile) byPath.set(mapFile.path, outputFile(mapFile.path, map));
            } else {
              // esbuild's map is of the code before minifying: it goes too.
              if (mapFile) byPath.set(mapFile.path, null);
              map = null;
            }
            byPath.set(f.path, outputFile(f.path, code));
          }
          if (opts.scan === false) return;
          const res = await session.scan(path.relative(cwd, f.path), code, map);
          if (res.error) {
            errors.push({ text: describeError(path.relative(cwd, f.path), res.error, 'read'), location: place(f.path, code, map, res.error.line, res.error.column) });
            return;
          }
          const c = classify(res.findings, opts);
          const shown = path.relative(cwd, f.path);
          const message = (x) => {
            const where = place(f.path, code, map, x.line, x.column, x.original);
            // The finding names its original source as the map does (relative to the output
            // folder); the message names it as the location does, relative to the working directory.
            const original = x.original && where && where.file !== shown ? { ...x.original, file: where.file } : x.original;
            return { text: describeFinding(shown, { ...x, original }), location: where };
          };
          for (const x of c.errors) errors.push(message(x));
          for (const x of c.warnings) warnings.push(message(x));
        });
        try {
          await Promise.all(jobs);
        } catch (e) {
          if (e instanceof GuardminError) return { errors: [{ text: e.message }] };
          throw e;
        }
        if (opts.minify !== false) {
          result.outputFiles = files.map((f) => byPath.get(f.path)).filter(Boolean).concat(licenseFiles);
        }
        if (!errors.length && write) {
          for (const f of result.outputFiles || []) {
            fs.mkdirSync(path.dirname(f.path), { recursive: true });
            fs.writeFileSync(f.path, f.contents);
          }
        }
        // With `write` (esbuild's default) a result has no outputFiles.
        if (write) delete result.outputFiles;
        return { errors, warnings };
      });

      build.onDispose(() => {
        session.close();
      });
    },
  };
}

guardmin.guardmin = guardmin;
guardmin.default = guardmin;
module.exports = guardmin;
