'use strict';
// guardmin for webpack 5: a minimizer (optimization.minimizer: [new GuardminPlugin()]) that
// minifies JavaScript assets with `guardmin batch` at PROCESS_ASSETS_STAGE_OPTIMIZE_SIZE, and
// scans every final JavaScript asset at PROCESS_ASSETS_STAGE_ANALYSE, whoever minified it.
// With `minify: 'repair'` the configured minimizer stays, and `guardmin fix` repairs its
// output right after it (before source-map files and content hashes are made).

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
const { describeUnrepairable, describeRepairs, leftAsItWas } = require('./repair.cjs');

const PLUGIN = 'GuardminPlugin';
// Asset names may carry the query and fragment their filename template wrote.
const DEFAULT_TEST = /\.[cm]?js(?:[?#].*)?$/i;

/**
 * The module of the compilation (a concatenated module's inner ones included) whose resource
 * a source-map source names: `webpack://<namespace>/./src/x.js` (webpack's and Rspack's
 * default devtoolModuleFilenameTemplate), a path relative to the context, or an absolute path.
 */
function moduleFor(compilation, source) {
  let index = byResource.get(compilation);
  if (!index) {
    index = new Map();
    const add = (m) => {
      if (m && typeof m.resource === 'string' && !index.has(m.resource)) index.set(m.resource, m);
      if (m && m.modules) for (const inner of m.modules) add(inner);
    };
    for (const m of compilation.modules) add(m);
    byResource.set(compilation, index);
  }
  const context = compilation.compiler.context;
  let rel = String(source);
  // Before devtool names them (the maps of assets before PROCESS_ASSETS_STAGE_DEV_TOOLING),
  // sources are `webpack://` + the module's identifier made relative: a type or loaders
  // before the resource (`javascript/esm|./src/x.js`, `loader.js!./src/x.js`).
  const ident = /^webpack:\/\/(.*[|!])([^|!]*)$/.exec(rel);
  rel = (ident ? ident[2] : rel.replace(/^webpack:\/\/[^/]*\//, '')).replace(/\?.*$/, '');
  if (/^[a-z][a-z0-9+.-]*:/i.test(rel)) return null;
  return index.get(path.resolve(context, rel)) || null;
}
const byResource = new WeakMap();

/** `\n  original source: src/x.js:3:7` for a located error, as findings say it. */
function originalLine(compiler, where) {
  if (!where || !where.original) return '';
  const o = where.original;
  return `\n  original source: ${path.relative(compiler.context, o.file).split(path.sep).join('/')}:${o.line}:${o.column}`;
}

// An asset whose problem is reported already, so that the scan does not report it again: by
// name, and in its info, which follows the asset when webpack renames it for its real content
// hash (PROCESS_ASSETS_STAGE_OPTIMIZE_HASH, between the minimizers and the scan).
const REPORTED = 'guardminReported';
// With minify: 'repair', the number of reads `guardmin fix` repaired in the asset (0: none
// needed): the asset is done, also under the name its real content hash gives it.
const REPAIRED = 'guardminRepaired';
function markReported(compilation, skip, name) {
  skip.add(name);
  const asset = compilation.getAsset(name);
  if (asset) compilation.updateAsset(name, asset.source, { [REPORTED]: true });
}

function text(source) {
  const s = source.source();
  return typeof s === 'string' ? s : Buffer.from(s).toString('utf8');
}

class GuardminPlugin {
  /**
   * `options` take the guardmin CLI's names (compress, mangle, comments, ecma, target, drop,
   * pureFuncs, toplevel, keepFnames, keepClassnames, passes, define, threads), plus binary, sourceMap, ignoreRules,
   * denyWarnings, minify (false: only scan, e.g. after another minimizer), scan (false: only
   * minify) and webpack's test / include / exclude asset filters.
   */
  constructor(options = {}) {
    this.options = normalizeOptions(options, 'webpack');
  }

  apply(compiler) {
    const { Compilation, WebpackError, ModuleFilenameHelpers, sources } = compiler.webpack;
    const opts = this.options;
    const session = new Session(opts);
    const filter = {
      test: opts.test === undefined ? DEFAULT_TEST : opts.test,
      include: opts.include,
      exclude: opts.exclude,
    };
    const matches = (name) => ModuleFilenameHelpers.matchObject(filter, name);

    // The message names the asset, line and column (1-based, like guardmin's CLI). The error
    // also carries them in webpack's form, so that stats print and editors open the place:
    // `file` (the asset), and where the position maps back to a module of the compilation,
    // `module` and `loc` there (webpack's loc: 1-based line, 0-based column; stats print
    // `ERROR in <asset>`, then `<module> <line>:<column>`). No stack: it would only point
    // in here.
    const makeError = (message, file, where) => {
      const err = new WebpackError(message);
      err.name = 'GuardminError';
      if (file) err.file = file;
      if (where && where.module) err.module = where.module;
      if (where && where.loc) err.loc = where.loc;
      err.hideStack = true;
      return err;
    };

    // Assets guardmin failed to minify in this compilation, so the scan does not report
    // them a second time.
    const failed = new WeakMap();

    const failedIn = (compilation) => {
      let set = failed.get(compilation);
      if (!set) failed.set(compilation, (set = new Set()));
      return set;
    };

    compiler.hooks.thisCompilation.tap(PLUGIN, (compilation) => {
      // Info notes (threaded-wasm): each rule once per build, child compilations included.
      session.notesShown.clear();
      try {
        session.ensureBinary();
      } catch (e) {
        if (!(e instanceof GuardminError)) throw e;
        compilation.errors.push(makeError(e.message));
        return;
      }
      if (opts.scan !== false) {
        compilation.hooks.processAssets.tapPromise(
          { name: PLUGIN, stage: Compilation.PROCESS_ASSETS_STAGE_ANALYSE },
          (assets) => this.scanAssets(compilation, assets, { session, matches, makeError, skip: failedIn(compilation) }),
        );
      }
    });

    compiler.hooks.compilation.tap(PLUGIN, (compilation) => {
      if (opts.minify === false) return;
      if (!session.binary) return; // reported by thisCompilation
      if (opts.minify === 'repair') {
        // additionalAssets: assets added at a later stage are repaired as they come (after the
        // minimizers, which minify them the same way). An asset renamed for its real content
        // hash comes again as a new one; its info says it was done.
        compilation.hooks.processAssets.tapPromise(
          { name: PLUGIN, stage: Compilation.PROCESS_ASSETS_STAGE_OPTIMIZE_SIZE + 1, additionalAssets: true },
          (assets) => this.repairAssets(compilation, assets, { session, matches, makeError, sources, skip: failedIn(compilation) }),
        );
        return;
      }
      compilation.hooks.processAssets.tapPromise(
        { name: PLUGIN, stage: Compilation.PROCESS_ASSETS_STAGE_OPTIMIZE_SIZE, additionalAssets: true },
        (assets) => this.minifyAssets(compilation, assets, { session, matches, makeError, sources, skip: failedIn(compilation) }),
      );
      compilation.hooks.statsPrinter.tap(PLUGIN, (stats) => {
        stats.hooks.print
          .for('asset.info.minimized')
          .tap(PLUGIN, (minimized, { green, formatFlag }) => (minimized && green && formatFlag ? green(formatFlag('minimized')) : ''));
      });
    });

    const close = () => session.close();
    compiler.hooks.done.tapPromise(PLUGIN, close);
    compiler.hooks.failed.tap(PLUGIN, () => {
      close();
    });
    compiler.hooks.watchClose.tap(PLUGIN, () => {
      close();
    });
  }

  /**
   * Where guardmin's 1-based `line`/`column` of an asset leads: `{ module, loc, original }`
   * (the module of the compilation whose source the asset's map names there, and the place
   * in it), or null. `original` is a finding's own trace
   * (`{ file, line, column }`, 1-based); otherwise the position is looked up in `map`.
   */
  locate(compilation, code, map, line, column, original) {
    if (line == null) return null;
    let o = original;
    if (!o && map) {
      const t = traceOriginal(map, code, line, column);
      o = t && t.source ? { file: t.source, line: t.line, column: t.column + 1 } : null;
    }
    // Without a module the message's `asset:line:column` says where; a `loc` alone would be
    // printed as if it were in a module.
    if (!o || !o.file) return null;
    const module = moduleFor(compilation, o.file);
    if (!module) return null;
    return {
      module,
      loc: { start: { line: o.line, column: Math.max(0, o.column - 1) } },
      original: { file: module.resource, line: o.line, column: o.column },
    };
  }

  async minifyAssets(compilation, assets, { session, matches, makeError, sources, skip }) {
    const opts = this.options;
    const cache = compilation.getCache(PLUGIN);
    // Cached results hold while the options and the binary (path, size, time) stay the same.
    const bin = fs.statSync(session.binary);
    const optionsEtag = JSON.stringify([
      opts.compress, opts.mangle, opts.comments, opts.ecma, opts.target, opts.drop, opts.pureFuncs, opts.toplevel,
      opts.keepFnames, opts.keepClassnames, opts.passes, opts.define, opts.sourceMap, session.binary, bin.size, bin.mtimeMs,
    ]);
    const devtool = compilation.options.devtool;
    const useMaps = opts.sourceMap !== undefined ? Boolean(opts.sourceMap) : Boolean(devtool && String(devtool).includes('source-map'));

    const names = Object.keys(assets).filter((name) => {
      const asset = compilation.getAsset(name);
      if (!asset) return false;
      const { info } = asset;
      if (info.minimized || info.extractedComments) return false;
      return matches(name);
    });

    await Promise.all(
      names.map(async (name) => {
        const { source } = compilation.getAsset(name);
        const etag = cache.mergeEtags(cache.getLazyHashedEtag(source), `${optionsEtag}|${useMaps}`);
        const item = cache.getItemCache(name, etag);
        let output = await item.getPromise();
        if (!output) {
          let code;
          let map = null;
          if (useMaps) {
            const sm = source.sourceAndMap();
            code = sm.source;
            map = sm.map || null;
          } else {
            code = source.source();
          }
          if (typeof code !== 'string') code = Buffer.from(code).toString('utf8');
          // guardmin maps its output onto this code, column-exact with names; the asset's own
          // map is composed with that by webpack-sources below, as for terser. (Handed to
          // guardmin, the map would be composed by swc, which takes a whole module's
          // statement-level mapping for every token in it: every token of a statement then
          // lands on the statement's start, without names.)
          const res = await session.minify(name, code, null);
          if (res.error) {
            const e = res.error;
            // The module it came from: through the asset's map (asked for here when the
            // build makes none of its own, e.g. devtool: false, in case the modules have maps).
            let assetMap = map;
            if (!assetMap && !useMaps) {
              try {
                assetMap = source.map();
              } catch {}
            }
            const where = this.locate(compilation, code, assetMap, e.line, e.column);
            const frame = codeFrame(code, e.line, e.column);
            compilation.errors.push(
              makeError(
                describeError(name, e, 'minify') + originalLine(compilation.compiler, where) + (frame ? `\n${frame}` : ''),
                name,
                where,
              ),
            );
            markReported(compilation, skip, name);
            return;
          }
          const { SourceMapSource, RawSource } = sources;
          // comments: 'external' / 'linked': ASSET.LICENSE.txt beside the asset, as
          // terser-webpack-plugin's extractComments names it; 'linked' ends the code with a
          // banner naming it.
          const licenseFile = res.licenses ? `${name.replace(/[?#].*$/, '')}.LICENSE.txt` : null;
          let out = res.code;
          if (licenseFile && opts.comments === 'linked') {
            out += `\n/*! For license information please see ${path.posix.basename(licenseFile)} */`;
          }
          output = {
            source: useMaps && res.map ? new SourceMapSource(out, name, JSON.parse(res.map), code, map, true) : new RawSource(out),
            licenseFile,
            licenses: res.licenses || null,
          };
          await item.storePromise(output);
        }
        compilation.updateAsset(name, output.source, { minimized: true });
        if (output.licenseFile) {
          const lic = new sources.RawSource(output.licenses);
          if (compilation.getAsset(output.licenseFile)) compilation.updateAsset(output.licenseFile, lic, { extractedComments: true });
          else compilation.emitAsset(output.licenseFile, lic, { extractedComments: true });
        }
      }),
    );
  }

  /**
   * `minify: 'repair'`: `guardmin fix` on the JavaScript assets the minimizers left (one
   * process for all), at PROCESS_ASSETS_STAGE_OPTIMIZE_SIZE + 1: after every minimizer,
   * before the source-map files (DEV_TOOLING) and the real content hashes (OPTIMIZE_HASH)
   * are made, so both see the repaired bytes. The asset's map goes to guardmin, which moves
   * its mappings with the splices: the repaired asset is a SourceMapSource with that map.
   */
  async repairAssets(compilation, assets, { session, matches, makeError, sources, skip }) {
    const opts = this.options;
    const devtool = compilation.options.devtool;
    const useMaps = opts.sourceMap !== undefined ? Boolean(opts.sourceMap) : Boolean(devtool && String(devtool).includes('source-map'));
    const jobs = [];
    for (const name of Object.keys(assets)) {
      const asset = compilation.getAsset(name);
      const { info } = asset || {};
      if (!asset || !matches(name) || skip.has(name) || info[REPORTED] || typeof info[REPAIRED] === 'number') continue;
      let code;
      let map = null;
      if (useMaps) {
        const sm = asset.source.sourceAndMap();
        code = sm.source;
        map = sm.map ? JSON.stringify(sm.map) : null;
      } else {
        code = asset.source.source();
      }
      if (typeof code !== 'string') code = Buffer.from(code).toString('utf8');
      jobs.push({ name, code, map });
    }
    let candidates = jobs;
    if (opts.scan !== false) {
      // Only assets the scan finds an error in go to `guardmin fix` (a scan costs less).
      const pre = await Promise.all(jobs.map((j) => session.scan(j.name, j.code, j.map)));
      candidates = jobs.filter((j, i) => {
        const broken = !pre[i].error && pre[i].findings.some((f) => f.severity === 'error');
        if (!broken) compilation.updateAsset(j.name, compilation.getAsset(j.name).source, { [REPAIRED]: 0 });
        return broken;
      });
    }
    const results = await session.repair(candidates);
    const logger = compilation.getLogger(PLUGIN);
    candidates.forEach(({ name, code, map }, i) => {
      const r = results[i];
      // Where a place leads: through the asset's map, asked for here when the build makes
      // none (devtool: false), in case the modules have maps.
      const locate = (line, column) => {
        let m = map;
        if (!m && !useMaps) {
          try {
            m = compilation.getAsset(name).source.map();
          } catch {}
        }
        return this.locate(compilation, code, m, line, column);
      };
      if (r.status === 'failed') {
        const where = locate(r.error.line, r.error.column);
        const frame = codeFrame(code, r.error.line, r.error.column);
        compilation.errors.push(
          makeError(describeError(name, r.error, 'repair') + originalLine(compilation.compiler, where) + (frame ? `\n${frame}` : ''), name, where),
        );
        markReported(compilation, skip, name);
        return;
      }
      if (r.status === 'not-repairable') {
        const counted = classify(r.notRepairable.map((u) => ({ ...u, severity: 'error' })), opts).errors;
        if (!counted.length) {
          // Only ignored rules: the asset stays as it was, and the scan reports the rest.
          compilation.updateAsset(name, compilation.getAsset(name).source, { [REPAIRED]: 0 });
          return;
        }
        markReported(compilation, skip, name);
        for (const u of counted) {
          const where = locate(u.line, u.column);
          compilation.errors.push(
            makeError(`guardmin: ${describeUnrepairable(name, u)}${originalLine(compilation.compiler, where)}${leftAsItWas(r)}`, name, where),
          );
        }
        return;
      }
      if (r.status !== 'repaired') {
        compilation.updateAsset(name, compilation.getAsset(name).source, { [REPAIRED]: 0 });
        return;
      }
      const { SourceMapSource, RawSource } = sources;
      const source = useMaps && r.map ? new SourceMapSource(r.code, name, JSON.parse(r.map)) : new RawSource(r.code);
      compilation.updateAsset(name, source, { [REPAIRED]: r.repairs.length });
      logger.info(describeRepairs(name, r.repairs));
    });
  }

  async scanAssets(compilation, assets, { session, matches, makeError, skip }) {
    const opts = this.options;
    const jobs = [];
    for (const name of Object.keys(assets)) {
      if (!matches(name) || (skip && skip.has(name))) continue;
      const asset = compilation.getAsset(name);
      if (!asset || asset.info[REPORTED]) continue;
      let map = null;
      const related = asset.info.related && asset.info.related.sourceMap;
      const mapName = Array.isArray(related) ? related[0] : related;
      if (mapName) {
        const mapAsset = compilation.getAsset(mapName);
        if (mapAsset) map = text(mapAsset.source);
      }
      jobs.push({ name, code: text(asset.source), map });
    }
    const results = await Promise.all(jobs.map(async (j) => ({ ...j, res: await session.scan(j.name, j.code, j.map) })));
    for (const { name, code, map, res } of results) {
      if (res.error) {
        const where = this.locate(compilation, code, map, res.error.line, res.error.column);
        const frame = codeFrame(code, res.error.line, res.error.column);
        compilation.errors.push(
          makeError(describeError(name, res.error, 'read') + originalLine(compilation.compiler, where) + (frame ? `\n${frame}` : ''), name, where),
        );
        continue;
      }
      const { errors, warnings, infos } = classify(res.findings, opts);
      const located = (f) => this.locate(compilation, code, map, f.line, f.column, f.original);
      for (const f of errors) {
        compilation.errors.push(makeError(`guardmin: ${describeFinding(name, f)}`, name, located(f)));
      }
      for (const f of warnings) {
        compilation.warnings.push(makeError(`guardmin: ${describeFinding(name, f)}`, name, located(f)));
      }
      for (const f of infos) {
        if (session.firstNote(f.rule)) compilation.getLogger(PLUGIN).info(infoNote(name, f));
      }
    }
  }
}

GuardminPlugin.GuardminPlugin = GuardminPlugin;
GuardminPlugin.default = GuardminPlugin;
module.exports = GuardminPlugin;
