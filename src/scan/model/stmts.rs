//! Statements and declarations: control flow decides which facts hold where (branches,
//! early exits, loops, `switch (typeof X)`, `try`), declarations bind names to values.

use super::flow::{Op, Val};
use super::guards::{self, Fact};
use super::scopes::{Builder, FnBody};
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

impl Visit for Builder {
    fn visit_expr(&mut self, e: &Expr) {
        self.expr(e);
    }

    fn visit_expr_stmt(&mut self, s: &ExprStmt) {
        // A statement's value is thrown away: `Function(src);` only compiles the text.
        self.discarded = matches!(guards::unparen(&s.expr), Expr::Call(_) | Expr::New(_));
        self.expr(&s.expr);
        self.discarded = false;
    }

    fn visit_stmts(&mut self, stmts: &[Stmt]) {
        self.stmts(stmts);
    }

    fn visit_block_stmt(&mut self, b: &BlockStmt) {
        self.stmts(&b.stmts);
    }

    fn visit_if_stmt(&mut self, s: &IfStmt) {
        self.expr(&s.test);
        let facts = self.facts_of(&s.test);
        self.branch(&s.test, &facts.when_true, true, |b| s.cons.visit_with(b));
        if let Some(alt) = &s.alt {
            self.branch(&s.test, &facts.when_false, false, |b| alt.visit_with(b));
        }
        // After an `if` whose branch always exits, the other branch's facts hold.
        let after: &[Fact] = match (&s.alt, guards::always_exits(&s.cons)) {
            (None, true) => &facts.when_false,
            (Some(alt), false) if guards::always_exits(alt) => &facts.when_true,
            _ => &[],
        };
        let d = self.depth();
        self.proof = self.m.proofs.extend(self.proof, after, d);
    }

    fn visit_switch_stmt(&mut self, s: &SwitchStmt) {
        self.expr(&s.discriminant);
        let tested = guards::switch_typeof(&s.discriminant).cloned();
        let saved = self.proof;
        let mut falls_in = false;
        // `default:` runs only where X exists when a case takes "undefined" (and ends).
        let undefined_case_ends = s.cases.iter().any(|c| {
            c.test
                .as_deref()
                .and_then(crate::guard::const_string)
                .as_deref()
                == Some("undefined")
                && c.cons.iter().any(guards::always_exits)
        });
        for case in &s.cases {
            if let Some(t) = &case.test {
                self.expr(t);
            }
            let mut facts = Vec::new();
            if let Some(i) = &tested {
                let defines = match case.test.as_deref() {
                    Some(_) => guards::case_defines(case.test.as_deref()),
                    None => undefined_case_ends,
                };
                if defines && !falls_in {
                    facts.push(guards::Facts::typeof_fact(self, i));
                }
            }
            self.with_facts(&facts, |b| b.stmts(&case.cons));
            falls_in = !case.cons.iter().any(guards::always_exits);
            self.proof = saved;
        }
    }

    fn visit_try_stmt(&mut self, t: &TryStmt) {
        self.try_block(t);
    }

    fn visit_while_stmt(&mut self, s: &WhileStmt) {
        self.expr(&s.test);
        let facts = self.facts_of(&s.test);
        self.branch(&s.test, &facts.when_true, true, |b| s.body.visit_with(b));
    }

    fn visit_do_while_stmt(&mut self, s: &DoWhileStmt) {
        let saved = self.proof;
        s.body.visit_with(self);
        self.expr(&s.test);
        self.proof = saved;
    }

    fn visit_for_stmt(&mut self, s: &ForStmt) {
        if let Some(init) = &s.init {
            init.visit_with(self);
        }
        let saved = self.proof;
        let facts = match &s.test {
            Some(t) => {
                self.expr(t);
                self.facts_of(t).when_true
            }
            None => Vec::new(),
        };
        self.with_facts(&facts, |b| {
            s.body.visit_with(b);
            if let Some(u) = &s.update {
                b.expr(u);
            }
        });
        self.proof = saved;
    }

    fn visit_for_in_stmt(&mut self, s: &ForInStmt) {
        let obj = self.expr(&s.right);
        let keys = obj.map(|o| {
            let n = self.m.flow.node();
            self.m.flow.op(o, Op::Keys { dst: n });
            n
        });
        self.for_head(&s.left, keys);
        let saved = self.proof;
        s.body.visit_with(self);
        self.proof = saved;
    }

    fn visit_for_of_stmt(&mut self, s: &ForOfStmt) {
        let obj = self.expr(&s.right);
        let elems = obj.map(|o| self.elems_of(o));
        self.for_head(&s.left, elems);
        let saved = self.proof;
        s.body.visit_with(self);
        self.proof = saved;
    }

    fn visit_labeled_stmt(&mut self, s: &LabeledStmt) {
        s.body.visit_with(self);
    }

    fn visit_return_stmt(&mut self, r: &ReturnStmt) {
        if let Some(arg) = &r.arg {
            if let Some(n) = self.expr(arg) {
                let f = self.cur();
                let ret = self.m.flow.ret(f);
                self.m.flow.edge(n, ret);
            }
        }
    }

    fn visit_var_decl(&mut self, d: &VarDecl) {
        // `var` belongs to the function; `let`/`const` to the block, which for reads
        // from another realm is the same: both are gone there.
        let f = self.cur();
        for decl in &d.decls {
            let value = decl.init.as_deref().and_then(|e| self.expr(e));
            if let Pat::Ident(id) = &decl.name {
                let b = self.binding_of(&id.id);
                if let (Some(b), Some(init)) = (b, decl.init.as_deref()) {
                    self.set_flag(b, init);
                }
                let fallback = decl
                    .init
                    .as_deref()
                    .is_some_and(|e| is_self_fallback(e, &id.id));
                if decl.init.is_some() {
                    self.count_def(b, fallback);
                }
            }
            self.bind_pat(&decl.name, value, f);
        }
    }

    fn visit_fn_decl(&mut self, d: &FnDecl) {
        let outer = self.cur();
        let node = self.declare(&d.ident, outer);
        let params: Vec<&Pat> = d.function.params.iter().map(|p| &p.pat).collect();
        for dec in &d.function.decorators {
            dec.visit_with(self);
        }
        let f = self.function(
            d.function.span,
            false,
            None,
            &params,
            FnBody::Block(d.function.body.as_ref()),
        );
        self.m.fns[f.index()].text_name = Some(d.ident.sym.clone());
        self.m.fns[f.index()].own_binding = self.binding_of(&d.ident);
        if let Some(n) = node {
            self.m.flow.add(n, Val::Fn(f));
        }
    }

    fn visit_class_decl(&mut self, c: &ClassDecl) {
        let outer = self.cur();
        let node = self.declare(&c.ident, outer);
        let v = self.class(&c.class, Some(&c.ident));
        if let (Some(n), Some(v)) = (node, v) {
            self.m.flow.edge(v, n);
        }
    }

    fn visit_import_decl(&mut self, d: &ImportDecl) {
        for s in &d.specifiers {
            let local = match s {
                ImportSpecifier::Named(n) => &n.local,
                ImportSpecifier::Default(n) => &n.local,
                ImportSpecifier::Namespace(n) => &n.local,
            };
            self.declare(local, super::ids::FnId::ROOT);
        }
    }

    fn visit_catch_clause(&mut self, c: &CatchClause) {
        let f = self.cur();
        if let Some(p) = &c.param {
            self.bind_pat(p, None, f);
        }
        self.stmts(&c.body.stmts);
    }

    fn visit_function(&mut self, func: &Function) {
        // Functions reached by the generic walk (class members, object methods are lowered
        // in `lower`); this one only keeps their bodies walked.
        let params: Vec<&Pat> = func.params.iter().map(|p| &p.pat).collect();
        self.function(
            func.span,
            false,
            None,
            &params,
            FnBody::Block(func.body.as_ref()),
        );
    }

    fn visit_pat(&mut self, p: &Pat) {
        // Patterns outside declarations (assignment targets): reads of defaults.
        let f = self.cur();
        self.bind_pat(p, None, f);
    }
}

impl Builder {
    fn for_head(&mut self, left: &ForHead, value: Option<super::ids::NodeId>) {
        let f = self.cur();
        match left {
            ForHead::VarDecl(d) => {
                for decl in &d.decls {
                    self.bind_pat(&decl.name, value, f);
                }
            }
            ForHead::Pat(p) => self.bind_pat(p, value, f),
            ForHead::UsingDecl(u) => {
                for decl in &u.decls {
                    self.bind_pat(&decl.name, value, f);
                }
            }
        }
    }
}

/// `T || x` / `T ?? x` / `(T = ...) || x`: a value that keeps T's own value when it has one
/// (Emscripten's `_scriptDir || __filename`).
pub(super) fn is_self_fallback(e: &Expr, t: &Ident) -> bool {
    let Expr::Bin(b) = guards::unparen(e) else {
        return false;
    };
    if !matches!(b.op, BinaryOp::LogicalOr | BinaryOp::NullishCoalescing) {
        return false;
    }
    match guards::unparen(&b.left) {
        Expr::Ident(i) => i.to_id() == t.to_id(),
        Expr::Assign(a) => {
            matches!(&a.left, AssignTarget::Simple(SimpleAssignTarget::Ident(i)) if i.to_id() == t.to_id())
        }
        _ => false,
    }
}
