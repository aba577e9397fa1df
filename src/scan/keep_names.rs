//! The names a minifier must not change: bindings declared outside a function whose source
//! text leaves its scope and read by the code that function runs. Where that text runs, a
//! prelude may declare them by their original names (`'var _scriptDir = undefined; var M = '
//! + factory.toString()`), so renaming them breaks it.

use super::model::Model;
use swc_atoms::Atom;
use swc_common::Mark;
use swc_ecma_ast::Program;

/// The names, sorted and without duplicates, for a program resolved with `unresolved_mark`.
pub fn keep_names(program: &Program, unresolved_mark: Mark) -> Vec<Atom> {
    let model = Model::build(program, unresolved_mark);
    let serialized = model.serialized();
    if serialized.is_empty() {
        return Vec::new();
    }
    let by_fn = model.refs_by_fn();
    let mut out: Vec<Atom> = Vec::new();
    for (f, _, _) in serialized {
        for g in model.executed(f) {
            for &ri in &by_fn[g] {
                let r = &model.refs[ri];
                if model.is_unresolved(&r.id) {
                    continue;
                }
                let Some(b) = model.bindings.get(&r.id) else {
                    continue;
                };
                if b.decl_fn == usize::MAX || model.is_within(b.decl_fn, f) {
                    continue;
                }
                out.push(r.id.0.clone());
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::keep_names;
    use swc_common::{Mark, GLOBALS};
    use swc_ecma_transforms_base::resolver;
    use swc_ecma_visit::VisitMutWith;

    fn names(code: &str) -> Vec<String> {
        GLOBALS.set(&Default::default(), || {
            let src = crate::source::Source {
                name: "t.js".into(),
                path: None,
                text: code.into(),
                had_bom: false,
            };
            let mut p = crate::parse::parse(&src, code, crate::parse::ParseMode::Script)
                .unwrap()
                .program;
            let m = Mark::new();
            p.visit_mut_with(&mut resolver(m, Mark::new(), false));
            keep_names(&p, m).iter().map(|a| a.to_string()).collect()
        })
    }

    #[test]
    fn enclosing_reads_of_a_serialized_function() {
        let code = "var M = (function(){ var _scriptDir = 1, other = 2; return function(){ var own = 3; return [typeof _scriptDir, own, helper()]; function helper(){ return other; } }; })();\nvar text = 'var _scriptDir = undefined; var M = ' + M.toString();\n";
        assert_eq!(names(code), vec!["_scriptDir", "other"]);
        assert!(names("var a = 1; function f(){ return a; } f();").is_empty());
    }
}
