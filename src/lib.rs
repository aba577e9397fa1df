//! guardmin: a guard-safe JavaScript minifier and a checker for typeof guards that
//! minification broke, for bundles whose functions are sent to workers as source text.
//!
//! Pipeline stages, one module each:
//! - [`discover`]: which files to process
//! - [`source`]: reading a file into checked UTF-8 text
//! - [`parse`]: swc parsing with errors that name file, line and column
//! - [`guard`]: finding typeof-undefined guards, keeping them, proving they were kept
//! - [`minify`]: the swc_ecma_minifier pipeline around the guard pass
//! - [`sourcemap`]: reading input maps and composing them with ours
//! - [`scan`]: the semantic model and the rules
//! - [`report`]: human, JSON, SARIF and GitHub output
//! - [`output`]: atomic writes
//! - [`timing`]: per-phase timings (`GUARDMIN_TIMINGS=1`)

pub mod cache;
pub mod cli;
pub mod commands;
pub mod diagnostic;
pub mod discover;
pub mod fix;
pub mod guard;
pub mod headers;
pub mod minify;
pub mod output;
pub mod parse;
pub mod report;
pub mod scan;
pub mod source;
pub mod sourcemap;
pub mod timing;

/// guardmin's version, as shown by `--version` and written into reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
