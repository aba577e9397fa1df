// Options shared by guardmin's Vite and webpack plugins. The optimizer options have the names
// of `guardmin minify` / `guardmin batch` flags, camelCased.

/** A rule `guardmin scan` runs (the ones known when this was written; guardmin may have more). */
export type GuardminRule =
  | 'serialized-closure'
  | 'emscripten-script-dir'
  | 'undeclared-void-compare'
  | 'guard-lost'
  | (string & {});

export interface GuardminOptions {
  /** Path to the guardmin binary. Default: GUARDMIN_BINARY, then ../target/{release,debug}/guardmin next to this package, then PATH. */
  binary?: string;
  /** `false`: `--no-compress` (only mangle and remove white space). */
  compress?: boolean;
  /** `false`: `--no-mangle` (keep local names). */
  mangle?: boolean;
  /**
   * `--comments`: which comments to keep. Default 'license' (moved to the top of the file);
   * 'eof' moves them to the end; 'external' writes them to FILE.LICENSE.txt beside each
   * chunk or asset, 'linked' too and ends the code with a banner naming it (esbuild's
   * legalComments, terser-webpack-plugin's extractComments file names).
   */
  comments?: 'license' | 'all' | 'none' | 'eof' | 'external' | 'linked';
  /** `--ecma`: newest syntax the output may use. */
  ecma?: 5 | 2015 | 2016 | 2017 | 2018 | 2019 | 2020 | 2021 | 2022;
  /** `--target`: an edition ('es2017', 'esnext') or a browserslist query ('chrome 80, safari 14', 'defaults'). */
  target?: string | string[];
  /** `--drop`: 'console' removes every console.* call, 'debugger' debugger statements (dropped by default). */
  drop?: ('console' | 'debugger') | ('console' | 'debugger')[];
  /** `--pure-funcs`: calls to drop when their result is unused, e.g. ['console.log', 'debug']. */
  pureFuncs?: string | string[];
  /** `--toplevel`: also drop and rename top-level names. */
  toplevel?: boolean;
  /** `--keep-fnames`. */
  keepFnames?: boolean;
  /** `--keep-classnames`. */
  keepClassnames?: boolean;
  /** `--passes`: compress passes. */
  passes?: number;
  /** `--define`: `{ DEBUG: 'false' }` (values are code; non-strings are JSON-encoded) or `['DEBUG=false']`. */
  define?: Record<string, string | number | boolean | null> | string[];
  /** `--threads`: guardmin's worker threads (default: the number of CPUs). */
  threads?: number;
  /** Source maps for minified files. Default: whatever the bundler is set to produce. */
  sourceMap?: boolean;
  /** Rules whose findings do not fail the build (as `guardmin scan --ignore-rule`). */
  ignoreRules?: GuardminRule[];
  /** Warnings (undeclared-void-compare) fail the build too. Infos never do. */
  denyWarnings?: boolean;
  /**
   * `true` (default): guardmin minifies in place of the bundler's minifier. `'repair'` (Vite,
   * Rollup, Rolldown, webpack, Rspack; the esbuild plugin refuses it): the bundler's minifier
   * stays, and `guardmin fix` repairs the guards it broke (code and source map); what cannot
   * be repaired fails the build. `false`: do not minify, only scan what another minifier
   * produced.
   */
  minify?: boolean | 'repair';
  /** `false`: do not scan the final files. */
  scan?: boolean;
}

export interface GuardminViteOptions extends GuardminOptions {
  /** `false`: do not add guardmin to `worker.plugins` (worker bundles are then not minified or scanned). */
  worker?: boolean;
}

/** A webpack asset-name condition, as in webpack's ModuleFilenameHelpers.matchObject. */
export type GuardminAssetCondition = string | RegExp | ((name: string) => boolean) | Array<string | RegExp | ((name: string) => boolean)>;

export interface GuardminWebpackOptions extends GuardminOptions {
  /** Assets to minify and scan. Default: /\.[cm]?js(?:[?#].*)?$/i */
  test?: GuardminAssetCondition;
  include?: GuardminAssetCondition;
  exclude?: GuardminAssetCondition;
}

/** One finding of `guardmin scan`, as `guardmin batch` reports it. */
export interface GuardminFinding {
  rule: GuardminRule;
  severity: 'error' | 'warning' | 'info';
  line: number;
  column: number;
  message: string;
  help: string;
  original: { file: string; line: number; column: number; name: string | null } | null;
}

/** One answer of `guardmin batch`. */
export interface GuardminBatchAnswer {
  id: unknown;
  name: string;
  code: string | null;
  map: string | null;
  findings: GuardminFinding[];
  error: null | { kind: string; message: string; line: number | null; column: number | null };
}

export interface GuardminBatchRequest {
  name: string;
  code: string;
  map?: string | object | null;
  mode?: 'minify' | 'scan';
}
