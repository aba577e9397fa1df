//! `guardmin scan`: parse each file once, resolve scopes, build the [`model::Model`], run
//! the rules, and turn what they find into [`Finding`]s with positions, code frames,
//! original positions from source maps, and suppressions applied.

pub mod model;
pub mod rules;

use crate::diagnostic::{FileError, Finding, LineIndex, Severity};
use crate::parse::{self, ParseMode};
use crate::source::Source;
use crate::sourcemap;
use std::collections::HashSet;
use std::path::PathBuf;
use swc_common::comments::{Comments, SingleThreadedComments};
use swc_common::{Mark, Span, GLOBALS};
use swc_ecma_ast::Program;
use swc_ecma_transforms_base::resolver;
use swc_ecma_visit::VisitMutWith;

/// What a rule found, before it is placed in a file.
#[derive(Clone, Debug)]
pub struct RawFinding {
    pub rule: &'static str,
    pub severity: Severity,
    /// The identifier (or expression) the finding points at.
    pub span: Span,
    /// The name as written in this file (may be mangled).
    pub name: String,
    pub message: String,
    pub help: String,
    /// The read is a `typeof` guard another minifier rewrote (`void 0 !== e`): the input is
    /// broken for sure, not only by what the flow analysis concludes.
    pub rewritten_guard: bool,
    /// Where the text of the function holding the read leaves its scope (the sink:
    /// `new Blob(...)`), for reads in such a function; `None` otherwise.
    pub sink: Option<Span>,
}

impl RawFinding {
    /// A finding of rule `meta` at `span`, of no rewritten guard and no sink (set those
    /// fields with struct update syntax where they apply).
    pub fn new(
        meta: &crate::diagnostic::RuleMeta,
        span: Span,
        name: impl Into<String>,
        message: String,
        help: String,
    ) -> RawFinding {
        RawFinding {
            rule: meta.id,
            severity: meta.severity,
            span,
            name: name.into(),
            message,
            help,
            rewritten_guard: false,
            sink: None,
        }
    }
}

/// Runs every rule that needs only the file itself on a resolved program.
pub fn analyze(program: &Program, unresolved_mark: Mark) -> Vec<RawFinding> {
    analyze_model(&model::Model::build(program, unresolved_mark))
}

/// Runs those rules on a model already built (minify shares it with [`model::Model::names_read_across`]).
pub fn analyze_model(model: &model::Model) -> Vec<RawFinding> {
    let mut out = Vec::new();
    rules::emscripten_script_dir::check(model, &mut out);
    rules::serialized_closure::check(model, &mut out);
    rules::undeclared_void_compare::check(model, &mut out);
    rules::threaded_wasm::check(model, &mut out);
    out
}

/// Options of `guardmin scan`.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub ignore_rules: HashSet<String>,
    /// `--original`: the unminified input of this (single) file, for `guard-lost`.
    pub original: Option<PathBuf>,
    pub parse_mode: ParseMode,
}

/// Scans one file, with the source map its `sourceMappingURL` comment leads to.
pub fn scan(src: &Source, opts: &Options) -> Result<Vec<Finding>, FileError> {
    let input_map = sourcemap::find_input_map(src, None).ok().flatten();
    scan_with_map(src, opts, input_map)
}

/// Scans one file with a source map the caller already has (batch mode).
pub fn scan_with_map(
    src: &Source,
    opts: &Options,
    input_map: Option<sourcemap::InputMap>,
) -> Result<Vec<Finding>, FileError> {
    scan_located(src, opts, input_map.as_ref()).map(|v| v.into_iter().map(|l| l.finding).collect())
}

/// A finding with the byte range of `src.text` it points at (the identifier that throws),
/// for tools that edit the file there (`guardmin fix`).
#[derive(Clone, Debug)]
pub struct Located {
    pub finding: Finding,
    /// Byte offsets into the scanned text: `lo..hi`.
    pub lo: usize,
    pub hi: usize,
    /// See [`RawFinding::rewritten_guard`].
    pub rewritten_guard: bool,
    /// See [`RawFinding::sink`]: byte offsets `lo..hi` into the scanned text.
    pub sink: Option<(usize, usize)>,
}

/// [`scan_with_map`], keeping each finding's byte range.
pub fn scan_located(
    src: &Source,
    opts: &Options,
    input_map: Option<&sourcemap::InputMap>,
) -> Result<Vec<Located>, FileError> {
    GLOBALS.set(&Default::default(), || scan_inner(src, opts, input_map))
}

fn scan_inner(
    src: &Source,
    opts: &Options,
    input_map: Option<&sourcemap::InputMap>,
) -> Result<Vec<Located>, FileError> {
    let mut phases = crate::timing::Phases::start(&src.name);
    // Comments matter to the scan only as suppressions.
    let keep_comments = src.text.contains("guardmin-ignore");
    let parsed = parse::parse_with(src, &src.text, opts.parse_mode, keep_comments)?;
    phases.lap("parse");
    let parse::Parsed {
        fm,
        mut program,
        comments,
        ..
    } = parsed;
    let unresolved_mark = Mark::new();
    program.visit_mut_with(&mut resolver(unresolved_mark, Mark::new(), false));
    phases.lap("resolve");
    let mut raw = analyze(&program, unresolved_mark);
    phases.lap("analyze");

    if !opts.ignore_rules.contains(rules::guard_lost::META.id) {
        let original = match &opts.original {
            Some(p) => Some(Source::read(p, p.display().to_string())?),
            None => None,
        };
        let lost = rules::guard_lost::check(
            &program,
            fm.start_pos,
            &src.text,
            original.as_ref(),
            input_map.map(|m| &m.map),
            opts.parse_mode,
        );
        // One report per bug: a read another rule already reports is not reported again.
        let reported: std::collections::HashSet<u32> = raw.iter().map(|f| f.span.lo.0).collect();
        raw.extend(
            lost.into_iter()
                .filter(|f| !reported.contains(&f.span.lo.0)),
        );
    }

    let out = place(src, opts, raw, &comments, fm.start_pos.0, input_map);
    phases.lap("report");
    drop(program);
    drop(comments);
    phases.lap("drop");
    Ok(out)
}

/// Gives each raw finding its line, column, code frame and original position, and drops the
/// suppressed ones.
fn place(
    src: &Source,
    opts: &Options,
    raw: Vec<RawFinding>,
    comments: &SingleThreadedComments,
    start_pos: u32,
    input_map: Option<&sourcemap::InputMap>,
) -> Vec<Located> {
    if raw.is_empty() {
        // Most files: nothing to place, so no line index to build.
        return Vec::new();
    }
    let idx = LineIndex::new(&src.text);
    let suppressed = suppressions(comments, &idx, start_pos);
    let mut out = Vec::new();
    for f in raw {
        if opts.ignore_rules.contains(f.rule) {
            continue;
        }
        let off = f.span.lo.0.saturating_sub(start_pos) as usize;
        let (line, column) = idx.line_col(off);
        if suppressed
            .iter()
            .any(|(l, rules)| *l == line && (rules.is_empty() || rules.iter().any(|r| r == f.rule)))
        {
            continue;
        }
        let len = (f.span.hi.0.saturating_sub(f.span.lo.0) as usize).max(1);
        let original = input_map.and_then(|m| sourcemap::original_position(&m.map, line, column));
        out.push(Located {
            finding: Finding {
                rule: f.rule,
                severity: f.severity,
                file: src.name.clone(),
                line,
                column,
                message: f.message,
                help: f.help,
                original,
                frame: Some(idx.code_frame(
                    line,
                    column,
                    len.min(f.name.chars().count().max(1)),
                    2,
                )),
            },
            lo: off,
            hi: off + (f.span.hi.0.saturating_sub(f.span.lo.0) as usize),
            rewritten_guard: f.rewritten_guard,
            sink: f.sink.map(|s| {
                (
                    s.lo.0.saturating_sub(start_pos) as usize,
                    s.hi.0.saturating_sub(start_pos) as usize,
                )
            }),
        });
    }
    out.sort_by(|a, b| {
        let (a, b) = (&a.finding, &b.finding);
        (a.line, a.column, a.rule).cmp(&(b.line, b.column, b.rule))
    });
    out
}

/// Lines with a `guardmin-ignore` comment (the comment's own line) or a
/// `guardmin-ignore-next-line` comment (the line after), each with the rules it names
/// (none named: all rules).
fn suppressions(
    comments: &SingleThreadedComments,
    idx: &LineIndex,
    start: u32,
) -> Vec<(u32, Vec<String>)> {
    let mut out = Vec::new();
    let (leading, trailing) = comments.borrow_all();
    for c in leading.values().chain(trailing.values()).flatten() {
        let text = c.text.trim();
        let (rest, next) = if let Some(r) = text.strip_prefix("guardmin-ignore-next-line") {
            (r, true)
        } else if let Some(r) = text.strip_prefix("guardmin-ignore") {
            (r, false)
        } else {
            continue;
        };
        let (line, _) = idx.line_col(c.span.lo.0.saturating_sub(start) as usize);
        let rules = rest
            .split([' ', ','])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        out.push((if next { line + 1 } else { line }, rules));
    }
    let _ = comments.has_leading(swc_common::BytePos(0));
    out
}

/// Test helper: `(rule, line, column)` of every finding in `code`.
#[cfg(test)]
pub(crate) fn findings(code: &str) -> Vec<(&'static str, u32, u32)> {
    let src = Source {
        name: "test.js".into(),
        path: None,
        text: code.to_string(),
        had_bom: false,
    };
    scan(&src, &Options::default())
        .unwrap_or_else(|e| panic!("{}", e.render()))
        .into_iter()
        .map(|f| (f.rule, f.line, f.column))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::findings;

    #[test]
    fn suppression_comments() {
        let bad = "var a = 1;\nfunction w() { return a; }\nnew Blob([w.toString()]);\n";
        assert_eq!(findings(bad).len(), 1);
        let same_line = bad.replace("return a; }", "return a; } // guardmin-ignore");
        assert!(findings(&same_line).is_empty());
        let next = bad.replace(
            "function w",
            "// guardmin-ignore-next-line serialized-closure\nfunction w",
        );
        assert!(findings(&next).is_empty());
        let other_rule = bad.replace(
            "function w",
            "// guardmin-ignore-next-line guard-lost\nfunction w",
        );
        assert_eq!(findings(&other_rule).len(), 1);
    }
}
