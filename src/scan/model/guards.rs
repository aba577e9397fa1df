//! Guards: which facts about existing names dominate a point of the code.
//!
//! A function whose source text runs elsewhere loses every enclosing scope *at once*: they
//! all exist (the original realm) or none does. So a read of an enclosing binding is safe
//! where any proof that the function runs in its original scopes dominates it: a `typeof`
//! test of any enclosing binding in any form (`===`, `!==`, `<`, `>`, `switch (typeof X)`),
//! an earlier read of one (had it thrown, we would not be here), or a local flag holding such
//! a test (`const ok = typeof X !== "undefined"; if (!ok) return;`). A `try` whose `catch`
//! takes the `ReferenceError` makes a read safe too.
//!
//! Facts form a persistent chain ([`ProofId`]): entering a branch pushes the facts its test
//! gives, leaving it goes back to the saved link. Each read records the link in force, and
//! the model later asks for the outermost binding the chain proves.

use super::ids::{BindingId, ProofId};
use crate::guard::guard_test;
use swc_atoms::Atom;
use swc_ecma_ast::*;

/// Something known to exist at a point.
#[derive(Clone, Debug)]
pub enum Fact {
    Binding(BindingId),
    /// An unresolved (global) name tested with `typeof`.
    Global(Atom),
}

/// The facts a test gives: when it is truthy, when it is falsy.
#[derive(Clone, Debug, Default)]
pub struct TestFacts {
    pub when_true: Vec<Fact>,
    pub when_false: Vec<Fact>,
}

/// Resolves identifiers to facts (the builder knows bindings and local flags).
pub trait Facts {
    /// The fact for a `typeof` operand: a binding, or a global.
    fn typeof_fact(&mut self, i: &Ident) -> Fact;
    /// What a local flag variable holds, if it holds a test.
    fn flag(&self, i: &Ident) -> Option<TestFacts>;
}

pub fn unparen(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => unparen(&p.expr),
        e => e,
    }
}

/// The facts of a test expression.
pub fn test_facts(e: &Expr, cx: &mut impl Facts) -> TestFacts {
    let mut t = TestFacts::default();
    collect(e, true, &mut t.when_true, cx);
    collect(e, false, &mut t.when_false, cx);
    t
}

/// Facts that hold when `e` evaluates to `truthy`.
fn collect(e: &Expr, truthy: bool, out: &mut Vec<Fact>, cx: &mut impl Facts) {
    match unparen(e) {
        // `(a, b)` is as true as its last expression.
        Expr::Seq(sq) => {
            if let Some(last) = sq.exprs.last() {
                collect(last, truthy, out, cx);
            }
        }
        Expr::Bin(b) if b.op == BinaryOp::LogicalAnd && truthy => {
            collect(&b.left, true, out, cx);
            collect(&b.right, true, out, cx);
        }
        Expr::Bin(b) if b.op == BinaryOp::LogicalOr && !truthy => {
            collect(&b.left, false, out, cx);
            collect(&b.right, false, out, cx);
        }
        Expr::Bin(b) => {
            if let Some(t) = guard_test(b) {
                if t.defined_when_true == truthy {
                    out.push(cx.typeof_fact(t.ident));
                }
            }
        }
        Expr::Unary(u) if u.op == UnaryOp::Bang => collect(&u.arg, !truthy, out, cx),
        Expr::Ident(i) => {
            if let Some(f) = cx.flag(i) {
                out.extend(if truthy { f.when_true } else { f.when_false });
            }
        }
        Expr::Assign(a) if a.op == AssignOp::Assign => collect(&a.right, truthy, out, cx),
        _ => {}
    }
}

/// Whether a statement never completes normally (return, throw, break, continue).
pub fn always_exits(s: &Stmt) -> bool {
    match s {
        Stmt::Return(_) | Stmt::Throw(_) | Stmt::Break(_) | Stmt::Continue(_) => true,
        Stmt::Block(b) => b.stmts.iter().any(always_exits),
        Stmt::If(i) => always_exits(&i.cons) && i.alt.as_deref().is_some_and(always_exits),
        _ => false,
    }
}

/// Whether a `catch` clause takes the error for good: it does not throw it again.
pub fn catch_swallows(c: &CatchClause) -> bool {
    !c.body.stmts.iter().any(|s| matches!(s, Stmt::Throw(_)))
}

/// `typeof X` with `X` an identifier: the discriminant of `switch (typeof X)`.
pub fn switch_typeof(e: &Expr) -> Option<&Ident> {
    crate::guard::typeof_ident(e)
}

/// The facts for a `case` of `switch (typeof X)`: a case whose string is not `"undefined"`
/// runs only where X exists.
pub fn case_defines(test: Option<&Expr>) -> bool {
    match test.and_then(crate::guard::const_string) {
        Some(s) => s != "undefined",
        None => false,
    }
}

/// `X == null ? void 0 : X.p` or `X === null || X === void 0 ? void 0 : X.p(...)`: the
/// shape TypeScript, Babel and minifiers give `X?.p`.
pub fn is_optional_chain_lowering(c: &CondExpr) -> bool {
    let is_void = |e: &Expr| matches!(unparen(e), Expr::Unary(u) if u.op == UnaryOp::Void);
    if !is_void(&c.cons) {
        return false;
    }
    fn tested(e: &Expr) -> Option<&Ident> {
        match unparen(e) {
            Expr::Bin(b) if b.op == BinaryOp::LogicalOr => {
                let (l, r) = (tested(&b.left)?, tested(&b.right)?);
                (l.sym == r.sym).then_some(l)
            }
            Expr::Bin(b) if matches!(b.op, BinaryOp::EqEq | BinaryOp::EqEqEq) => {
                match (unparen(&b.left), unparen(&b.right)) {
                    (Expr::Ident(i), _) | (_, Expr::Ident(i)) if i.sym != "undefined" => Some(i),
                    _ => None,
                }
            }
            _ => None,
        }
    }
    let Some(x) = tested(&c.test) else {
        return false;
    };
    fn base(e: &Expr) -> Option<&Ident> {
        match unparen(e) {
            Expr::Member(m) => match unparen(&m.obj) {
                Expr::Ident(i) => Some(i),
                other => base(other),
            },
            Expr::Call(CallExpr {
                callee: Callee::Expr(c),
                ..
            }) => base(c),
            _ => None,
        }
    }
    base(&c.alt).is_some_and(|b| b.sym == x.sym)
}

/// One link: a fact, the depth of the function where it was established, the link before.
struct Link {
    fact: Fact,
    at_depth: u32,
    parent: ProofId,
}

/// The chain of facts, shared by every point (persistent: a branch pushes, leaving it goes
/// back to the saved link).
pub struct Proofs {
    links: Vec<Link>,
    /// Depth of the binding each link proves (`u32::MAX`: none), filled after the walk.
    bind_depth: Vec<u32>,
    memo: std::cell::RefCell<rustc_hash::FxHashMap<(ProofId, u32, u32), bool>>,
}

impl Default for Proofs {
    fn default() -> Self {
        // Link 0 is the empty chain.
        Proofs {
            links: vec![Link {
                fact: Fact::Global(Atom::default()),
                at_depth: 0,
                parent: ProofId::NONE,
            }],
            bind_depth: Vec::new(),
            memo: Default::default(),
        }
    }
}

impl Proofs {
    pub fn push(&mut self, at: ProofId, fact: Fact, at_depth: u32) -> ProofId {
        self.links.push(Link {
            fact,
            at_depth,
            parent: at,
        });
        ProofId::new(self.links.len() - 1)
    }

    pub fn extend(&mut self, mut at: ProofId, facts: &[Fact], at_depth: u32) -> ProofId {
        for f in facts {
            at = self.push(at, f.clone(), at_depth);
        }
        at
    }

    /// Records the depth of the binding each link proves.
    pub fn resolve(&mut self, depth_of: impl Fn(BindingId) -> Option<u32>) {
        self.bind_depth = self
            .links
            .iter()
            .enumerate()
            .map(|(i, l)| match l.fact {
                Fact::Binding(b) if i > 0 => depth_of(b).unwrap_or(u32::MAX),
                _ => u32::MAX,
            })
            .collect();
    }

    /// Whether the chain at `at` proves, for a function of depth `d` whose text runs
    /// elsewhere, that it runs in its original scopes: a fact established inside that
    /// function (at depth `>= d`) about a binding declared outside it (depth `< d`).
    ///
    /// `excluded` names bindings whose reads prove nothing for this text (the text it is
    /// joined with declares them), and `query` keys the memo for that choice.
    pub fn proves(
        &self,
        at: ProofId,
        d: u32,
        query: u32,
        excluded: impl Fn(BindingId) -> bool,
    ) -> bool {
        let mut path = Vec::new();
        let mut cur = at;
        let mut answer = false;
        while cur != ProofId::NONE {
            if let Some(&m) = self.memo.borrow().get(&(cur, d, query)) {
                answer = m;
                break;
            }
            let link = &self.links[cur.index()];
            if link.at_depth < d {
                break;
            }
            let excluded_here = matches!(link.fact, Fact::Binding(b) if excluded(b));
            if self.bind_depth[cur.index()] < d && !excluded_here {
                answer = true;
                path.push(cur);
                break;
            }
            path.push(cur);
            cur = link.parent;
        }
        let mut memo = self.memo.borrow_mut();
        for p in path {
            memo.insert((p, d, query), answer);
        }
        answer
    }

    /// Whether the chain at `at` proves the global `name` (bounded walk).
    pub fn proves_global(&self, mut at: ProofId, name: &Atom) -> bool {
        let mut steps = 0;
        while at != ProofId::NONE && steps < 100_000 {
            let link = &self.links[at.index()];
            if matches!(&link.fact, Fact::Global(g) if g == name) {
                return true;
            }
            at = link.parent;
            steps += 1;
        }
        false
    }
}
