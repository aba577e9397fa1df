//! Which reads `guardmin fix` can repair, and how: the guard shapes minifiers make from a
//! `typeof` test, each rewritten into a form that is exactly equivalent where the name is
//! declared and never reads it where it is not.
//!
//! | the read stands in | becomes |
//! | --- | --- |
//! | `void 0 !== X`, `X !== undefined` | `typeof X<"u"` |
//! | `void 0 === X`, `X === undefined` | `typeof X>"u"` |
//! | a comparison false when `X` is undefined (`null != X`, `X != void 0`, `X === null`) | `typeof X<"u"&&null!=X` |
//! | a comparison true when `X` is undefined (`null == X`, `X == void 0`, `X !== null`) | `typeof X>"u"\|\|null==X` |
//! | a test: `X && ...`, `X ? a : b`, `if (X)`, `!X`, `X \|\| ...` | `typeof X<"u"&&X` |
//!
//! `typeof X < "u"` is `typeof X !== "undefined"` (every other `typeof` result sorts below
//! `"u"`). A test position is one where only the truthiness of the value counts (or the
//! value is dropped), so `false` there is as good as `undefined`. The `&&`/`||` forms get
//! parentheses where the operator around them would bind differently. Everything else (a read
//! used as a value, a call, a member access) is not repairable: the original did not guard it,
//! or guarded it in a way that cannot be told from the output.

use super::edit::Edit;
use crate::parse::Parsed;
use std::collections::HashMap;
use swc_common::{Mark, Spanned, SyntaxContext};
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

/// A planned repair of one read: the splices, and the text before and after (for reports).
#[derive(Clone, Debug)]
pub struct Planned {
    pub edits: Vec<Edit>,
    pub before: String,
    pub after: String,
    /// The byte range the new text will take, in the text before the edits (its start) and
    /// its length: re-parsed, one expression must span it exactly.
    pub lo: usize,
    pub len: usize,
}

/// Why a read cannot be repaired, for reports.
pub const NOT_A_GUARD: &str = "the read is not in a guard shape a minifier makes from a typeof test (it is used as a value, called, or read through a member): the original did not guard it this way, so no rewrite is sure to be equivalent";

/// Plans a repair for each read `lo..hi` (byte offsets of the identifier in `text`).
pub fn classify(
    parsed: &Parsed,
    text: &str,
    unresolved: Mark,
    reads: &[(usize, usize)],
) -> Vec<Result<Planned, String>> {
    let mut f = Finder {
        text,
        start: parsed.fm.start_pos.0 as usize,
        unresolved: SyntaxContext::empty().apply_mark(unresolved),
        targets: reads.iter().copied().collect(),
        found: HashMap::new(),
        ctx: Ctx::Value,
        parent: Parent::Tight,
    };
    parsed.program.visit_with(&mut f);
    reads
        .iter()
        .map(|(lo, _)| {
            f.found
                .get(lo)
                .cloned()
                .unwrap_or_else(|| Err(NOT_A_GUARD.to_string()))
        })
        .collect()
}

/// How the value of the expression being visited is used.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ctx {
    /// Only its truthiness counts, or it is dropped.
    Test,
    Value,
}

/// What the expression being visited is an operand of, for parentheses.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Parent {
    /// Anything that takes an assignment expression: statement, argument, initialiser,
    /// `?:` branch or test, sequence element, parenthesised.
    Loose,
    AndLeft,
    AndRight,
    OrLeft,
    OrRight,
    /// Anything that binds tighter (unary, comparison, member, `??`...).
    Tight,
}

/// The `&&` form (`typeof X<"u"&&...`) or the `||` form (`typeof X>"u"||...`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    And,
    Or,
}

impl Form {
    fn needs_parens(self, parent: Parent) -> bool {
        match self {
            Form::And => !matches!(
                parent,
                Parent::Loose | Parent::AndLeft | Parent::OrLeft | Parent::OrRight
            ),
            Form::Or => !matches!(parent, Parent::Loose | Parent::OrLeft),
        }
    }
}

struct Finder<'a> {
    text: &'a str,
    start: usize,
    unresolved: SyntaxContext,
    /// `lo -> hi` of the reads wanted.
    targets: HashMap<usize, usize>,
    found: HashMap<usize, Result<Planned, String>>,
    /// Context of the next expression visited (reset to `Value`/`Tight` on entry).
    ctx: Ctx,
    parent: Parent,
}

fn unparen(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => unparen(&p.expr),
        e => e,
    }
}

impl Finder<'_> {
    fn off(&self, pos: swc_common::BytePos) -> usize {
        (pos.0 as usize).saturating_sub(self.start)
    }

    fn sub(&mut self, e: &Expr, ctx: Ctx, parent: Parent) {
        self.ctx = ctx;
        self.parent = parent;
        e.visit_with(self);
    }

    /// The identifier if it is one of the reads wanted.
    fn target<'e>(&self, e: &'e Expr) -> Option<&'e Ident> {
        match e {
            Expr::Ident(i) => {
                let lo = self.off(i.span.lo);
                (self.targets.get(&lo) == Some(&self.off(i.span.hi))).then_some(i)
            }
            _ => None,
        }
    }

    /// `void 0` (of a literal: nothing dropped), global `undefined`, or `null`: `Some(true)`
    /// for `null`.
    fn voidish(&self, e: &Expr) -> Option<bool> {
        match unparen(e) {
            Expr::Unary(u) if u.op == UnaryOp::Void && matches!(unparen(&u.arg), Expr::Lit(_)) => {
                Some(false)
            }
            Expr::Ident(i) if i.sym == "undefined" && i.ctxt == self.unresolved => Some(false),
            Expr::Lit(Lit::Null(_)) => Some(true),
            _ => None,
        }
    }

    fn record(&mut self, lo: usize, r: Result<Planned, String>) {
        self.found.entry(lo).or_insert(r);
    }

    /// `X` (at `lo..hi`) compared in `b` with `void 0`, `undefined` or `null`.
    fn compare(&mut self, b: &BinExpr, ident: &Ident, null: bool, parent: Parent) {
        let (lo, hi) = (self.off(b.span.lo), self.off(b.span.hi));
        let (ilo, ihi) = (self.off(ident.span.lo), self.off(ident.span.hi));
        let region = &self.text[lo..hi];
        let name = &self.text[ilo..ihi];
        let strict = matches!(b.op, BinaryOp::EqEqEq | BinaryOp::NotEqEq);
        let simple = !region.contains(['/', '\n', '\r', '\u{2028}', '\u{2029}']);
        if strict && !null && simple {
            let op = if b.op == BinaryOp::NotEqEq { '<' } else { '>' };
            let after = format!("typeof {name}{op}\"u\"");
            let mut e = Edit::replace(lo, hi, after.clone());
            e.anchors.push((ilo - lo, "typeof ".len()));
            let len = after.len();
            self.record(
                ilo,
                Ok(Planned {
                    edits: vec![e],
                    before: region.to_string(),
                    after,
                    lo,
                    len,
                }),
            );
            return;
        }
        // The comparison's value where `X` is undefined decides the form.
        let when_undefined = match b.op {
            BinaryOp::EqEq => true,
            BinaryOp::NotEq => false,
            BinaryOp::EqEqEq => !null,
            _ => null,
        };
        let form = if when_undefined { Form::Or } else { Form::And };
        let plan = self.wrap(lo, hi, name, form, parent);
        self.record(ilo, Ok(plan));
    }

    /// `typeof X<"u"&&` + text + `` / `typeof X>"u"||` + text, parenthesised where needed.
    fn wrap(&self, lo: usize, hi: usize, name: &str, form: Form, parent: Parent) -> Planned {
        let parens = form.needs_parens(parent);
        let test = match form {
            Form::And => format!("typeof {name}<\"u\"&&"),
            Form::Or => format!("typeof {name}>\"u\"||"),
        };
        let prefix = if parens { format!("({test}") } else { test };
        let suffix = if parens { ")" } else { "" };
        let before = &self.text[lo..hi];
        let after = format!("{prefix}{before}{suffix}");
        let mut edits = vec![Edit::insert(lo, prefix)];
        if parens {
            edits.push(Edit::insert(hi, suffix));
        }
        Planned {
            edits,
            before: before.to_string(),
            len: after.len(),
            after,
            lo,
        }
    }
}

impl Visit for Finder<'_> {
    fn visit_expr(&mut self, e: &Expr) {
        let (ctx, parent) = (self.ctx, self.parent);
        self.ctx = Ctx::Value;
        self.parent = Parent::Tight;
        match e {
            Expr::Ident(i) => {
                if self.target(e).is_some() {
                    let (lo, hi) = (self.off(i.span.lo), self.off(i.span.hi));
                    let r = if ctx == Ctx::Test {
                        let name = &self.text[lo..hi];
                        Ok(self.wrap(lo, hi, name, Form::And, parent))
                    } else {
                        Err(NOT_A_GUARD.to_string())
                    };
                    self.record(lo, r);
                }
            }
            Expr::Paren(p) => self.sub(&p.expr, ctx, Parent::Loose),
            Expr::Bin(b) => match b.op {
                BinaryOp::LogicalAnd => {
                    self.sub(&b.left, ctx, Parent::AndLeft);
                    self.sub(&b.right, ctx, Parent::AndRight);
                }
                BinaryOp::LogicalOr => {
                    self.sub(&b.left, Ctx::Test, Parent::OrLeft);
                    self.sub(&b.right, ctx, Parent::OrRight);
                }
                BinaryOp::NullishCoalescing => {
                    self.sub(&b.left, Ctx::Value, Parent::Tight);
                    self.sub(&b.right, ctx, Parent::Tight);
                }
                BinaryOp::EqEq | BinaryOp::NotEq | BinaryOp::EqEqEq | BinaryOp::NotEqEq => {
                    for (side, other) in [(&b.left, &b.right), (&b.right, &b.left)] {
                        if let (Some(i), Some(null)) =
                            (self.target(unparen(side)), self.voidish(other))
                        {
                            self.compare(b, i, null, parent);
                        }
                    }
                    b.visit_children_with(self);
                }
                _ => b.visit_children_with(self),
            },
            Expr::Cond(c) => {
                self.sub(&c.test, Ctx::Test, Parent::Loose);
                self.sub(&c.cons, ctx, Parent::Loose);
                self.sub(&c.alt, ctx, Parent::Loose);
            }
            Expr::Unary(u) if u.op == UnaryOp::Bang => self.sub(&u.arg, Ctx::Test, Parent::Tight),
            Expr::Seq(s) => {
                let last = s.exprs.len().saturating_sub(1);
                for (i, x) in s.exprs.iter().enumerate() {
                    let c = if i == last { ctx } else { Ctx::Test };
                    self.sub(x, c, Parent::Loose);
                }
            }
            Expr::Assign(a) => {
                a.left.visit_with(self);
                self.sub(&a.right, Ctx::Value, Parent::Loose);
            }
            Expr::Call(c) => {
                c.callee.visit_with(self);
                for a in &c.args {
                    self.sub(&a.expr, Ctx::Value, Parent::Loose);
                }
            }
            Expr::New(n) => {
                self.sub(&n.callee, Ctx::Value, Parent::Tight);
                for a in n.args.iter().flatten() {
                    self.sub(&a.expr, Ctx::Value, Parent::Loose);
                }
            }
            Expr::Array(a) => {
                for x in a.elems.iter().flatten() {
                    self.sub(&x.expr, Ctx::Value, Parent::Loose);
                }
            }
            _ => e.visit_children_with(self),
        }
    }

    fn visit_expr_stmt(&mut self, s: &ExprStmt) {
        self.sub(&s.expr, Ctx::Test, Parent::Loose);
    }

    fn visit_if_stmt(&mut self, s: &IfStmt) {
        self.sub(&s.test, Ctx::Test, Parent::Loose);
        s.cons.visit_with(self);
        s.alt.visit_with(self);
    }

    fn visit_while_stmt(&mut self, s: &WhileStmt) {
        self.sub(&s.test, Ctx::Test, Parent::Loose);
        s.body.visit_with(self);
    }

    fn visit_do_while_stmt(&mut self, s: &DoWhileStmt) {
        s.body.visit_with(self);
        self.sub(&s.test, Ctx::Test, Parent::Loose);
    }

    fn visit_for_stmt(&mut self, s: &ForStmt) {
        match &s.init {
            Some(VarDeclOrExpr::Expr(e)) => self.sub(e, Ctx::Test, Parent::Loose),
            Some(VarDeclOrExpr::VarDecl(d)) => d.visit_with(self),
            None => {}
        }
        if let Some(t) = &s.test {
            self.sub(t, Ctx::Test, Parent::Loose);
        }
        if let Some(u) = &s.update {
            self.sub(u, Ctx::Test, Parent::Loose);
        }
        s.body.visit_with(self);
    }

    fn visit_return_stmt(&mut self, s: &ReturnStmt) {
        if let Some(a) = &s.arg {
            self.sub(a, Ctx::Value, Parent::Loose);
        }
    }

    fn visit_var_declarator(&mut self, d: &VarDeclarator) {
        d.name.visit_with(self);
        if let Some(init) = &d.init {
            self.sub(init, Ctx::Value, Parent::Loose);
        }
    }

    fn visit_key_value_prop(&mut self, p: &KeyValueProp) {
        p.key.visit_with(self);
        self.sub(&p.value, Ctx::Value, Parent::Loose);
    }
}

/// Byte ranges of `parsed`'s expressions that start at one of `starts` (offsets into its
/// text): `(lo, hi)` pairs.
pub fn expr_spans_at(
    parsed: &Parsed,
    starts: &std::collections::HashSet<usize>,
) -> std::collections::HashSet<(usize, usize)> {
    struct V<'a> {
        start: usize,
        starts: &'a std::collections::HashSet<usize>,
        out: std::collections::HashSet<(usize, usize)>,
    }
    impl Visit for V<'_> {
        fn visit_expr(&mut self, e: &Expr) {
            let s = e.span();
            let lo = (s.lo.0 as usize).saturating_sub(self.start);
            if self.starts.contains(&lo) {
                self.out
                    .insert((lo, (s.hi.0 as usize).saturating_sub(self.start)));
            }
            e.visit_children_with(self);
        }
    }
    let mut v = V {
        start: parsed.fm.start_pos.0 as usize,
        starts,
        out: Default::default(),
    };
    parsed.program.visit_with(&mut v);
    v.out
}
