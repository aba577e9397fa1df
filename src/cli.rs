//! Command-line interface. `--help` is the reference; the README repeats it.

use crate::minify::comments::CommentsMode;
use crate::report::Format;
use crate::sourcemap::SourceMapMode;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "guardmin",
    version,
    about = "Minify JavaScript without breaking the typeof guards that workers depend on, and find where other minifiers broke them.",
    long_about = "guardmin is a post-processor for JavaScript bundles.\n\n\
  guardmin minify   minifies with swc_ecma_minifier, keeping every `typeof x == \"undefined\"` guard a typeof test (so functions sent to workers as source text, like Emscripten's pthreads glue, keep working) and checking its own output before writing it.\n\
  guardmin scan     checks any bundle, whoever minified it, for guards that were rewritten or dropped where that throws ReferenceError in a worker.\n\
  guardmin fix      repairs what scan finds in another minifier's output: each broken guard becomes the exactly equivalent typeof test again, nothing else changes.\n\n\
Exit codes: 0 success, 1 a file failed (minify) or an error was found (scan) or left (fix), 2 usage or I/O error.",
    after_help = "Examples:\n  guardmin minify dist/app.js -o dist/app.min.js\n  guardmin minify dist --out-dir dist-min -j 4\n  guardmin minify dist --in-place --source-map file\n  guardmin scan dist --format sarif > guardmin.sarif\n  guardmin fix dist --in-place"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Minify files, keeping every typeof-undefined guard.
    Minify(MinifyArgs),
    /// Find typeof guards that minification broke.
    #[command(after_help = SCAN_NOTES)]
    Scan(ScanArgs),
    /// Repair the typeof guards another minifier broke, in place, without minifying again.
    #[command(long_about = FIX_ABOUT, after_help = FIX_EXAMPLES)]
    Fix(FixArgs),
    /// Serve minify and scan requests as JSON lines on stdin/stdout (for build-tool plugins).
    ///
    /// Each input line is a request: {"id": any, "name": "assets/index.js", "code": "...",
    /// "map": source map object or JSON string or null, "mode": "minify" (default) or "scan",
    /// "module": true (an ES module: top-level names are mangled, exports kept), false (a
    /// script) or absent (decided from the code)}. Requests are processed in parallel as they
    /// arrive; each gets one output line, in completion order: {"id", "name", "code": string
    /// or null, "map": JSON string or null, "findings":
    /// [{"rule","severity","line","column","message","help","original"}], "licenses": the
    /// license comments for a license file with --comments external or linked, else null,
    /// "error": null or {"kind","message","line","column"}}. Findings are positions in the
    /// returned code (minify) or the given code (scan). The process ends at end of input.
    /// With --comments linked the plugin adds the banner (it knows the file names).
    Batch(BatchArgs),
    /// Check or print the cross-origin isolation headers threaded WebAssembly needs.
    Headers(crate::headers::HeadersArgs),
}

/// File selection shared by both commands.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Files or directories (walked recursively for .js, .mjs and .cjs), or `-` for stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Only take files under a directory matching this glob (repeatable), e.g. `**/*.js`.
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Skip files under a directory matching this glob (repeatable), e.g. `*.min.js`.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Parse every file as an ES module (default: .mjs are modules, .cjs scripts, others decided from the code).
    #[arg(long, conflicts_with = "script")]
    pub module: bool,
    /// Parse every file as a script.
    #[arg(long)]
    pub script: bool,
    /// Worker threads (default: the number of CPUs).
    #[arg(short = 'j', long = "threads", value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct MinifyArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Write the output here (one input only; `-` is stdout). Without -o, --out-dir or --in-place a single input goes to stdout.
    #[arg(short, long, value_name = "FILE", conflicts_with_all = ["out_dir", "in_place"])]
    pub output: Option<PathBuf>,
    /// Write outputs under DIR, mirroring each file's path relative to the directory it was found in.
    #[arg(long, value_name = "DIR", conflicts_with = "in_place")]
    pub out_dir: Option<PathBuf>,
    /// Replace each input with its minified form (atomically: a file is either the original or complete output), keeping its mode, owner and group; a file changed during the run is left alone.
    #[arg(long)]
    pub in_place: bool,
    #[command(flatten)]
    pub opts: OptimizeArgs,
    /// Source map output [default: file when the input has a map, otherwise none; inline for stdout].
    #[arg(long, value_enum, value_name = "MODE")]
    pub source_map: Option<SourceMapMode>,
    /// Cache outputs here; a later run over unchanged inputs with the same options copies them
    /// [default: node_modules/.cache/guardmin when ./node_modules exists, otherwise no cache].
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<PathBuf>,
    /// Do not read or write the cache.
    #[arg(long)]
    pub no_cache: bool,
    /// The input's source map, when its sourceMappingURL comment does not lead to it (one input only).
    #[arg(long, value_name = "FILE")]
    pub input_source_map: Option<PathBuf>,
}

/// How the code is optimized: shared by `minify` and `batch`.
#[derive(Args, Debug, Clone)]
pub struct OptimizeArgs {
    /// Do not compress (only mangle and remove white space).
    #[arg(long)]
    pub no_compress: bool,
    /// Do not rename local variables.
    #[arg(long)]
    pub no_mangle: bool,
    /// Newest ECMAScript version the output may use: 5, 2015 ... 2022 (terser's name for
    /// --target with an edition).
    #[arg(long, value_name = "YEAR", value_parser = ["5", "2015", "2016", "2017", "2018", "2019", "2020", "2021", "2022"])]
    pub ecma: Option<String>,
    /// The oldest environment the output must run in: an edition (es5, es2015 ... es2024,
    /// esnext) or a browserslist query ("chrome 80, safari 14", "defaults", "> 0.5%, not
    /// dead"), resolved to the newest edition every matched browser runs in full (Babel's
    /// compat data). The optimizer then introduces no syntax newer than that, and literals
    /// are written for it (no numeric separators before es2021, no 0b/0o before es2015, no
    /// \u{...} escapes in es5). guardmin does not lower syntax the input already has.
    /// [default: nothing newer than ES5 is introduced, literals are kept as written]
    #[arg(long, value_name = "EDITION|QUERY")]
    pub target: Option<String>,
    /// Remove code (comma-separated, repeatable): `console` removes every console.* call
    /// (terser's drop_console; arguments with side effects go too), `debugger` removes
    /// debugger statements (on by default, as in terser; accepted for esbuild's spelling).
    #[arg(long, value_name = "WHAT", value_delimiter = ',')]
    pub drop: Vec<String>,
    /// Functions without side effects (comma-separated, repeatable), e.g. `--pure-funcs
    /// console.log,debug,Math.floor`: a call whose result is unused is removed, arguments and
    /// all (terser's pure_funcs). Only name functions whose calls you do not need.
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub pure_funcs: Vec<String>,
    /// Keep top-level names stable across builds in FILE (terser's name cache JSON, read at
    /// the start and written atomically at the end; created when missing). A top-level name
    /// in the cache gets its cached name in every file, also where it is an undeclared global
    /// (scripts that share the global scope); with --toplevel or a module, new top-level
    /// names are added. Files then run one after another, in input order, and the output
    /// cache (--cache-dir) is not used. Exported names and the names guardmin keeps for
    /// workers are never renamed.
    #[arg(long, value_name = "FILE")]
    pub name_cache: Option<std::path::PathBuf>,
    /// Also drop and mangle top-level names (assumes nothing outside the file uses them). A
    /// module's (.mjs, --module, import/export) top level is always mangled, exports kept.
    #[arg(long)]
    pub toplevel: bool,
    /// Keep function names (for code that reads Function.prototype.name).
    #[arg(long)]
    pub keep_fnames: bool,
    /// Keep class names.
    #[arg(long)]
    pub keep_classnames: bool,
    /// Compress passes (default: swc's, one pass plus fixpoint).
    #[arg(long, value_name = "N")]
    pub passes: Option<usize>,
    /// Replace a global with an expression, like terser: --define DEBUG=false --define process.env.NODE_ENV='"production"'.
    #[arg(long, value_name = "NAME=EXPR")]
    pub define: Vec<String>,
    /// Minify an input even when guardmin's own scan finds errors in it (a guard another
    /// minifier already broke); without it such a file fails with the finding.
    #[arg(long)]
    pub allow_broken_input: bool,
    /// Which comments to keep. License comments are `/*!`, `//!`, @license, @preserve,
    /// @copyright and @cc_on ones, taken from the whole file in source order; the modes eof,
    /// external and linked are esbuild's legalComments.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = CommentsMode::License)]
    pub comments: CommentsMode,
}

#[derive(Args, Debug)]
pub struct BatchArgs {
    #[command(flatten)]
    pub opts: OptimizeArgs,
    /// Worker threads (default: the number of CPUs).
    #[arg(short = 'j', long = "threads", value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// The unminified source of the (single) scanned file, for the guard-lost rule. Without it, guard-lost uses the file's source map when it has sourcesContent.
    #[arg(long, value_name = "FILE")]
    pub original: Option<PathBuf>,
    /// Do not run this rule (repeatable): serialized-closure, emscripten-script-dir,
    /// undeclared-void-compare, guard-lost, threaded-wasm (the info note, see below).
    #[arg(long, value_name = "RULE")]
    pub ignore_rule: Vec<String>,
    /// Exit with 1 on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Colour in human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// `guardmin scan --help`, after the options.
const SCAN_NOTES: &str = "Severities: error (a broken guard: exit 1), warning (exit 1 with --deny-warnings), info (never changes the exit code).\n\n\
The info note threaded-wasm says that a file holds threaded WebAssembly glue (WebAssembly with a shared memory, as Emscripten pthreads builds and tfjs's threaded SIMD backend have). Such glue runs threaded only on a cross-origin isolated page (served with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp or credentialless); elsewhere it falls back to one thread without an error. Nothing is wrong with the file: the note is a reminder to check the deployment with `guardmin headers check --deep URL` (server configuration: `guardmin headers print --for nginx|vite|...`). Turn it off with --ignore-rule threaded-wasm; in the plugins it is shown once per build, and ignoreRules: ['threaded-wasm'] turns it off.\n\n\
Examples:\n  guardmin scan dist\n  guardmin scan dist --format sarif > guardmin.sarif\n  guardmin scan dist --ignore-rule threaded-wasm";

/// `guardmin fix --help`.
const FIX_ABOUT: &str = "Repair the typeof guards another minifier (terser, swc, oxc, ...) broke, without minifying again.\n\n\
Each file is scanned as `guardmin scan` does. Every error of the rules emscripten-script-dir, serialized-closure and guard-lost whose read stands in a guard shape a minifier makes from a `typeof` test is rewritten, by a splice of the file's text at that read, into the exactly equivalent typeof form:\n\n  \
void 0 !== X, X !== undefined   ->  typeof X<\"u\"\n  \
void 0 === X, X === undefined   ->  typeof X>\"u\"\n  \
null != X, X != void 0, ...     ->  typeof X<\"u\"&&null!=X\n  \
null == X, X == void 0, ...     ->  typeof X>\"u\"||null==X\n  \
X in a test (X && a, X ? a : b, if (X), !X)   ->  typeof X<\"u\"&&X\n\n\
(parenthesised where the operator around needs it). Each is what the minified code did where X is declared, and reads nothing where it is not. Nothing else in the file changes. Its source map (sourceMappingURL comment or --input-source-map) is updated so that every unchanged token keeps its original position.\n\n\
After the splices the file is parsed and scanned again (repairing a read can leave a later one without the proof it had; those are repaired in further rounds). A file with a finding that is not repairable (a read used as a value, which the original never guarded that way; a call of a name nothing declares, such as esbuild's __name helper; a binding renamed away from the name a worker prelude declares) is reported and left exactly as it was; so is a file that does not parse.\n\n\
Exit codes (as for scan): 0 no error left (or, with --check, none found), 1 an error is left (or found, with --check), 2 usage or I/O error.";

const FIX_EXAMPLES: &str = "Examples:\n  guardmin fix dist/app.min.js -o dist/app.fixed.js\n  guardmin fix dist --in-place\n  guardmin fix dist --check --format json";

/// Report format of `guardmin fix`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FixFormat {
    /// Lines for people, on stderr.
    Human,
    /// One JSON document on stdout (not with code on stdout).
    Json,
}

#[derive(Args, Debug)]
pub struct FixArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Write the output here (one input only). Without -o, --out-dir, --in-place or --check a single input goes to stdout.
    #[arg(short, long, value_name = "FILE", conflicts_with_all = ["out_dir", "in_place", "check"])]
    pub output: Option<PathBuf>,
    /// Write outputs under DIR, mirroring each file's path relative to the directory it was found in (files with nothing to repair are copied).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["in_place", "check"])]
    pub out_dir: Option<PathBuf>,
    /// Replace each repaired input (and its source map file) atomically, keeping mode, owner and group; files with nothing to repair are not touched.
    #[arg(long, conflicts_with = "check")]
    pub in_place: bool,
    /// Only report what would be repaired and what cannot be; write nothing.
    #[arg(long)]
    pub check: bool,
    /// The input's source map, when its sourceMappingURL comment does not lead to it (one input only).
    #[arg(long, value_name = "FILE")]
    pub input_source_map: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = FixFormat::Human)]
    pub format: FixFormat,
}
