//! One optimization attempt of one file: parse, resolve, check the input, protect the
//! typeof guards, optimize with swc_ecma_minifier, restore and verify the guards, generate
//! code, check the output, build the source map.

use super::comments::{self, CommentsMode};
use super::{name_cache, protect, verify, Attempt, Minified, Options};
use crate::diagnostic::{FileError, FileErrorKind};
use crate::guard;
use crate::parse;
use crate::scan;
use crate::source::Source;
use crate::sourcemap::{self, InputMap};
use std::collections::HashMap;
use swc_atoms::Atom;
use swc_common::{sync::Lrc, BytePos, FileName, LineCol, Mark, SourceMap};
use swc_ecma_ast::{EsVersion, Program};
use swc_ecma_codegen::text_writer::{omit_trailing_semi, JsWriter};
use swc_ecma_codegen::Emitter;
use swc_ecma_minifier::option::terser::TerserCompressorOptions;
use swc_ecma_minifier::option::{ExtraOptions, MangleOptions, MinifyOptions as SwcOptions};
use swc_ecma_transforms_base::{fixer::fixer, resolver};
use swc_ecma_visit::{Visit, VisitMutWith, VisitWith};

pub(super) fn attempt(
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
    let start_pos = fm.start_pos.0;
    // Early errors swc does not check (`e: break`): the input's fault, said as such.
    if let Some((pos, msg)) = parse::early_error(&program) {
        return Err(FileError::new(
            FileErrorKind::Syntax,
            src.name.clone(),
            format!("syntax error: {msg}"),
        )
        .at(&src.text, pos.0.saturating_sub(start_pos) as usize));
    }
    let is_module = matches!(program, Program::Module(_));
    let unresolved_mark = Mark::new();
    let top_level_mark = Mark::new();
    program.visit_mut_with(&mut resolver(unresolved_mark, top_level_mark, false));
    phases.lap("resolve");

    // The input's own findings: refused unless allowed, and what the output may still have.
    // One model of the input serves its findings and the names to keep.
    let model = (opts.preserve_guards
        && (opts.self_check || !opts.allow_broken_input || opts.mangle))
        .then(|| scan::model::Model::build(&program, unresolved_mark));
    let input_findings = if opts.preserve_guards && (opts.self_check || !opts.allow_broken_input) {
        let mut found = model.as_ref().map(scan::analyze_model).unwrap_or_default();
        found.retain(|f| f.severity != crate::diagnostic::Severity::Info);
        if !opts.allow_broken_input {
            verify::refuse_broken_input(src, &found, start_pos)?;
        }
        found
    } else {
        Vec::new()
    };
    phases.lap("input scan");
    let reserved = match (&model, opts.mangle) {
        (Some(m), true) => m.names_read_across(),
        _ => Vec::new(),
    };
    let kept_names = reserved.clone();
    // Text that calls a shipped function by its name needs function names kept.
    let keep_fnames = model
        .as_ref()
        .is_some_and(|m| m.text_calls_function_names());
    drop(model);
    let opts = &Options {
        keep_fnames: opts.keep_fnames || keep_fnames,
        ..opts.clone()
    };
    phases.lap("keep names");

    let names = if opts.source_map {
        collect_names(&program)
    } else {
        HashMap::new()
    };
    let mut marker = opts
        .preserve_guards
        .then(|| protect::Marker::new(&src.text, unresolved_mark));
    let guards = if opts.preserve_guards {
        guard::protect(&mut program, marker.as_mut())
    } else {
        Default::default()
    };

    phases.lap("protect");
    if let Some(pos) = guards.too_deep {
        let off = pos.0.saturating_sub(start_pos) as usize;
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
    let licenses = if opts.comments.collects_licenses() {
        comments::license_preamble(&comments)
    } else {
        String::new()
    };
    let preamble = match opts.comments {
        CommentsMode::License => licenses.clone(),
        _ => String::new(),
    };
    if opts.comments == CommentsMode::All {
        comments::drop_source_map_directives(&comments);
    }

    let swc_opts = swc_options(
        opts,
        &cm,
        is_module,
        conservative,
        reserved,
        marker.as_ref(),
    );
    // The names the name cache gives are kept from swc's mangler, so that they stay free.
    let cache_names: Vec<Atom> = opts
        .name_cache
        .as_ref()
        .map(|c| {
            lock(c)
                .vars
                .values()
                .map(|v| Atom::from(v.as_str()))
                .collect()
        })
        .unwrap_or_default();
    let mut swc_opts = swc_opts;
    if let (Some(m), true) = (&mut swc_opts.mangle, opts.name_cache.is_some()) {
        m.top_level = Some(false);
        m.reserved.extend(cache_names);
    }
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
    // Identity: every hidden typeof comes back as the typeof of an identifier, or went
    // with the code swc removed.
    if let Some(m) = &marker {
        if let Err(lost) = protect::restore(&mut program, m) {
            let off = lost.span.lo.0.saturating_sub(start_pos) as usize;
            return Ok(Attempt::LostGuards((off, lost.name.to_string())));
        }
    }
    let lost = guard::verify(&program, &guards);
    phases.lap("verify");
    if let Some(first) = lost.first() {
        let off = first.operand.0.saturating_sub(start_pos) as usize;
        let original = name_at(&src.text, off);
        return Ok(Attempt::LostGuards((off, original)));
    }

    if let (Some(cache), true) = (&opts.name_cache, opts.mangle) {
        let scope = name_cache::Scope {
            unresolved: swc_common::SyntaxContext::empty().apply_mark(unresolved_mark),
            keep: &kept_names,
            learn: opts.toplevel || is_module,
            keep_fnames: opts.keep_fnames,
            keep_classnames: opts.keep_classnames,
        };
        name_cache::apply(&mut program, &mut lock(cache), &scope);
        phases.lap("name cache");
    }

    crate::parse::wrap_if_functions(&mut program); // never `if (x) function f() {}` in the output
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

    let target = opts.ecma.unwrap_or(EsVersion::latest());
    phases.lap("fixer");
    let (code, entries) = {
        let mut buf = Vec::with_capacity(src.text.len() / 2);
        let mut entries: Vec<(BytePos, LineCol)> = Vec::new();
        {
            let with_map = opts.source_map;
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
        let mut code = String::from_utf8(buf).map_err(|e| internal(src, e))?;
        if opts.comments == CommentsMode::Eof && !licenses.is_empty() {
            code.push('\n');
            code.push_str(licenses.trim_end());
        }
        (code, entries)
    };
    phases.lap("codegen");

    if opts.self_check {
        verify::self_check(src, &mut program, &input_findings, start_pos)?;
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
        licenses: (opts.comments.to_file() && !licenses.is_empty()).then_some(licenses),
    }))
}

pub(super) fn swc_options(
    opts: &Options,
    cm: &Lrc<SourceMap>,
    is_module: bool,
    conservative: bool,
    reserved: Vec<Atom>,
    marker: Option<&protect::Marker>,
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
            v["ecma"] = super::target::name(e).into();
        }
        v["drop_console"] = opts.drop_console.into();
        v["drop_debugger"] = opts.drop_debugger.into();
        if !opts.pure_funcs.is_empty() {
            v["pure_funcs"] = opts.pure_funcs.clone().into();
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
        let mut config = terser.into_config(cm.clone());
        if let Some(m) = marker {
            config.pure_funcs.push(m.callee_expr());
        }
        config
    });
    let mangle = opts.mangle.then(|| MangleOptions {
        top_level: Some(opts.toplevel || is_module),
        keep_fn_names: opts.keep_fnames,
        keep_class_names: opts.keep_classnames,
        reserved,
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

/// The shared name cache (a panic elsewhere cannot leave it half-written: it is only read
/// and extended).
fn lock(
    c: &std::sync::Mutex<name_cache::NameCache>,
) -> std::sync::MutexGuard<'_, name_cache::NameCache> {
    c.lock().unwrap_or_else(|e| e.into_inner())
}

pub(super) fn internal(src: &Source, e: impl std::fmt::Display) -> FileError {
    FileError::new(
        FileErrorKind::Internal,
        src.name.clone(),
        format!("internal error while generating code: {e}"),
    )
}

pub(super) fn name_at(text: &str, off: usize) -> String {
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
