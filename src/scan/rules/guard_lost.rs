//! `guard-lost` (error): a `typeof X` guard of the unminified code is no longer a `typeof`
//! test in the minified output, though the code around it survived.
//!
//! Needs the unminified code: `--original IN` for a single scanned file, or the output's
//! source map with `sourcesContent`. Every guard operand of the original is matched, through
//! the map, with what the output has at that place: still under `typeof` is fine, gone
//! entirely is dead code, anything else is a lost guard. Without a map, `--original` falls
//! back to counting guards and reports each declared name the output compares with `void 0`
//! or `undefined` when the output has fewer guards than the original.
//!
//! Bad (output of terser defaults, original had `typeof _scriptDir !== "undefined"`):
//! ```js
//! void 0!==e&&e&&(r=e)
//! ```
//!
//! Good:
//! ```js
//! typeof e<"u"&&e&&(r=e)
//! ```

use super::super::RawFinding;
use crate::diagnostic::{LineIndex, RuleMeta, Severity};
use crate::guard::{guard_test, typeof_ident};
use crate::parse::{self, ParseMode};
use crate::source::Source;
use std::collections::HashSet;
use swc_common::{BytePos, Span};
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitMutWith, VisitWith};
use swc_sourcemap::SourceMap;

pub const META: RuleMeta = RuleMeta {
    id: "guard-lost",
    severity: Severity::Error,
    summary: "A typeof guard of the original code is no longer a typeof test in the minified output.",
    help: "minify with guardmin (or terser with `compress: { typeofs: false }`); the rewritten guard throws ReferenceError where the name is undeclared",
};

/// Guard operands of a source: `(0-based line, 0-based column)` of each identifier.
fn guard_positions(src: &Source, mode: ParseMode) -> Option<HashSet<(u32, u32)>> {
    let mut parsed = parse::parse(src, &src.text, mode).ok()?;
    // Only guards of a binding of an enclosing function: a `typeof` of the function's own
    // bindings, or of a global, protects nothing a minifier can break by rewriting it.
    let unresolved = swc_common::Mark::new();
    parsed
        .program
        .visit_mut_with(&mut swc_ecma_transforms_base::resolver(
            unresolved,
            swc_common::Mark::new(),
            false,
        ));
    let model = crate::scan::model::Model::build(&parsed.program, unresolved);
    let enclosing: HashSet<BytePos> = model
        .reads
        .iter()
        .filter(|r| r.in_typeof)
        .filter(|r| {
            r.binding
                .and_then(|b| model.binding(b).decl_fn)
                .is_some_and(|d| d != r.fn_id && model.is_within(r.fn_id, d))
        })
        .map(|r| r.span.lo)
        .collect();
    struct G(Vec<BytePos>);
    impl Visit for G {
        fn visit_bin_expr(&mut self, b: &BinExpr) {
            b.visit_children_with(self);
            if let Some(t) = guard_test(b) {
                self.0.push(t.ident.span.lo);
            }
        }
    }
    let mut g = G(Vec::new());
    parsed.program.visit_with(&mut g);
    g.0.retain(|p| enclosing.contains(p));
    let idx = LineIndex::new(&src.text);
    Some(
        g.0.into_iter()
            .map(|p| {
                let (l, c) = idx.line_col(parsed.offset(p));
                (l - 1, c - 1)
            })
            .collect(),
    )
}

/// Identifier reads in the output: `(span, name, in_typeof)`.
fn output_idents(program: &Program) -> Vec<(Span, String, bool)> {
    struct V(Vec<(Span, String, bool)>);
    impl Visit for V {
        fn visit_expr(&mut self, e: &Expr) {
            if let Some(i) = typeof_ident(e) {
                self.0.push((i.span, i.sym.to_string(), true));
                return;
            }
            if let Expr::Ident(i) = e {
                self.0.push((i.span, i.sym.to_string(), false));
                return;
            }
            // `n.g` reads a property: its object is not the guarded name read directly
            // (webpack turns `typeof global` into `typeof __webpack_require__.g`, and its
            // map sends the `n` of `n.g` back to `global`).
            if let Expr::Member(m) = e {
                if matches!(&*m.obj, Expr::Ident(_)) {
                    m.prop.visit_with(self);
                    return;
                }
            }
            e.visit_children_with(self);
        }
    }
    let mut v = V(Vec::new());
    program.visit_with(&mut v);
    v.0
}

fn finding(span: Span, name: &str, detail: &str) -> RawFinding {
    let message = format!("`{name}` was guarded by `typeof` in the original ({detail}) but is read directly here: where it is undeclared this throws ReferenceError");
    RawFinding {
        // The original had a typeof here: the output lost it.
        rewritten_guard: true,
        ..RawFinding::new(&META, span, name, message, META.help.to_string())
    }
}

/// Runs the rule. `output` is the scanned (resolved) program, `start` its file's first
/// position, `text` its source.
pub fn check(
    output: &Program,
    start: BytePos,
    output_text: &str,
    original: Option<&Source>,
    map: Option<&SourceMap>,
    mode: ParseMode,
) -> Vec<RawFinding> {
    let mut out = Vec::new();
    match map {
        Some(map) => {
            // Guards of each original source, by source index.
            let mut guards: Vec<Option<HashSet<(u32, u32)>>> = Vec::new();
            for i in 0..map.get_source_count() {
                let name = map.get_source(i).map(|s| s.to_string()).unwrap_or_default();
                let content = match original {
                    Some(o)
                        if map.get_source_count() == 1
                            || o.name.ends_with(name.rsplit('/').next().unwrap_or("")) =>
                    {
                        Some(o.text.clone())
                    }
                    _ => map.get_source_contents(i).map(|c| c.to_string()),
                };
                guards.push(content.and_then(|text| {
                    let s = Source {
                        name: name.clone(),
                        path: None,
                        text,
                        had_bom: false,
                    };
                    guard_positions(&s, ParseMode::Auto)
                }));
            }
            if guards.iter().all(Option::is_none) {
                return out;
            }
            let idx = LineIndex::new(output_text);
            let lookup = |span: Span| {
                let (l, c) = idx.line_col(span.lo.0.saturating_sub(start.0) as usize);
                let tok = map.lookup_token(l - 1, c - 1)?;
                if tok.get_dst_line() != l - 1 || tok.get_dst_col() != c - 1 {
                    return None;
                }
                Some((tok.get_src_id(), tok.get_src_line(), tok.get_src_col()))
            };
            let idents = output_idents(output);
            let mut kept = HashSet::new();
            for (span, _, in_typeof) in &idents {
                if *in_typeof {
                    if let Some(k) = lookup(*span) {
                        kept.insert(k);
                    }
                }
            }
            let mut reported = HashSet::new();
            for (span, name, in_typeof) in &idents {
                if *in_typeof {
                    continue;
                }
                let Some(k @ (src, line, col)) = lookup(*span) else {
                    continue;
                };
                let is_guard = guards
                    .get(src as usize)
                    .and_then(Option::as_ref)
                    .is_some_and(|g| g.contains(&(line, col)));
                if is_guard && !kept.contains(&k) && reported.insert(k) {
                    let file = map
                        .get_source(src)
                        .map(|s| s.to_string())
                        .unwrap_or_default();
                    out.push(finding(
                        *span,
                        name,
                        &format!("{}:{}:{}", file, line + 1, col + 1),
                    ));
                }
            }
        }
        None => {
            let Some(orig) = original else { return out };
            let Some(orig_guards) = guard_positions(orig, mode) else {
                return out;
            };
            let idents = output_idents(output);
            let kept = idents.iter().filter(|(_, _, t)| *t).count();
            if kept >= orig_guards.len() {
                return out;
            }
            // Candidates: declared names compared with void 0 / undefined.
            struct C(Vec<(Span, String)>);
            impl Visit for C {
                fn visit_bin_expr(&mut self, b: &BinExpr) {
                    b.visit_children_with(self);
                    if !matches!(
                        b.op,
                        BinaryOp::EqEq | BinaryOp::EqEqEq | BinaryOp::NotEq | BinaryOp::NotEqEq
                    ) {
                        return;
                    }
                    let void = |e: &Expr| {
                        matches!(e, Expr::Unary(u) if u.op == UnaryOp::Void)
                            || matches!(e, Expr::Ident(i) if i.sym == "undefined")
                    };
                    for (a, other) in [(&b.left, &b.right), (&b.right, &b.left)] {
                        if let (Expr::Ident(i), true) = (&**a, void(other)) {
                            if i.sym != "undefined" {
                                self.0.push((i.span, i.sym.to_string()));
                            }
                        }
                    }
                }
            }
            let mut c = C(Vec::new());
            output.visit_with(&mut c);
            let detail = format!(
                "{} has {} typeof guards, this output {}",
                orig.name,
                orig_guards.len(),
                kept
            );
            for (span, name) in c.0 {
                out.push(finding(span, &name, &detail));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;
    use swc_common::{Mark, GLOBALS};
    use swc_ecma_transforms_base::resolver;
    use swc_ecma_visit::VisitMutWith;

    fn run(original: &str, output: &str, with_map: Option<&str>) -> Vec<String> {
        GLOBALS.set(&Default::default(), || {
            let o = Source {
                name: "orig.js".into(),
                path: None,
                text: original.into(),
                had_bom: false,
            };
            let out = Source {
                name: "out.js".into(),
                path: None,
                text: output.into(),
                had_bom: false,
            };
            let parsed = parse::parse(&out, output, ParseMode::Auto).unwrap();
            let mut program = parsed.program;
            program.visit_mut_with(&mut resolver(Mark::new(), Mark::new(), false));
            let map = with_map.map(|m| SourceMap::from_slice(m.as_bytes()).unwrap());
            check(
                &program,
                parsed.fm.start_pos,
                output,
                Some(&o),
                map.as_ref(),
                ParseMode::Auto,
            )
            .into_iter()
            .map(|f| f.name)
            .collect()
        })
    }

    #[test]
    fn without_map_counts_guards() {
        // `d` is declared around the function that tests it: a guard a minifier can break.
        let original = "var d; function f(){ if (typeof d !== 'undefined' && d) g(d); }";
        assert_eq!(
            run(original, "var n;function f(){void 0!==n&&n&&g(n)}", None),
            vec!["n"]
        );
        assert!(run(
            original,
            "var n;function f(){typeof n<\"u\"&&n&&g(n)}",
            None
        )
        .is_empty());
        // A typeof of the function's own binding protects nothing: never a finding.
        let own = "function f(){ var d; if (typeof d !== 'undefined' && d) g(d); }";
        assert!(run(own, "function f(){var n;void 0!==n&&n&&g(n)}", None).is_empty());
    }

    #[test]
    fn with_map_matches_positions() {
        // Output `void 0!==n` where n (0-based col 28) maps to the guard operand `d`
        // (line 0, col 26) of the original `typeof d!=="undefined"` in `f`, `d` declared around f.
        let original = "var d;function f(){typeof d!==\"undefined\"&&d}";
        let output = "var n;function f(){void 0!==n&&n}";
        let map = r#"{"version":3,"sources":["orig.js"],"names":[],"mappings":"4BAA0B"}"#;
        assert_eq!(run(original, output, Some(map)), vec!["n"]);
        let kept = "var n;function f(){typeof n<\"u\"&&n}";
        let map_kept = r#"{"version":3,"sources":["orig.js"],"names":[],"mappings":"0BAA0B"}"#;
        assert!(run(original, kept, Some(map_kept)).is_empty());
    }
}
