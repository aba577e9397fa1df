'use strict';
// guardmin for webpack 5: a minimizer (optimization.minimizer: [new GuardminPlugin()]) that
// minifies JavaScript assets with `guardmin batch` at PROCESS_ASSETS_STAGE_OPTIMIZE_SIZE, and
// scans every final JavaScript asset at PROCESS_ASSETS_STAGE_ANALYSE, whoever minified it.

const fs = require('node:fs');
const {
  GuardminError,
  Session,
  normalizeOptions,
  classify,
  describeFinding,
  describeError,
  codeFrame,
} = require('./client.cjs');

const PLUGIN = 'GuardminPlugin';
// Asset names may carry the query and fragment their filename template wrote.
const DEFAULT_TEST = /\.[cm]?js(?:[?#].*)?$/i;

function text(source) {
  const s = source.source();
  return typeof s === 'string' ? s : Buffer.from(s).toString('utf8');
}

class GuardminPlugin {
  /**
   * `options` take the guardmin CLI's names (compress, mangle, comments, ecma, toplevel,
   * keepFnames, keepClassnames, passes, define, threads), plus binary, sourceMap, ignoreRules,
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

    // The message names file, line and column itself (1-based, like guardmin's CLI), so no
    // `loc` (webpack prints those 0-based); no stack either, it would only point in here.
    const makeError = (message, file) => {
      const err = new WebpackError(message);
      err.name = 'GuardminError';
      if (file) err.file = file;
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

  async minifyAssets(compilation, assets, { session, matches, makeError, sources, skip }) {
    const opts = this.options;
    const cache = compilation.getCache(PLUGIN);
    // Cached results hold while the options and the binary (path, size, time) stay the same.
    const bin = fs.statSync(session.binary);
    const optionsEtag = JSON.stringify([
      opts.compress, opts.mangle, opts.comments, opts.ecma, opts.toplevel, opts.keepFnames, opts.keepClassnames,
      opts.passes, opts.define, opts.sourceMap, session.binary, bin.size, bin.mtimeMs,
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
          const res = await session.minify(name, code, map);
          if (res.error) {
            const frame = codeFrame(code, res.error.line, res.error.column);
            compilation.errors.push(
              makeError(
                describeError(name, res.error, 'minify') + (frame ? `\n${frame}` : ''),
                name,
              ),
            );
            skip.add(name);
            return;
          }
          const { SourceMapSource, RawSource } = sources;
          output = {
            source: useMaps && res.map ? new SourceMapSource(res.code, name, JSON.parse(res.map)) : new RawSource(res.code),
          };
          await item.storePromise(output);
        }
        compilation.updateAsset(name, output.source, { minimized: true });
      }),
    );
  }

  async scanAssets(compilation, assets, { session, matches, makeError, skip }) {
    const opts = this.options;
    const jobs = [];
    for (const name of Object.keys(assets)) {
      if (!matches(name) || (skip && skip.has(name))) continue;
      const asset = compilation.getAsset(name);
      if (!asset) continue;
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
    for (const { name, code, res } of results) {
      if (res.error) {
        const frame = codeFrame(code, res.error.line, res.error.column);
        compilation.errors.push(
          makeError(describeError(name, res.error, 'read') + (frame ? `\n${frame}` : ''), name),
        );
        continue;
      }
      const { errors, warnings, infos } = classify(res.findings, opts);
      for (const f of errors) {
        compilation.errors.push(makeError(`guardmin: ${describeFinding(name, f)}`, name));
      }
      for (const f of warnings) {
        compilation.warnings.push(makeError(`guardmin: ${describeFinding(name, f)}`, name));
      }
      for (const f of infos) compilation.getLogger(PLUGIN).info(describeFinding(name, f));
    }
  }
}

GuardminPlugin.GuardminPlugin = GuardminPlugin;
GuardminPlugin.default = GuardminPlugin;
module.exports = GuardminPlugin;
