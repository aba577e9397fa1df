//! Checks around the optimizer: the input's own findings (a file another tool already
//! broke is refused, unless `--allow-broken-input`), and guardmin's scan of the output.
//!
//! The output scan runs on the optimized program itself, not on a new parse of the output
//! text: its scopes are resolved again from scratch (every syntax context cleared, then
//! swc's resolver), which gives the bindings a parse of the output would give, for the
//! cost of one walk instead of a parse. Its findings keep the input's spans, so each is
//! matched to an input finding of the same rule on the same name. It can no longer hide a
//! lost typeof: those are found by identity before it runs ([`super::protect::restore`]).

use super::engine::name_at;
use crate::diagnostic::{FileError, FileErrorKind, LineIndex, Severity};
use crate::scan::{self, RawFinding};
use crate::source::Source;
use std::collections::HashSet;
use swc_common::{Mark, SyntaxContext};
use swc_ecma_ast::Program;
use swc_ecma_transforms_base::resolver;
use swc_ecma_visit::{VisitMut, VisitMutWith};

/// Fails with the first error-severity finding of the input: file, line, column, code
/// frame, what is wrong and how to fix it.
pub fn refuse_broken_input(
    src: &Source,
    found: &[RawFinding],
    start_pos: u32,
) -> Result<(), FileError> {
    // Refused: a `typeof` guard that another minifier already rewrote (`void 0 !== e` in
    // text that runs elsewhere). Other findings rest on the flow analysis alone, which can
    // merge what a bundler keeps apart: they are left to `guardmin scan`.
    let mut errors: Vec<&RawFinding> = found
        .iter()
        .filter(|f| f.severity == Severity::Error && f.rewritten_guard)
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    errors.sort_by_key(|f| f.span.lo);
    let f = errors[0];
    let more = match errors.len() {
        1 => String::new(),
        n => format!(
            " ({} more error{} in this file)",
            n - 1,
            if n > 2 { "s" } else { "" }
        ),
    };
    Err(FileError::new(
        FileErrorKind::Input,
        src.name.clone(),
        format!(
            "the input is already broken: {} [{}]; help: {}{more}. Nothing was written; `guardmin minify --allow-broken-input` minifies it anyway",
            f.message, f.rule, f.help
        ),
    )
    .at(&src.text, f.span.lo.0.saturating_sub(start_pos) as usize))
}

/// Clears every syntax context so that the resolver can run again.
struct ClearContexts;

impl VisitMut for ClearContexts {
    fn visit_mut_syntax_context(&mut self, c: &mut SyntaxContext) {
        *c = SyntaxContext::empty();
    }
}

/// Scans the optimized program (after code generation: it is consumed here) and refuses
/// findings the input did not have.
pub fn self_check(
    src: &Source,
    program: &mut Program,
    input: &[RawFinding],
    start_pos: u32,
) -> Result<(), FileError> {
    program.visit_mut_with(&mut ClearContexts);
    let unresolved_mark = Mark::new();
    program.visit_mut_with(&mut resolver(unresolved_mark, Mark::new(), false));
    // Notes (info) describe the bundle, not a defect: only errors and warnings count.
    let mut found = scan::analyze(program, unresolved_mark);
    // Notes describe the bundle; findings that rest on the flow analysis alone (it can merge
    // what a bundler keeps apart, differently in the input and the output) are left to
    // `guardmin scan`: the identity check above already proved every `typeof` kept.
    found.retain(|f| {
        f.severity != Severity::Info
            && (f.rewritten_guard
                || !matches!(f.rule, "serialized-closure" | "emscripten-script-dir"))
    });
    if found.is_empty() {
        return Ok(());
    }
    let input_keys: HashSet<(&str, &str)> =
        input.iter().map(|f| (f.rule, f.name.as_str())).collect();
    let count = |list: &[RawFinding], rule: &str| list.iter().filter(|x| x.rule == rule).count();
    for f in &found {
        let at = (!f.span.lo.is_dummy() && f.span.lo.0 >= start_pos)
            .then(|| f.span.lo.0.saturating_sub(start_pos) as usize)
            .filter(|&off| off < src.text.len());
        let matched = match at {
            Some(off) => input_keys.contains(&(f.rule, name_at(&src.text, off).as_str())),
            None => count(&found, f.rule) <= count(input, f.rule),
        };
        if !matched {
            let mut err = FileError::new(
                FileErrorKind::Guard,
                src.name.clone(),
                format!(
                    "guardmin's own scan of the minified output found `{}` ({}), which the input did not have: {}; nothing was written (please report this input)",
                    f.rule, f.name, f.message
                ),
            );
            if let Some(off) = at {
                err = err.at(&src.text, off);
            }
            return Err(err);
        }
    }
    Ok(())
}

#[allow(dead_code)]
fn _line_index(text: &str) -> LineIndex<'_> {
    LineIndex::new(text)
}
