//! `guardmin minify`, one file: parse, resolve, protect the typeof guards, optimize with
//! swc_ecma_minifier (terser's `typeofs` forced off), check the guards and the output,
//! generate code and a source map.

pub mod comments;

use crate::diagnostic::{FileError, FileErrorKind, LineIndex};
use crate::guard;
use crate::parse::{self, ParseMode};
use crate::scan;
use crate::source::Source;
use crate::sourcemap::{self, InputMap};
use comments::CommentsMode;
use std::collections::HashMap;
use swc_common::comments::SingleThreadedComments;
use swc_common::{sync::Lrc, BytePos, FileName, LineCol, Mark, SourceMap, GLOBALS};
use swc_ecma_ast::{EsVersion, Program};
use swc_ecma_codegen::text_writer::{omit_trailing_semi, JsWriter};
use swc_ecma_codegen::Emitter;
use swc_ecma_minifier::option::terser::TerserCompressorOptions;
use swc_ecma_minifier::option::{ExtraOptions, MangleOptions, MinifyOptions as SwcOptions};
use swc_ecma_transforms_base::{fixer::fixer, resolver};
use swc_ecma_visit::{Visit, VisitMutWith, VisitWith};

/// Everything that decides the output bytes of one file.
#[derive(Clone, Debug)]
pub struct Options {
    pub compress: bool,
    pub mangle: bool,
    /// `--ecma`: the newest syntax the optimizer may emit (5, 2015 ... 2022). `None`: swc's default.
    pub ecma: Option<u32>,
    pub toplevel: bool,
    pub keep_fnames: bool,
    pub keep_classnames: bool,
    pub passes: usize,
    /// `--define KEY=EXPR`, checked by [`check_define`].
    pub defines: Vec<(String, String)>,
    pub comments: CommentsMode,
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
            parse_mode: ParseMode::Auto,
            source_map: false,
            read_input_map: true,
            input_source_map: None,
            preserve_guards: true,
            self_check: true,
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
    parse::limits::shallow(value).map_err(|what| format!("--define {key}=...: {what}"))?;
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
        Attempt::LostGuards(_) => match attempt(src, opts, true, input_map.as_ref())? {
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
                        "swc turned the typeof guard on `{}` into a plain reference even with guardmin's protection; nothing was written (please report this input)",
                        lost.1
                    ),
                )
                .at(&src.text, idx.offset(line, col).unwrap_or(0)));
            }
        },
    };
    Ok(out)
}

enum Attempt {
    Done(Minified),
    /// Byte offset in the input and name of the first lost guard.
    LostGuards((usize, String)),
}

fn swc_options(
    opts: &Options,
    cm: &Lrc<SourceMap>,
    is_module: bool,
    conservative: bool,
) -> SwcOptions {
    let compress = opts.compress.then(|| {
        let mut v = serde_json::json!({
            "typeofs": false,
            "module": is_module,
            "keep_fnames": opts.keep_fnames,
            "keep_classnames": opts.keep_classnames,
        });
        if opts.passes > 0 {
            v["passes"] = opts.passes.into();
        }
        if let Some(e) = opts.ecma {
            v["ecma"] = e.into();
        }
        if opts.toplevel {
            v["toplevel"] = true.into();
        }
        if !opts.defines.is_empty() {
            let defs: serde_json::Map<String, serde_json::Value> = opts
                .defines
                .iter()
                .map(|(k, val)| (format!("@{k}"), val.clone().into()))
                .collect();
            v["global_defs"] = defs.into();
        }
        if conservative {
            // The passes that move code between scopes or fold what they know of a name.
            for k in [
                "reduce_vars",
                "collapse_vars",
                "evaluate",
                "comparisons",
                "hoist_props",
            ] {
                v[k] = false.into();
            }
            v["inline"] = 0.into();
        }
        let terser: TerserCompressorOptions =
            serde_json::from_value(v).expect("guardmin builds valid compressor options");
        terser.into_config(cm.clone())
    });
    let mangle = opts.mangle.then(|| MangleOptions {
        top_level: Some(opts.toplevel || is_module),
        keep_fn_names: opts.keep_fnames,
        keep_class_names: opts.keep_classnames,
        ..Default::default()
    });
    SwcOptions {
        rename: false,
        compress,
        mangle,
        wrap: false,
        enclose: false,
    }
}

fn attempt(
    src: &Source,
    opts: &Options,
    conservative: bool,
    input_map: Option<&InputMap>,
) -> Result<Attempt, FileError> {
    let mut phases = crate::timing::Phases::start(&src.name);
    let parsed = parse::parse(src, &src.text, opts.parse_mode)?;
    phases.lap("parse");
    let parse::Parsed {
        cm,
        fm,
        mut program,
        comments,
    } = parsed;
    let is_module = matches!(program, Program::Module(_));
    let unresolved_mark = Mark::new();
    let top_level_mark = Mark::new();
    program.visit_mut_with(&mut resolver(unresolved_mark, top_level_mark, false));
    phases.lap("resolve");

    let names = if opts.source_map {
        collect_names(&program)
    } else {
        HashMap::new()
    };
    let guards = if opts.preserve_guards {
        guard::protect(&mut program)
    } else {
        Default::default()
    };

    phases.lap("protect");
    if let Some(pos) = guards.too_deep {
        let off = pos.0.saturating_sub(fm.start_pos.0) as usize;
        return Err(FileError::new(
            FileErrorKind::Input,
            src.name.clone(),
            format!(
                "code nested more than {} expressions or {} `if` statements deep; guardmin refuses to optimize it (swc's optimizer slows down quadratically or worse on such code)",
                guard::MAX_EXPR_DEPTH,
                guard::MAX_IF_DEPTH
            ),
        )
        .at(&src.text, off));
    }
    let preamble = match opts.comments {
        CommentsMode::License => comments::license_preamble(&comments),
        _ => String::new(),
    };
    if opts.comments == CommentsMode::All {
        comments::drop_source_map_directives(&comments);
    }

    let swc_opts = swc_options(opts, &cm, is_module, conservative);
    let extra = ExtraOptions {
        unresolved_mark,
        top_level_mark,
        mangle_name_cache: None,
    };
    let mut program = swc_ecma_minifier::optimize(
        program,
        cm.clone(),
        Some(&comments),
        None,
        &swc_opts,
        &extra,
    );

    phases.lap("optimize");
    let lost = guard::verify(&program, &guards);
    phases.lap("verify");
    if let Some(first) = lost.first() {
        let off = first.operand.0.saturating_sub(fm.start_pos.0) as usize;
        let original = name_at(&src.text, off);
        return Ok(Attempt::LostGuards((off, original)));
    }

    parse::wrap_if_functions(&mut program); // never `if (x) function f() {}` in the output
    let out_comments = (opts.comments == CommentsMode::All).then_some(&comments);
    program.visit_mut_with(&mut fixer(
        out_comments.map(|c| c as &dyn swc_common::comments::Comments),
    ));

    // A `#!` line must stay first, before the license preamble.
    let shebang = match &mut program {
        Program::Script(s) => s.shebang.take(),
        Program::Module(m) => m.shebang.take(),
    };
    let mut head = String::new();
    if let Some(s) = shebang {
        head.push_str("#!");
        head.push_str(&s);
        head.push('\n');
    }
    head.push_str(&preamble);

    let target = match opts.ecma {
        Some(5) => EsVersion::Es5,
        Some(2015) | Some(6) => EsVersion::Es2015,
        Some(2016) => EsVersion::Es2016,
        Some(2017) => EsVersion::Es2017,
        Some(2018) => EsVersion::Es2018,
        Some(2019) => EsVersion::Es2019,
        Some(2020) => EsVersion::Es2020,
        Some(2021) => EsVersion::Es2021,
        _ => EsVersion::latest(),
    };
    // Mappings cost time on big files: record them only for a map; the self-check
    // regenerates them in the rare case it needs them.
    let emit = |with_map: bool| -> Result<(String, Vec<(BytePos, LineCol)>), FileError> {
        let mut buf = Vec::with_capacity(src.text.len() / 2);
        let mut entries: Vec<(BytePos, LineCol)> = Vec::new();
        {
            let mut w = JsWriter::new(cm.clone(), "\n", &mut buf, with_map.then_some(&mut entries));
            w.preamble(&head).map_err(|e| internal(src, e))?;
            let mut emitter = Emitter {
                cfg: swc_ecma_codegen::Config::default()
                    .with_minify(true)
                    .with_target(target),
                cm: cm.clone(),
                comments: out_comments.map(|c| c as &dyn swc_common::comments::Comments),
                wr: omit_trailing_semi(w),
            };
            emitter
                .emit_program(&program)
                .map_err(|e| internal(src, e))?;
        }
        Ok((
            String::from_utf8(buf).map_err(|e| internal(src, e))?,
            entries,
        ))
    };
    phases.lap("fixer");
    let (code, entries) = emit(opts.source_map)?;
    phases.lap("codegen");

    if opts.self_check {
        let mappings = || -> Result<Vec<(BytePos, LineCol)>, FileError> {
            if opts.source_map {
                Ok(entries.clone())
            } else {
                emit(true).map(|(_, e)| e)
            }
        };
        self_check(
            src,
            &code,
            is_module,
            opts.parse_mode,
            mappings,
            fm.start_pos.0,
        )?;
    }

    phases.lap("self-check");
    let map = opts.source_map.then(|| {
        let cfg = MapConfig {
            source: source_name(src),
            names,
        };
        let map = cm.build_source_map(&entries, input_map.map(|m| m.map.clone()), cfg);
        sourcemap::to_json(&map)
    });
    if opts.source_map {
        phases.lap("source map");
    }
    drop(program);
    drop(comments);
    phases.lap("drop");
    Ok(Attempt::Done(Minified {
        code,
        map,
        had_input_map: input_map.is_some(),
        guards: guards.len(),
        conservative: false,
    }))
}

fn internal(src: &Source, e: impl std::fmt::Display) -> FileError {
    FileError::new(
        FileErrorKind::Internal,
        src.name.clone(),
        format!("internal error while generating code: {e}"),
    )
}

fn name_at(text: &str, off: usize) -> String {
    text.get(off..)
        .unwrap_or("")
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
        .collect()
}

/// The name to record in `sources` for the input.
fn source_name(src: &Source) -> String {
    match &src.path {
        Some(p) => p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| src.name.clone()),
        None => src.name.clone(),
    }
}

/// Original identifier names by position, so the map's `names` give them back after mangling.
fn collect_names(program: &Program) -> HashMap<BytePos, String> {
    struct C(HashMap<BytePos, String>);
    impl Visit for C {
        fn visit_ident(&mut self, i: &swc_ecma_ast::Ident) {
            if !i.span.lo.is_dummy() {
                self.0.insert(i.span.lo, i.sym.to_string());
            }
        }
    }
    let mut c = C(HashMap::new());
    program.visit_with(&mut c);
    c.0
}

struct MapConfig {
    source: String,
    names: HashMap<BytePos, String>,
}

impl swc_common::source_map::SourceMapGenConfig for MapConfig {
    fn file_name_to_source(&self, _f: &FileName) -> String {
        self.source.clone()
    }
    fn inline_sources_content(&self, _f: &FileName) -> bool {
        true
    }
    fn name_for_bytepos(&self, pos: BytePos) -> Option<&str> {
        self.names.get(&pos).map(String::as_str)
    }
}

/// Scans the generated code and refuses findings the input did not have. An output
/// finding is matched to an input one through the code generator's own mappings (output
/// position -> input position); where no mapping sits exactly on it, by count per rule.
fn self_check(
    src: &Source,
    code: &str,
    is_module: bool,
    input_mode: ParseMode,
    mappings: impl FnOnce() -> Result<Vec<(BytePos, LineCol)>, FileError>,
    start_pos: u32,
) -> Result<(), FileError> {
    let out_src = Source {
        name: src.name.clone(),
        path: None,
        text: code.to_string(),
        had_bom: false,
    };
    let mode = if is_module {
        ParseMode::Module
    } else {
        ParseMode::Script
    };
    let parsed = parse::parse_with(&out_src, code, mode, false).map_err(|e| {
        // swc accepted an input with an early error it does not check (`e: break`): the
        // input's fault, said as a syntax error there.
        let input = parse::parse(src, &src.text, input_mode).ok();
        if let Some((pos, msg)) = input.as_ref().and_then(|p| parse::early_error(&p.program)) {
            let start = input.as_ref().map_or(0, |p| p.fm.start_pos.0);
            return FileError::new(
                FileErrorKind::Syntax,
                src.name.clone(),
                format!("syntax error: {msg}"),
            )
            .at(&src.text, pos.0.saturating_sub(start) as usize);
        }
        FileError::new(
            FileErrorKind::Internal,
            src.name.clone(),
            format!("internal error: the minified output does not parse again ({}); nothing was written", e.message),
        )
    })?;
    let parse::Parsed {
        fm, mut program, ..
    } = parsed;
    let unresolved_mark = Mark::new();
    program.visit_mut_with(&mut resolver(unresolved_mark, Mark::new(), false));
    // Notes (info) describe the bundle, not a defect: only errors and warnings count.
    let mut found = scan::analyze(&program, unresolved_mark);
    found.retain(|f| f.severity != crate::diagnostic::Severity::Info);
    if found.is_empty() {
        return Ok(());
    }
    // Only now is it worth knowing what the input had (rare: most outputs have nothing).
    let input = {
        let parsed = parse::parse(src, &src.text, input_mode)?;
        let mut program = parsed.program;
        let unresolved_mark = Mark::new();
        program.visit_mut_with(&mut resolver(unresolved_mark, Mark::new(), false));
        scan::analyze(&program, unresolved_mark)
    };
    let input = &input[..];
    let entries = mappings()?;
    let mut by_pos: HashMap<(u32, u32), BytePos> = HashMap::with_capacity(entries.len());
    for (pos, lc) in &entries {
        by_pos.entry((lc.line, lc.col)).or_insert(*pos);
    }
    // Input findings by rule and the name as written in the input.
    let input_keys: std::collections::HashSet<(&str, &str)> =
        input.iter().map(|f| (f.rule, f.name.as_str())).collect();
    let count =
        |list: &[scan::RawFinding], rule: &str| list.iter().filter(|x| x.rule == rule).count();
    let out_idx = Utf16Index::new(code);
    for f in &found {
        let off = f.span.lo.0.saturating_sub(fm.start_pos.0) as usize;
        let matched = match by_pos.get(&out_idx.line_col(off)) {
            Some(inpos) => {
                let name = name_at(&src.text, inpos.0.saturating_sub(start_pos) as usize);
                input_keys.contains(&(f.rule, name.as_str()))
            }
            None => count(&found, f.rule) <= count(input, f.rule),
        };
        if !matched {
            let idx = LineIndex::new(code);
            let (line, col) = idx.line_col(off);
            return Err(FileError::new(
                FileErrorKind::Guard,
                src.name.clone(),
                format!(
                    "guardmin's own scan of the minified output found `{}` ({}) at output {}:{}, which the input did not have: {}; nothing was written (please report this input)",
                    f.rule, f.name, line, col, f.message
                ),
            ));
        }
    }
    Ok(())
}

/// Output positions in the code generator's units: 0-based line, UTF-16 column.
struct Utf16Index<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Utf16Index<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Utf16Index { text, starts }
    }
    fn line_col(&self, off: usize) -> (u32, u32) {
        let line = match self.starts.binary_search(&off) {
            Ok(l) => l,
            Err(l) => l - 1,
        };
        let col = self
            .text
            .get(self.starts[line]..off)
            .map(|s| s.encode_utf16().count())
            .unwrap_or(0);
        (line as u32, col as u32)
    }
}

#[allow(dead_code)]
fn _assert_types(c: &SingleThreadedComments) -> &SingleThreadedComments {
    c
}
