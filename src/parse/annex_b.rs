//! Function declarations as the body of an `if` in sloppy-mode scripts (ECMAScript Annex
//! B.3.4, "FunctionDeclarations in IfStatement Statement Clauses"): `if (x) function f() {}`
//! and `else function g() {}` are exactly a block holding the declaration.
//!
//! swc 47 parses them but reports `DeclNotAllowed` ("Declaration is not allowed") at the
//! `function` keyword, in strict code and sloppy code alike, and no option turns that off
//! (`parse_if_stmt` parses the clause as a plain Statement; Annex B is a TODO there). Its
//! recovery keeps the declaration in the tree, spans and all, so guardmin accepts the tree
//! when every such error sits on a plain `function` (not `function*`, not `async`) that is
//! an `if` or `else` clause in sloppy code, and wraps each in a block with the declaration's
//! span. Positions stay those of the original text; nothing is re-parsed. In strict code and
//! modules it stays a syntax error, as the spec says. Labelled function declarations
//! (`l: function f() {}`, Annex B.3.2) swc already accepts in sloppy code.

use swc_common::{BytePos, DUMMY_SP};
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitMut, VisitMutWith, VisitWith};

/// Where the Annex B `if` clauses of `program` start (their `function` keyword): those in
/// sloppy code only.
pub(super) fn sloppy_if_functions(program: &Program) -> Vec<BytePos> {
    let strict = match program {
        Program::Module(_) => true,
        Program::Script(s) => has_use_strict(&s.body),
    };
    let mut f = Find {
        strict,
        found: Vec::new(),
    };
    program.visit_with(&mut f);
    f.found
}

fn has_use_strict(body: &[Stmt]) -> bool {
    body.iter()
        .map_while(|s| match s {
            Stmt::Expr(ExprStmt { expr, .. }) => match &**expr {
                Expr::Lit(Lit::Str(s)) => Some(s),
                _ => None,
            },
            _ => None,
        })
        .any(|s| {
            s.raw
                .as_deref()
                .is_some_and(|r| &r[1..r.len() - 1] == "use strict")
        })
}

fn plain_fn(s: &Stmt) -> Option<&FnDecl> {
    match s {
        Stmt::Decl(Decl::Fn(f)) if !f.function.is_async && !f.function.is_generator => Some(f),
        _ => None,
    }
}

struct Find {
    strict: bool,
    found: Vec<BytePos>,
}

impl Find {
    fn scoped(&mut self, strict: bool, f: impl FnOnce(&mut Self)) {
        let saved = self.strict;
        self.strict |= strict;
        f(self);
        self.strict = saved;
    }
}

impl Visit for Find {
    fn visit_function(&mut self, n: &Function) {
        let strict = n.body.as_ref().is_some_and(|b| has_use_strict(&b.stmts));
        self.scoped(strict, |v| n.visit_children_with(v));
    }
    fn visit_arrow_expr(&mut self, n: &ArrowExpr) {
        let strict =
            matches!(&*n.body, ArrowFunctionBody::FunctionBody(b) if has_use_strict(&b.stmts));
        self.scoped(strict, |v| n.visit_children_with(v));
    }
    fn visit_class(&mut self, n: &Class) {
        self.scoped(true, |v| n.visit_children_with(v));
    }
    fn visit_if_stmt(&mut self, n: &IfStmt) {
        if !self.strict {
            for clause in std::iter::once(&*n.cons).chain(n.alt.as_deref()) {
                if let Some(f) = plain_fn(clause) {
                    self.found.push(f.function.span.lo);
                }
            }
        }
        n.visit_children_with(self);
    }
}

/// Puts every function declaration that is an `if` or `else` clause into a block of its
/// own span: the meaning Annex B gives it, and a form every parser accepts. Run on the
/// parsed input and again before code generation, so the output never has the bare form.
pub fn wrap_if_functions(program: &mut Program) {
    struct Wrap;
    impl VisitMut for Wrap {
        fn visit_mut_if_stmt(&mut self, n: &mut IfStmt) {
            n.visit_mut_children_with(self);
            for clause in std::iter::once(&mut n.cons).chain(n.alt.as_mut()) {
                if let Stmt::Decl(Decl::Fn(f)) = &**clause {
                    let span = f.function.span;
                    let decl =
                        std::mem::replace(&mut **clause, Stmt::Empty(EmptyStmt { span: DUMMY_SP }));
                    **clause = Stmt::Block(BlockStmt {
                        span,
                        ctxt: Default::default(),
                        stmts: vec![decl],
                    });
                }
            }
        }
    }
    program.visit_mut_with(&mut Wrap);
}

#[cfg(test)]
mod tests {
    use crate::parse::{parse, ParseMode};
    use crate::source::Source;

    fn parses(code: &str, mode: ParseMode) -> Result<String, String> {
        let src = Source::from_bytes("t.js".into(), code.as_bytes().to_vec()).unwrap();
        swc_common::GLOBALS.set(&Default::default(), || {
            parse(&src, &src.text, mode)
                .map(|p| {
                    format!("{:?}", p.program)
                        .matches("Block")
                        .count()
                        .to_string()
                })
                .map_err(|e| e.message)
        })
    }

    #[test]
    fn if_clauses_in_sloppy_scripts_are_blocks() {
        let braced = |c: &str| parses(c, ParseMode::Script).unwrap();
        assert_eq!(
            parses("if (x) function f() {}", ParseMode::Script),
            Ok(braced("if (x) { function f() {} }"))
        );
        assert_eq!(
            parses(
                "if (x) function f() {} else function g() {}",
                ParseMode::Auto
            ),
            Ok(braced(
                "if (x) { function f() {} } else { function g() {} }"
            ))
        );
        assert!(parses("l: function f() {}", ParseMode::Script).is_ok());
        assert!(parses("function o() { if (x) function f() {} }", ParseMode::Script).is_ok());
    }

    #[test]
    fn strict_code_modules_and_other_forms_stay_errors() {
        for code in [
            "'use strict'; if (x) function f() {}",
            "function o() { 'use strict'; if (x) function f() {} }",
            "class A { m() { if (x) function f() {} } }",
            "if (x) function* f() {}",
            "while (x) function f() {}",
            "if (x) class C {}",
        ] {
            let e = parses(code, ParseMode::Script).expect_err(code);
            assert!(e.contains("not allowed"), "{code}: {e}");
        }
        assert!(parses("if (x) function f() {}", ParseMode::Module).is_err());
    }
}
