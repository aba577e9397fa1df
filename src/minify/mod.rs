//! `guardmin minify`, one file: parse, resolve, refuse an input that is already broken,
//! protect the typeof guards and the names serialized functions read, optimize with
//! swc_ecma_minifier (terser's `typeofs` forced off), restore and check the guards, generate
//! code, scan the output, build a source map. The stages: [`engine`] (one attempt),
//! [`protect`] (typeof markers), [`verify`] (input and output scans); here the retry.

pub mod comments;
mod engine;
pub mod name_cache;
pub mod protect;
pub mod target;
mod verify;

use crate::diagnostic::{FileError, FileErrorKind, LineIndex};
use crate::parse::ParseMode;
use crate::source::Source;
use crate::sourcemap::{self, InputMap};
use comments::CommentsMode;
use engine::attempt;
use swc_common::{sync::Lrc, FileName, SourceMap, GLOBALS};
use swc_ecma_ast::EsVersion;

/// Everything that decides the output bytes of one file.
#[derive(Clone, Debug)]
pub struct Options {
    pub compress: bool,
    pub mangle: bool,
    /// `--target` / `--ecma`: the newest syntax the optimizer and code generator may write.
    /// `None`: swc's defaults (the optimizer introduces nothing newer than ES5, the code
    /// generator writes literals as they are).
    pub ecma: Option<EsVersion>,
    pub toplevel: bool,
    pub keep_fnames: bool,
    pub keep_classnames: bool,
    pub passes: usize,
    /// `--define KEY=EXPR`, checked by [`check_define`].
    pub defines: Vec<(String, String)>,
    pub comments: CommentsMode,
    /// `--drop console`: remove every `console.*` call (swc's `drop_console`).
    pub drop_console: bool,
    /// Remove `debugger` statements (swc's `drop_debugger`; on by default, as in terser).
    pub drop_debugger: bool,
    /// `--pure-funcs`: calls whose result may be dropped when unused (swc's `pure_funcs`),
    /// checked by [`check_pure_func`].
    pub pure_funcs: Vec<String>,
    /// `--name-cache`: terser's name cache, shared by the files of a run (which then run one
    /// after another, in input order).
    pub name_cache: Option<std::sync::Arc<std::sync::Mutex<name_cache::NameCache>>>,
    pub parse_mode: ParseMode,
    /// Build a source map (the command decides where it goes).
    pub source_map: bool,
    /// Read the input's own map (from its `sourceMappingURL` or `input_source_map`).
    pub read_input_map: bool,
    pub input_source_map: Option<std::path::PathBuf>,
    /// Keep typeof guards (always on in the CLI; off only to measure plain swc).
    pub preserve_guards: bool,
    /// Run guardmin's scan on the output and refuse new findings (always on in the CLI).
    pub self_check: bool,
    /// `--allow-broken-input`: minify an input whose own scan has errors (otherwise refused).
    pub allow_broken_input: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            compress: true,
            mangle: true,
            ecma: None,
            toplevel: false,
            keep_fnames: false,
            keep_classnames: false,
            passes: 0,
            defines: Vec::new(),
            comments: CommentsMode::License,
            drop_console: false,
            drop_debugger: true,
            pure_funcs: Vec::new(),
            name_cache: None,
            parse_mode: ParseMode::Auto,
            source_map: false,
            read_input_map: true,
            input_source_map: None,
            preserve_guards: true,
            self_check: true,
            allow_broken_input: false,
        }
    }
}

/// The result for one file.
pub struct Minified {
    pub code: String,
    /// Source map JSON (composed with the input's map when there was one).
    pub map: Option<Vec<u8>>,
    /// Whether the input had a map of its own.
    pub had_input_map: bool,
    /// typeof guards in the input.
    pub guards: usize,
    /// Set when the first optimization lost a guard and the conservative retry was used.
    pub conservative: bool,
    /// With `--comments external` or `linked`: the license comments for the license file
    /// (one per line, in source order), `None` when the input has none.
    pub licenses: Option<String>,
}

/// Checks a `--pure-funcs` name before it reaches swc (which panics on one it cannot parse):
/// an identifier or a dotted path (`console.log`, `Math.floor`).
pub fn check_pure_func(name: &str) -> Result<(), String> {
    let ident = |s: &str| {
        let mut c = s.chars();
        c.next()
            .is_some_and(|f| f.is_alphabetic() || f == '_' || f == '$')
            && c.all(|ch| ch.is_alphanumeric() || ch == '_' || ch == '$')
    };
    if name.is_empty() || !name.split('.').all(ident) {
        return Err(format!("--pure-funcs {name:?}: a name is an identifier or a dotted path such as console.log or Math.floor; separate names with commas"));
    }
    Ok(())
}

/// Checks a `--define` before it reaches swc (which panics on bad ones).
pub fn check_define(key: &str, value: &str) -> Result<(), String> {
    let ident = |s: &str| {
        let mut c = s.chars();
        c.next()
            .is_some_and(|f| f.is_alphabetic() || f == '_' || f == '$')
            && c.all(|ch| ch.is_alphanumeric() || ch == '_' || ch == '$')
    };
    if key.is_empty() || !key.split('.').all(ident) {
        return Err(format!("--define {key}={value}: the name must be an identifier or a dotted path like process.env.NODE_ENV"));
    }
    crate::parse::limits::shallow(value).map_err(|what| format!("--define {key}=...: {what}"))?;
    let ok = GLOBALS.set(&Default::default(), || {
        let cm: Lrc<SourceMap> = Default::default();
        let fm = cm.new_source_file(Lrc::new(FileName::Anon), value.to_string());
        let mut errors = Vec::new();
        swc_ecma_parser::parse_file_as_expr(
            &fm,
            Default::default(),
            EsVersion::latest(),
            None,
            &mut errors,
        )
        .is_ok()
            && errors.is_empty()
    });
    if !ok || value.trim().is_empty() {
        return Err(format!("--define {key}={value}: the value must be a JavaScript expression, for example false, 42 or '\"production\"'"));
    }
    Ok(())
}

/// Minifies one source, reading its input map as `opts` says. Runs in its own swc `Globals`.
pub fn minify(src: &Source, opts: &Options) -> Result<Minified, FileError> {
    let input_map = if opts.read_input_map || opts.input_source_map.is_some() {
        sourcemap::find_input_map(src, opts.input_source_map.as_deref())?
    } else {
        None
    };
    minify_with_map(src, opts, input_map)
}

/// Minifies one source whose input map (if any) the caller already has (batch mode).
pub fn minify_with_map(
    src: &Source,
    opts: &Options,
    input_map: Option<InputMap>,
) -> Result<Minified, FileError> {
    GLOBALS.set(&Default::default(), || run(src, opts, input_map))
}

fn run(src: &Source, opts: &Options, input_map: Option<InputMap>) -> Result<Minified, FileError> {
    let first = attempt(src, opts, false, input_map.as_ref())?;
    let out = match first {
        Attempt::Done(m) => m,
        Attempt::LostGuards((off, name)) => {
            crate::timing::note(
                &src.name,
                &format!("the typeof of `{name}` at byte {off} was lost; retrying with the passes that inline values off"),
            );
            match attempt(src, opts, true, input_map.as_ref())? {
                Attempt::Done(mut m) => {
                    m.conservative = true;
                    m
                }
                Attempt::LostGuards(lost) => {
                    let idx = LineIndex::new(&src.text);
                    let (line, col) = idx.line_col(lost.0);
                    return Err(FileError::new(
                    FileErrorKind::Guard,
                    src.name.clone(),
                    format!(
                        "swc replaced the `typeof {}` of a declared binding (a guard) even with guardmin's protection and the inlining passes off; nothing was written (please report this input)",
                        lost.1
                    ),
                )
                .at(&src.text, idx.offset(line, col).unwrap_or(0)));
                }
            }
        }
    };
    Ok(out)
}

pub(crate) enum Attempt {
    Done(Minified),
    /// Byte offset in the input and name of the first lost guard.
    LostGuards((usize, String)),
}
