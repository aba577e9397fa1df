//! Early errors swc 47 does not report.

use swc_ecma_ast::Program;

/// Early errors swc 47 misses: `break` outside a loop or `switch` when it sits in a labelled
/// statement (`e: break`), and `break`/`continue` to a label that does not enclose them, or
/// `continue` to one that is not a loop. The first one, with swc's wording. Only run when the
/// minified output of an accepted file does not parse (fuzzing found `e:break` minified to
/// `break;`), to tell the input's fault from guardmin's.
pub fn early_error(program: &Program) -> Option<(swc_common::BytePos, &'static str)> {
    use swc_ecma_ast::*;
    use swc_ecma_visit::{Visit, VisitWith};
    #[derive(Default)]
    struct Early {
        loops: u32,
        switches: u32,
        labels: Vec<(swc_atoms::Atom, bool)>,
        found: Option<(swc_common::BytePos, &'static str)>,
    }
    impl Early {
        fn fresh<T: VisitWith<Self>>(&mut self, node: &T) {
            let saved = std::mem::take(self);
            node.visit_children_with(self);
            let found = self.found.or(saved.found);
            *self = saved;
            self.found = found;
        }
        fn in_loop<T: VisitWith<Self>>(&mut self, node: &T) {
            self.loops += 1;
            node.visit_children_with(self);
            self.loops -= 1;
        }
        fn fail(&mut self, at: swc_common::BytePos, msg: &'static str) {
            self.found.get_or_insert((at, msg));
        }
    }
    impl Visit for Early {
        fn visit_function(&mut self, n: &Function) {
            self.fresh(n)
        }
        fn visit_arrow_expr(&mut self, n: &ArrowExpr) {
            self.fresh(n)
        }
        fn visit_getter_prop(&mut self, n: &GetterProp) {
            self.fresh(n)
        }
        fn visit_setter_prop(&mut self, n: &SetterProp) {
            self.fresh(n)
        }
        fn visit_constructor(&mut self, n: &Constructor) {
            self.fresh(n)
        }
        fn visit_static_block(&mut self, n: &StaticBlock) {
            self.fresh(n)
        }
        fn visit_class_prop(&mut self, n: &ClassProp) {
            self.fresh(n)
        }
        fn visit_for_stmt(&mut self, n: &ForStmt) {
            self.in_loop(n)
        }
        fn visit_for_in_stmt(&mut self, n: &ForInStmt) {
            self.in_loop(n)
        }
        fn visit_for_of_stmt(&mut self, n: &ForOfStmt) {
            self.in_loop(n)
        }
        fn visit_while_stmt(&mut self, n: &WhileStmt) {
            self.in_loop(n)
        }
        fn visit_do_while_stmt(&mut self, n: &DoWhileStmt) {
            self.in_loop(n)
        }
        fn visit_switch_stmt(&mut self, n: &SwitchStmt) {
            self.switches += 1;
            n.visit_children_with(self);
            self.switches -= 1;
        }
        fn visit_labeled_stmt(&mut self, n: &LabeledStmt) {
            let is_loop = matches!(
                &*n.body,
                Stmt::For(_) | Stmt::ForIn(_) | Stmt::ForOf(_) | Stmt::While(_) | Stmt::DoWhile(_)
            );
            self.labels.push((n.label.sym.clone(), is_loop));
            n.body.visit_with(self);
            self.labels.pop();
        }
        fn visit_break_stmt(&mut self, n: &BreakStmt) {
            match &n.label {
                None if self.loops == 0 && self.switches == 0 => self.fail(
                    n.span.lo,
                    "A 'break' statement can only be used within an enclosing iteration or switch statement",
                ),
                Some(l) if !self.labels.iter().any(|(s, _)| *s == l.sym) => {
                    self.fail(n.span.lo, "a 'break' to a label that does not enclose it")
                }
                _ => {}
            }
        }
        fn visit_continue_stmt(&mut self, n: &ContinueStmt) {
            match &n.label {
                None if self.loops == 0 => self.fail(
                    n.span.lo,
                    "A 'continue' statement can only be used within an enclosing iteration statement",
                ),
                Some(l) if !self.labels.iter().any(|(s, is_loop)| *s == l.sym && *is_loop) => self
                    .fail(
                        n.span.lo,
                        "a 'continue' to a label that is not an enclosing loop",
                    ),
                _ => {}
            }
        }
    }
    let mut v = Early::default();
    program.visit_with(&mut v);
    v.found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{parse, ParseMode};
    use crate::source::Source;

    #[test]
    fn early_errors_swc_misses() {
        let first = |code: &str| {
            let src = Source::from_bytes("t.js".into(), code.as_bytes().to_vec()).unwrap();
            swc_common::GLOBALS.set(&Default::default(), || {
                let p = parse(&src, &src.text, ParseMode::Script).unwrap();
                early_error(&p.program).map(|(pos, m)| ((pos.0 - p.fm.start_pos.0) as usize, m))
            })
        };
        assert_eq!(first("e:break").map(|e| e.0), Some(2));
        assert!(first("e:break e").is_none());
        assert!(first("e:{break e}").is_none());
        assert!(first("for(;;){e:break}").is_none());
        assert!(first("switch(1){case 1:e:break}").is_none());
        assert!(first("a:for(;;){continue a}").is_none());
        assert!(first("for(;;){(function(){ x: break x })()}").is_none());
        assert!(first("a:{for(;;){continue a}}").is_some());
        assert!(first("for(;;){(function(){ e: break })()}").is_some());
    }
}
