//! typeof-undefined guards: recognising them, keeping them through swc_ecma_minifier, and
//! proving on the output that they were kept.
//!
//! swc's `compress_typeof_undefined` rewrites `typeof x == "undefined"` into `void 0 === x`
//! whenever it knows `x` is declared, whatever `typeofs` says. In a function whose source
//! text is later run in a worker, that declaration is gone and the rewrite throws. [`protect`]
//! rewrites every such guard into the exactly equivalent `typeof x > "u"` form (every other
//! `typeof` result sorts below `"u"`; two bytes shorter than swc's output once restored), and,
//! for minify, hides every `typeof` of an enclosing binding behind a marker call
//! ([`crate::minify::protect`]), whatever its position. [`verify`] then checks the optimized
//! AST: any identifier that was a guard's operand and now stands outside a `typeof` is a lost
//! guard, and the file is not written as is.

use std::collections::HashSet;
use swc_common::{BytePos, Spanned};
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitMut, VisitMutWith, VisitWith};

/// A comparison that tests whether an identifier is defined, without ever reading it.
#[derive(Clone, Copy, Debug)]
pub struct GuardTest<'a> {
    pub ident: &'a Ident,
    /// `true`: the comparison is true exactly when `ident` is defined
    /// (`typeof x !== "undefined"`, `typeof x < "u"`, `typeof x == "function"`).
    /// `false`: true exactly when it is undefined (`typeof x === "undefined"`).
    pub defined_when_true: bool,
}

fn unparen(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => unparen(&p.expr),
        e => e,
    }
}

/// `x` when `e` is `typeof x` (parentheses allowed).
pub fn typeof_ident(e: &Expr) -> Option<&Ident> {
    match unparen(e) {
        Expr::Unary(UnaryExpr {
            op: UnaryOp::TypeOf,
            arg,
            ..
        }) => match unparen(arg) {
            Expr::Ident(i) => Some(i),
            _ => None,
        },
        _ => None,
    }
}

/// The value of a string literal or an expression-free template literal.
pub fn const_string(e: &Expr) -> Option<String> {
    match unparen(e) {
        Expr::Lit(Lit::Str(s)) => s.value.as_str().map(str::to_string),
        Expr::Tpl(t) if t.exprs.is_empty() && t.quasis.len() == 1 => t.quasis[0]
            .cooked
            .as_ref()
            .and_then(|c| c.as_str())
            .map(str::to_string),
        _ => None,
    }
}

/// Recognises every form of typeof test on an identifier:
/// `typeof x ==/===/!=/!== "undefined"` (either order, any quotes), the `< "u"` / `> "u"`
/// forms minifiers emit, and `typeof x === "function"` style tests (true only when defined).
pub fn guard_test(bin: &BinExpr) -> Option<GuardTest<'_>> {
    use BinaryOp::*;
    let (ident, lit, reversed) = if let Some(i) = typeof_ident(&bin.left) {
        (i, const_string(&bin.right)?, false)
    } else if let Some(i) = typeof_ident(&bin.right) {
        (i, const_string(&bin.left)?, true)
    } else {
        return None;
    };
    let defined_when_true = match (bin.op, lit.as_str()) {
        (EqEq | EqEqEq, "undefined") => false,
        (NotEq | NotEqEq, "undefined") => true,
        (EqEq | EqEqEq, _) => true,
        (NotEq | NotEqEq, _) => return None,
        // typeof x < "u" (or "u" > typeof x): defined.
        (Lt | LtEq, "u") => !reversed,
        (Gt | GtEq, "u") => reversed,
        _ => return None,
    };
    Some(GuardTest {
        ident,
        defined_when_true,
    })
}

/// The guards of one file, recorded before optimization by their spans (swc keeps spans
/// through compression and mangling).
#[derive(Debug, Default, Clone)]
pub struct Guards {
    /// `span.lo` of every identifier that is a guard's operand.
    pub operands: HashSet<BytePos>,
    /// How many were rewritten into the `"u"` form.
    pub rewritten: usize,
    /// Where expressions nest deeper than [`MAX_EXPR_DEPTH`], if they do.
    pub too_deep: Option<BytePos>,
}

/// Deepest expression nesting guardmin optimizes, binary operators aside (they nest as deep
/// as the stack allows). swc's optimizer slows down quadratically
/// on very deep chains (`a ? b : a ? b : ...`: 4,000 levels take 0.3 s, 100,000 would take
/// minutes); real code stays in the tens.
pub const MAX_EXPR_DEPTH: usize = 10_000;

/// Deepest `if` nesting (through consequents; `else if` chains do not count) guardmin
/// optimizes: swc's compressor grows faster than cubically there (200 levels take 0.5 s,
/// 500 about a minute).
pub const MAX_IF_DEPTH: usize = 128;

impl Guards {
    pub fn len(&self) -> usize {
        self.operands.len()
    }
    pub fn is_empty(&self) -> bool {
        self.operands.is_empty()
    }
}

/// Rewrites every `typeof x ==/!= "undefined"` (identifier operand) into the `"u"` form and
/// records every guard, including those already in that form. With `markers`, also hides
/// every `typeof x` of a declared binding (any position) behind a marker call; see
/// [`crate::minify::protect`].
pub fn protect(
    program: &mut Program,
    markers: Option<&mut crate::minify::protect::Marker>,
) -> Guards {
    let mut v = Protect {
        guards: Guards::default(),
        depth: 0,
        if_depth: 0,
        markers,
    };
    program.visit_mut_with(&mut v);
    v.guards
}

struct Protect<'m> {
    guards: Guards,
    depth: usize,
    if_depth: usize,
    markers: Option<&'m mut crate::minify::protect::Marker>,
}

impl VisitMut for Protect<'_> {
    fn visit_mut_if_stmt(&mut self, s: &mut IfStmt) {
        if self.guards.too_deep.is_some() {
            return;
        }
        s.test.visit_mut_with(self);
        self.if_depth += 1;
        if self.if_depth > MAX_IF_DEPTH {
            self.guards.too_deep = Some(s.span.lo);
        } else {
            s.cons.visit_mut_with(self);
        }
        self.if_depth -= 1;
        if let Some(alt) = &mut s.alt {
            alt.visit_mut_with(self);
        }
    }

    fn visit_mut_function(&mut self, f: &mut Function) {
        if let Some(m) = self.markers.as_deref_mut() {
            m.enter(f.ctxt);
        }
        f.visit_mut_children_with(self);
        if let Some(m) = self.markers.as_deref_mut() {
            m.leave();
        }
    }

    fn visit_mut_arrow_expr(&mut self, a: &mut ArrowExpr) {
        if let Some(m) = self.markers.as_deref_mut() {
            m.enter(a.ctxt);
        }
        a.visit_mut_children_with(self);
        if let Some(m) = self.markers.as_deref_mut() {
            m.leave();
        }
    }

    fn visit_mut_expr(&mut self, e: &mut Expr) {
        if self.guards.too_deep.is_some() {
            return;
        }
        if let Some(m) = self.markers.as_deref_mut() {
            if m.hide(e) {
                return;
            }
        }
        // Arithmetic, comparison and bitwise chains (`a + b + ...`) cost the optimizer little
        // per level (50,000 terms: 0.5 s); only the stack limit (`parse::limits::MAX_DEPTH`)
        // bounds them. `&&`, `||` and `??` chains are conditionals to it (50,000: 4 minutes).
        let counts = usize::from(
            !matches!(e, Expr::Bin(b) if !matches!(b.op, BinaryOp::LogicalAnd | BinaryOp::LogicalOr | BinaryOp::NullishCoalescing)),
        );
        self.depth += counts;
        if self.depth > MAX_EXPR_DEPTH {
            self.guards.too_deep = Some(e.span().lo);
        } else {
            e.visit_mut_children_with(self);
        }
        self.depth -= counts;
    }

    fn visit_mut_bin_expr(&mut self, bin: &mut BinExpr) {
        // The guard first: the operands' typeof may become a marker below.
        self.rewrite_guard(bin);
        bin.visit_mut_children_with(self);
    }
}

impl Protect<'_> {
    fn rewrite_guard(&mut self, bin: &mut BinExpr) {
        let Some(test) = guard_test(bin) else { return };
        if !test.ident.span.lo.is_dummy() {
            self.guards.operands.insert(test.ident.span.lo);
        }
        let (lit_side_left, is_undefined_literal) =
            match (const_string(&bin.left), const_string(&bin.right)) {
                (Some(l), _) => (true, l == "undefined"),
                (_, Some(r)) => (false, r == "undefined"),
                _ => return,
            };
        if !is_undefined_literal {
            return;
        }
        // typeof x == "undefined" -> typeof x > "u"; != -> <. Reversed operands flip.
        let defined = test.defined_when_true;
        bin.op = match (defined, lit_side_left) {
            (false, false) => BinaryOp::Gt,
            (true, false) => BinaryOp::Lt,
            (false, true) => BinaryOp::Lt,
            (true, true) => BinaryOp::Gt,
        };
        let side = if lit_side_left {
            &mut bin.left
        } else {
            &mut bin.right
        };
        let span = side.span();
        **side = Expr::Lit(Lit::Str(Str {
            span,
            value: "u".into(),
            raw: None,
        }));
        self.guards.rewritten += 1;
    }
}

/// A guard whose operand survives in the output but no longer under `typeof`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LostGuard {
    /// `span.lo` of the identifier in the input.
    pub operand: BytePos,
    /// The identifier's name in the optimized AST (may be mangled).
    pub name: String,
}

/// Checks an optimized program against the guards recorded before optimization.
pub fn verify(program: &Program, guards: &Guards) -> Vec<LostGuard> {
    if guards.is_empty() {
        return Vec::new();
    }
    let mut v = Verify {
        guards,
        lost: Vec::new(),
    };
    program.visit_with(&mut v);
    v.lost.sort_by_key(|l| l.operand);
    v.lost.dedup();
    v.lost
}

struct Verify<'a> {
    guards: &'a Guards,
    lost: Vec<LostGuard>,
}

impl Visit for Verify<'_> {
    fn visit_expr(&mut self, e: &Expr) {
        match e {
            // The operand of a typeof stays safe whatever surrounds it.
            Expr::Unary(UnaryExpr {
                op: UnaryOp::TypeOf,
                arg,
                ..
            }) if matches!(unparen(arg), Expr::Ident(_)) => {}
            Expr::Ident(i) if self.guards.operands.contains(&i.span.lo) => {
                self.lost.push(LostGuard {
                    operand: i.span.lo,
                    name: i.sym.to_string(),
                });
            }
            _ => e.visit_children_with(self),
        }
    }
}
