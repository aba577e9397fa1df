'use strict';
// guardmin for Vite 7 and 8: minifies chunks with `guardmin batch` in renderChunk (Vite's own
// minifier is turned off), registers itself for worker bundles, and scans every emitted
// JavaScript file in generateBundle, failing the build on a broken typeof guard. With
// `minify: 'repair'` Vite's minifier stays, and generateBundle first repairs what it broke
// with `guardmin fix` (code and source map), failing the build on what cannot be repaired.

const fs = require('node:fs');
const path = require('node:path');
const {
  GuardminError,
  Session,
  normalizeOptions,
  classify,
  describeFinding,
  infoNote,
  describeError,
  codeFrame,
} = require('./client.cjs');
const { traceOriginal } = require('./sourcemap.cjs');
const { replaceInlineMap, mapFileOf, afterRepairs, describeUnrepairable, describeRepairs, leftAsItWas } = require('./repair.cjs');

const JS_FILE = /\.[cm]?js$/i;

/** Rollup writes hash placeholders into names until the hashes are known. */
function displayName(fileName) {
  return fileName.replace(/!~\{[0-9a-zA-Z_$]+\}~/g, '[hash]');
}

function toText(source) {
  return typeof source === 'string' ? source : Buffer.from(source).toString('utf8');
}

function mapJson(map) {
  if (!map) return null;
  if (typeof map === 'string') return map;
  return JSON.stringify(map);
}

/** Where the user asked Vite for a minifier; guardmin replaces it. */
function requestedMinifiers(config) {
  const asked = [];
  const look = (build, where) => {
    if (build && build.minify !== undefined && build.minify !== false && build.minify !== 'false') {
      asked.push(`${where}.minify: ${JSON.stringify(build.minify)}`);
    }
  };
  look(config.build, 'build');
  for (const [name, env] of Object.entries(config.environments || {})) look(env && env.build, `environments.${name}.build`);
  return asked;
}

/**
 * The plugin. `options` take the guardmin CLI's names (compress, mangle, comments, ecma,
 * target, drop, pureFuncs, toplevel, keepFnames, keepClassnames, passes, define, threads), plus binary, sourceMap,
 * ignoreRules, denyWarnings, minify (false: only scan), scan (false: only minify) and worker
 * (false: do not register in worker.plugins).
 */
function guardmin(options = {}) {
  const opts = normalizeOptions(options, 'vite');
  // guardmin minifies in renderChunk; with 'repair' the bundler's minifier stays and
  // generateBundle repairs its output; with false it only scans.
  const minifying = opts.minify !== false && opts.minify !== 'repair';
  const repairing = opts.minify === 'repair';
  const session = new Session(opts);
  let warnedMinifiers = [];
  let root = process.cwd();
  let outDir = path.join(root, 'dist');
  // Set by configResolved; in a plain Rollup or Rolldown build (no Vite hooks) the output
  // folder comes from the output options.
  let inVite = false;

  const outputDir = (outputOptions) => {
    if (inVite || !outputOptions) return outDir;
    if (outputOptions.dir) return path.resolve(outputOptions.dir);
    if (outputOptions.file) return path.dirname(path.resolve(outputOptions.file));
    return outDir;
  };
  const fromRoot = (abs) => path.relative(root, abs).split(path.sep).join('/');

  /**
   * Where guardmin's 1-based `line`/`column` of an emitted file leads, in Rollup's form: `id`
   * and `loc: { file, line, column }` (1-based line, 0-based column) in the original source
   * when the file's map leads to one on disk (a finding's own trace, `original`, or a look-up
   * in `map`), else in the emitted file; `original` for the message; `frame` there.
   */
  const locate = (dir, fileName, code, map, line, column, original) => {
    if (line == null) return null;
    let o = original;
    if (!o) {
      const t = traceOriginal(map, code, line, column);
      o = t && t.source ? { file: t.source, line: t.line, column: t.column + 1, name: null } : null;
    }
    if (o && o.file && !/^[a-z][a-z0-9+.-]*:/i.test(o.file)) {
      // Relative to the emitted file, as the spec says; Vite 7's worker maps are relative to
      // the output directory instead, so the first candidate that exists wins.
      const abs = path.isAbsolute(o.file)
        ? o.file
        : [path.resolve(dir, path.dirname(fileName), o.file), path.resolve(dir, o.file)].find((c) => fs.existsSync(c));
      if (abs && fs.existsSync(abs)) {
        let frame = '';
        try {
          frame = codeFrame(fs.readFileSync(abs, 'utf8'), o.line, o.column);
        } catch {}
        return {
          id: abs,
          loc: { file: abs, line: o.line, column: Math.max(0, o.column - 1) },
          original: { ...o, file: fromRoot(abs) },
          frame,
        };
      }
    }
    const abs = path.resolve(dir, fileName);
    return { id: abs, loc: { file: abs, line, column: Math.max(0, (column || 1) - 1) }, original: null, frame: '' };
  };
  const originalNote = (where) =>
    where && where.original ? `\n  original source: ${where.original.file}:${where.original.line}:${where.original.column}` : '';

  /**
   * `minify: 'repair'`: repairs the emitted JavaScript files (`jobs`) whose scan finds an
   * error with `guardmin fix`, all in one process (with `scan: false`, every file goes to
   * `guardmin fix`, which scans it itself). A repaired file gets its new code, and its map (the
   * `.map` asset written beside it, the chunk's `map`, an inline map) is updated so that every
   * unchanged token keeps its original position; its job then holds the new code and map, and
   * the scan's answer for them: guardmin fix leaves no error, and the warnings and notes stay
   * where they were, moved along their line by the repairs before them (so the file is not
   * scanned a second time). What cannot be repaired goes into `errors`, and the file is left as
   * it was and not scanned again (`skip`).
   */
  const repairJobs = async (ctx, jobs, dir, isWorker, errors, skip) => {
    let candidates = jobs;
    if (opts.scan !== false) {
      // The scan is cheaper than a repair, and its answers are kept (by content) for the
      // files it finds sound.
      const pre = await Promise.all(jobs.map((j) => session.scan(j.fileName, j.code, j.map)));
      // The answers stand for the scan below (so they are reported once, not as repeats of
      // answers seen already).
      jobs.forEach((j, i) => (j.scanned = pre[i]));
      candidates = jobs.filter((j, i) => !pre[i].error && pre[i].findings.some((f) => f.severity === 'error'));
    }
    const results = await session.repair(candidates.map((j) => ({ name: j.fileName, code: j.code, map: j.fixMap })));
    candidates.forEach((j, i) => {
      const r = results[i];
      const shown = isWorker ? `${j.fileName} (worker bundle)` : j.fileName;
      if (r.status === 'failed') {
        const where = locate(dir, j.fileName, j.code, j.fixMap, r.error.line, r.error.column);
        const frame = codeFrame(j.code, r.error.line, r.error.column);
        errors.push({ text: describeError(shown, r.error, 'repair') + originalNote(where) + (frame ? `\n${frame}` : ''), where, alone: true });
        skip.add(j.fileName);
        return;
      }
      if (r.status === 'not-repairable') {
        const counted = classify(r.notRepairable.map((u) => ({ ...u, severity: 'error' })), opts).errors;
        // Only findings of ignored rules: the file stays as it was, and the scan reports
        // whatever else it has.
        if (!counted.length) return;
        skip.add(j.fileName);
        for (const u of counted) {
          const where = locate(dir, j.fileName, j.code, j.fixMap, u.line, u.column);
          errors.push({ text: describeUnrepairable(shown, u) + originalNote(where) + leftAsItWas(r), where });
        }
        return;
      }
      if (r.status !== 'repaired') return;
      const { item, mapAsset } = j;
      if (item.type === 'chunk') {
        item.code = replaceInlineMap(r.code, r.map);
        // The chunk's map object stays (Rollup's has toString and toUrl); its mappings move,
        // when it is the map guardmin updated or has the same names as that one.
        if (item.map && r.map) {
          const m = JSON.parse(r.map);
          if (!mapAsset || (m.names || []).length === (item.map.names || []).length) item.map.mappings = m.mappings;
        }
        j.code = item.code;
      } else {
        item.source = r.code;
        j.code = r.code;
      }
      if (mapAsset && r.map) mapAsset.source = r.map;
      if (r.map) j.map = r.map;
      if (j.scanned) j.scanned = { ...j.scanned, findings: afterRepairs(j.scanned.findings, r.repairs) };
      if (typeof ctx.info === 'function') ctx.info(describeRepairs(shown, r.repairs));
    });
  };

  // Shared by the main build and every worker build it starts.
  const hooks = (isWorker) => {
    // Chunks guardmin refused in renderChunk, by their file name with hash placeholders:
    // reported from generateBundle, where the chunk's source map is known, so that the error
    // names the module the problem came from.
    const refused = new Map();
    // License comments of each chunk (comments: 'external' / 'linked'), by the same names.
    const licenses = new Map();
    return {
      buildStart() {
        // Worker builds run inside the main build: one set of notes for all of them.
        if (!isWorker) session.notesShown.clear();
        try {
          session.acquire();
        } catch (e) {
          if (e instanceof GuardminError) this.error(e);
          throw e;
        }
      },

      // Vite 8 hands rolldown `minify: 'dce-only'` when build.minify is off, and rolldown runs
      // that after renderChunk, re-printing guardmin's output; guardmin already removed dead
      // code, so rolldown's pass is turned off.
      outputOptions(output) {
        if (!minifying || !this.meta || !this.meta.rolldownVersion) return null;
        return { ...output, minify: false };
      },

      // Last of all renderChunk hooks, after Vite's own syntax lowering (esbuild in Vite 7)
      // and its import analysis, where Vite's minifiers would have run.
      renderChunk: {
        order: 'post',
        async handler(code, chunk, outputOptions) {
          if (!minifying) return null;
          const env = this.environment;
          if (env && env.config && env.config.consumer === 'server') return null;
          const name = displayName(chunk.fileName);
          // An `es` chunk is a module even with no import or export to tell: its top-level
          // names are mangled (exports kept).
          const res = await session.minify(name, code, null, outputOptions && outputOptions.format === 'es');
          if (res.error) {
            const e = res.error;
            const notes = [isWorker ? 'a worker chunk' : 'a chunk'];
            if (chunk.facadeModuleId) notes.push(`entry ${fromRoot(chunk.facadeModuleId)}`);
            if (e.line != null) notes.push('line and column of the chunk as the plugins before guardmin left it');
            // The chunk stays as it is, so its map still holds for these positions.
            refused.set(chunk.fileName, { text: describeError(name, e, 'minify', notes.join('; ')), error: e, code });
            return null;
          }
          const wantMap = opts.sourceMap !== false && Boolean(outputOptions.sourcemap);
          let out = res.code;
          if (res.licenses) {
            // comments: 'external' / 'linked': CHUNK.LICENSE.txt, emitted in generateBundle
            // under the chunk's final name. The banner's hash placeholder is replaced by
            // Rollup like any other in the code.
            licenses.set(chunk.fileName, res.licenses);
            if (opts.comments === 'linked') {
              out += `\n/*! For license information please see ${path.posix.basename(chunk.fileName)}.LICENSE.txt */`;
            }
          }
          return { code: out, map: wantMap && res.map ? JSON.parse(res.map) : null };
        },
      },

      async generateBundle(outputOptions, bundle) {
        const dir = outputDir(outputOptions);
        for (const [fileName, item] of Object.entries(bundle)) {
          const text = item.type === 'chunk' && (licenses.get(item.preliminaryFileName) || licenses.get(fileName));
          if (text) this.emitFile({ type: 'asset', fileName: `${fileName}.LICENSE.txt`, source: text });
        }
        licenses.clear();
        const errors = [];
        const skip = new Set();
        for (const [fileName, item] of Object.entries(bundle)) {
          const r = item.type === 'chunk' && (refused.get(item.preliminaryFileName) || refused.get(fileName));
          if (!r) continue;
          skip.add(fileName);
          const where = locate(dir, fileName, item.code, mapJson(item.map), r.error.line, r.error.column);
          const frame = codeFrame(r.code, r.error.line, r.error.column);
          errors.push({ text: r.text + originalNote(where) + (frame ? `\n${frame}` : ''), where, alone: true });
        }
        refused.clear();
        // Every emitted JavaScript file: chunks, worker files, JS assets other plugins emitted.
        const mapAssetOf = (name) => (bundle[name] && bundle[name].type === 'asset' ? bundle[name] : null);
        const jobs = [];
        for (const [fileName, item] of Object.entries(bundle)) {
          if (skip.has(fileName)) continue;
          if (item.type === 'chunk') {
            const map = mapJson(item.map);
            // For a repair, the map written beside the chunk (else its own: hidden or inline).
            const named = repairing && mapFileOf(item.code);
            const mapAsset = repairing ? mapAssetOf(named ? path.posix.join(path.posix.dirname(fileName), named) : item.sourcemapFileName || `${fileName}.map`) : null;
            jobs.push({ fileName, item, mapAsset, code: item.code, map, fixMap: mapAsset ? toText(mapAsset.source) : map });
          } else if (JS_FILE.test(fileName)) {
            const mapAsset = mapAssetOf(`${fileName}.map`);
            const map = mapAsset ? toText(mapAsset.source) : null;
            jobs.push({ fileName, item, mapAsset, code: toText(item.source), map, fixMap: map });
          }
        }
        if (repairing) await repairJobs(this, jobs, dir, isWorker, errors, skip);
        const scanned = opts.scan === false ? [] : jobs.filter((j) => !skip.has(j.fileName));
        const results = await Promise.all(
          scanned.map(async (j) => ({ ...j, res: j.scanned || (await session.scan(j.fileName, j.code, j.map)) })),
        );
        for (const { fileName, code, map, res } of results) {
          const shown = isWorker ? `${fileName} (worker bundle)` : fileName;
          if (res.error) {
            const frame = codeFrame(code, res.error.line, res.error.column);
            const where = locate(dir, fileName, code, map, res.error.line, res.error.column);
            errors.push({ text: describeError(shown, res.error, 'read') + originalNote(where) + (frame ? `\n${frame}` : ''), where, alone: true });
            continue;
          }
          const located = res.findings.map((f) => {
            const where = locate(dir, fileName, code, map, f.line, f.column, f.original);
            // Findings name the original source relative to the project root, as a person
            // would open it.
            return { ...f, original: f.original && where && where.original ? { ...f.original, file: where.original.file } : f.original, where };
          });
          const c = classify(located, opts);
          if (!res.cached) {
            for (const w of c.warnings) this.warn(describeFinding(shown, w));
            for (const i of c.infos) {
              if (typeof this.info === 'function' && session.firstNote(i.rule)) this.info(infoNote(shown, i));
            }
          }
          for (const f of c.errors) errors.push({ text: describeFinding(shown, f), where: f.where });
        }
        if (errors.length) {
          const first = errors.find((e) => e.where) || errors[0];
          const w = first.where;
          this.error(
            new GuardminError(
              // One chunk guardmin could not minify or read says so itself; findings are listed.
              errors.length === 1 && errors[0].alone
                ? errors[0].text
                : `${errors.length} problem(s) in the emitted JavaScript:\n` + errors.map((e) => e.text).join('\n'),
              w ? { id: w.id, loc: w.loc, ...(w.frame ? { frame: w.frame } : {}) } : {},
            ),
          );
        }
      },

      async closeBundle() {
        await session.release();
      },
    };
  };

  const workerPlugin = () => ({ name: 'guardmin:worker', enforce: 'post', ...hooks(true) });

  // Worker bundles are separate builds with their own plugins (`worker.plugins`); guardmin
  // adds itself there, sharing this build's guardmin process.
  const registerWorker = (config) => {
    config.worker = config.worker || {};
    const user = config.worker.plugins;
    // Vite flattens the array and awaits promises in it, so the user's result (an array, a
    // plugin or a promise of either) can go in as it is.
    config.worker.plugins = (...args) => {
      const theirs = typeof user === 'function' ? user(...args) : user || [];
      return [theirs, workerPlugin()];
    };
  };

  return {
    name: 'guardmin',
    apply: 'build',
    enforce: 'post',

    config(config) {
      if (!minifying) {
        // Repair or scan only: Vite's (or another plugin's) minifier stays; generateBundle
        // repairs and checks its output.
        if (opts.worker !== false) registerWorker(config);
        return;
      }
      warnedMinifiers = requestedMinifiers(config);
      config.build = config.build || {};
      config.build.minify = false;
      for (const env of Object.values(config.environments || {})) {
        if (env && env.build && env.build.minify !== undefined) env.build.minify = false;
      }
      if (opts.worker !== false) registerWorker(config);
    },

    configResolved(config) {
      inVite = true;
      root = config.root || root;
      outDir = path.resolve(root, (config.build && config.build.outDir) || 'dist');
      // Fail before any bundling when there is no guardmin to run; thrown from here, the
      // message reaches the terminal as it is, without a bundler's stack around it.
      session.ensureBinary();
      if (warnedMinifiers.length) {
        config.logger.warn(
          `[guardmin] ${warnedMinifiers.join(', ')} is ignored: guardmin minifies this build ` +
            '(Vite\'s minifiers rewrite typeof guards that workers rely on). Remove the setting, ' +
            'or remove guardmin() from plugins to use it.',
        );
      }
    },

    ...hooks(false),
  };
}

guardmin.guardmin = guardmin;
guardmin.default = guardmin;
module.exports = guardmin;
