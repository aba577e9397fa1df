//! Protection by construction: before optimizing, every `typeof X` whose `X` resolves to a
//! binding declared outside the function the `typeof` sits in (the bindings a function's
//! text can lose when it runs elsewhere) becomes a call `MARKER(X, N)` of a global `MARKER`
//! the input never mentions; after optimizing and mangling, each call is turned back into
//! `typeof X`. A `typeof` of the function's own binding, or at the top level, is left to swc:
//! wherever the text that holds it runs, the binding is declared, so swc's rewrites
//! (`void 0 === x`, a known type folded) are exact there.
//!
//! Why this holds, from swc_ecma_minifier 64's source:
//! - every rewrite that loses a typeof guard needs a `typeof` node to match:
//!   `compress_typeof_undefined` (`compress/optimize/bools.rs`, `typeof x == "undefined"` to
//!   `void 0 === x` for a declared `x`), `compress_typeofs` (`compress/optimize/ops.rs`, the
//!   typeof of a binding whose value it knows), the `switch` to `if` rewrites
//!   (`compress/pure/switches.rs`) that end in the former; a call of an unresolved global is
//!   none of them, and no pass evaluates an unknown global's call;
//! - a call reads its argument, so the usage analyzer counts the reference, the mangler
//!   renames the argument with its binding, and nothing is dropped that the typeof needed;
//! - `MARKER` is listed in `pure_funcs` (`metadata/mod.rs` marks such calls pure), so an
//!   unused result is dropped like an unused `typeof` would be, and the call does not stop
//!   code motion around it the way an unknown call would.
//!
//! What swc may still do is change the argument. Where it merged an assignment or a
//! sequence into it (`sequences`, `collapse_vars`: `X = v; typeof X` becomes `MARKER(X = v)`),
//! the restore writes `(X = v, typeof X)`, the same thing. Where it replaced `X` by a value it
//! knows (`reduce_vars`, `inline`), [`restore`] reports the loss and the file is optimized
//! again with those passes off.

use std::collections::HashSet;
use swc_atoms::Atom;
use swc_common::{Mark, Span, Spanned, SyntaxContext, DUMMY_SP};
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitMut, VisitMutWith, VisitWith};

/// The marker of one file: its callee name and every `typeof` it hid.
pub struct Marker {
    pub callee: Atom,
    unresolved: SyntaxContext,
    /// The span of each hidden `typeof X` (the call keeps it) and `X`, by marker number.
    pub sites: Vec<(Span, Atom)>,
    /// The scope mark of each function (or arrow) around the node being visited.
    fns: Vec<Mark>,
}

/// A name no identifier of `text` contains: `__gm_t`, `__gm_t1`, ...
pub fn callee_name(text: &str) -> Atom {
    let mut n = 0usize;
    loop {
        let name = if n == 0 {
            "__gm_t".to_string()
        } else {
            format!("__gm_t{n}")
        };
        if !text.contains(&name) {
            return name.into();
        }
        n += 1;
    }
}

fn unparen_mut(e: &mut Expr) -> &mut Expr {
    match e {
        Expr::Paren(p) => unparen_mut(&mut p.expr),
        e => e,
    }
}

impl Marker {
    pub fn new(text: &str, unresolved_mark: Mark) -> Self {
        Marker {
            callee: callee_name(text),
            unresolved: SyntaxContext::empty().apply_mark(unresolved_mark),
            sites: Vec::new(),
            fns: Vec::new(),
        }
    }

    /// Entering a function or arrow whose scope the resolver marked with `ctxt`.
    pub fn enter(&mut self, ctxt: SyntaxContext) {
        self.fns.push(ctxt.outer());
    }

    pub fn leave(&mut self) {
        self.fns.pop();
    }

    /// The callee as swc's `pure_funcs` lists it.
    pub fn callee_expr(&self) -> Box<Expr> {
        Box::new(Expr::Ident(Ident::new(
            self.callee.clone(),
            DUMMY_SP,
            self.unresolved,
        )))
    }

    /// Replaces `e` by a marker call when it is `typeof X` of a declared binding.
    pub fn hide(&mut self, e: &mut Expr) -> bool {
        let Expr::Unary(UnaryExpr {
            op: UnaryOp::TypeOf,
            arg,
            span,
        }) = e
        else {
            return false;
        };
        let Expr::Ident(id) = unparen_mut(arg) else {
            return false;
        };
        if id.ctxt == self.unresolved || id.ctxt == SyntaxContext::empty() {
            return false;
        }
        // A binding of the innermost function itself (its parameters, its own `var`s and
        // blocks) is declared wherever that function's text runs: swc's rewrites are exact
        // there. Only a binding of an enclosing scope can be missing.
        match self.fns.last() {
            Some(&f) if !id.ctxt.outer().is_descendant_of(f) => {}
            _ => return false,
        }
        let n = self.sites.len();
        self.sites.push((*span, id.sym.clone()));
        let id = id.take_ident();
        *e = Expr::Call(CallExpr {
            span: *span,
            ctxt: SyntaxContext::empty(),
            callee: Callee::Expr(self.callee_expr()),
            args: vec![
                ExprOrSpread {
                    spread: None,
                    expr: Box::new(Expr::Ident(id)),
                },
                ExprOrSpread {
                    spread: None,
                    expr: Box::new(Expr::Lit(Lit::Num(Number {
                        span: DUMMY_SP,
                        value: n as f64,
                        raw: None,
                    }))),
                },
            ],
            type_args: None,
        });
        true
    }
}

trait TakeIdent {
    fn take_ident(&mut self) -> Ident;
}

impl TakeIdent for Ident {
    fn take_ident(&mut self) -> Ident {
        std::mem::replace(
            self,
            Ident::new("".into(), DUMMY_SP, SyntaxContext::empty()),
        )
    }
}

/// A marker whose argument swc replaced: the typeof of its binding would be gone.
pub struct Lost {
    /// The `typeof` in the input.
    pub span: Span,
    /// Its operand as written in the input.
    pub name: Atom,
}

/// Turns every marker call back into `typeof X`; `Err` with the first marker whose argument
/// is no longer an identifier (or that swc took apart). Markers swc dropped with their code
/// are simply gone. Also loosens `typeof X === "s"` into `==` (a typeof is always a string),
/// as swc does for the typeof it can see.
pub fn restore(program: &mut Program, marker: &Marker) -> Result<usize, Lost> {
    let mut r = Restore {
        marker,
        restored: HashSet::new(),
        lost: None,
    };
    program.visit_mut_with(&mut r);
    if let Some(n) = r.lost {
        let (span, name) = marker
            .sites
            .get(n)
            .cloned()
            .unwrap_or((DUMMY_SP, Atom::default()));
        return Err(Lost { span, name });
    }
    // A callee that survived anywhere else (moved out of its call) is a loss too.
    let mut left = Left {
        callee: &marker.callee,
        found: None,
    };
    program.visit_with(&mut left);
    if let Some(span) = left.found {
        return Err(Lost {
            span,
            name: marker.callee.clone(),
        });
    }
    Ok(r.restored.len())
}

struct Restore<'a> {
    marker: &'a Marker,
    restored: HashSet<usize>,
    lost: Option<usize>,
}

fn typeof_of(id: Ident, span: Span) -> Expr {
    Expr::Unary(UnaryExpr {
        span,
        op: UnaryOp::TypeOf,
        arg: Box::new(Expr::Ident(id)),
    })
}

/// `typeof` of a marker's argument, when it still names the binding: `X` itself, or what
/// `sequences` / `collapse_vars` merge into it and leave `X` holding the value: `X = v`,
/// `X += v` (then `(X = v, typeof X)`), `(a, b, X)` (then `(a, b, typeof X)`).
fn restored(arg: Expr, span: Span) -> Result<Expr, Expr> {
    match arg {
        Expr::Ident(id) => Ok(typeof_of(id, span)),
        Expr::Paren(p) => restored(*p.expr, span),
        Expr::Assign(a) => match &a.left {
            AssignTarget::Simple(SimpleAssignTarget::Ident(b)) => {
                let id = b.id.clone();
                Ok(Expr::Paren(ParenExpr {
                    span,
                    expr: Box::new(Expr::Seq(SeqExpr {
                        span,
                        exprs: vec![Box::new(Expr::Assign(a)), Box::new(typeof_of(id, span))],
                    })),
                }))
            }
            _ => Err(Expr::Assign(a)),
        },
        Expr::Seq(mut seq) => match seq.exprs.pop().map(|last| restored(*last, span)) {
            Some(Ok(last)) => {
                seq.exprs.push(Box::new(last));
                Ok(Expr::Paren(ParenExpr {
                    span,
                    expr: Box::new(Expr::Seq(seq)),
                }))
            }
            Some(Err(last)) => {
                seq.exprs.push(Box::new(last));
                Err(Expr::Seq(seq))
            }
            None => Err(Expr::Seq(seq)),
        },
        other => Err(other),
    }
}

impl Restore<'_> {
    /// `Some(Ok((n, typeof)))` for a marker call whose argument still names its binding,
    /// `Some(Err(n))` for a damaged one (left in place).
    fn take(&self, e: &mut Expr) -> Option<Result<(usize, Expr), usize>> {
        let Expr::Call(call) = e else { return None };
        let Callee::Expr(callee) = &call.callee else {
            return None;
        };
        let Expr::Ident(c) = &**callee else {
            return None;
        };
        if c.sym != self.marker.callee {
            return None;
        }
        let n = match call.args.get(1).map(|a| &*a.expr) {
            Some(Expr::Lit(Lit::Num(n))) if n.value >= 0.0 => n.value as usize,
            _ => return Some(Err(0)),
        };
        if call.args.len() != 2 || call.args.iter().any(|a| a.spread.is_some()) {
            return Some(Err(n));
        }
        let arg = std::mem::replace(
            &mut *call.args[0].expr,
            Expr::Invalid(Invalid { span: DUMMY_SP }),
        );
        match restored(arg, call.span) {
            Ok(t) => Some(Ok((n, t))),
            Err(arg) => {
                *call.args[0].expr = arg;
                Some(Err(n))
            }
        }
    }
}

impl VisitMut for Restore<'_> {
    fn visit_mut_expr(&mut self, e: &mut Expr) {
        match self.take(e) {
            Some(Ok((n, t))) => {
                self.restored.insert(n);
                *e = t;
                // An assignment or sequence merged into the marker may hold other markers.
                e.visit_mut_children_with(self);
            }
            Some(Err(n)) => {
                self.lost.get_or_insert(n);
                e.visit_mut_children_with(self);
            }
            None => e.visit_mut_children_with(self),
        }
    }

    fn visit_mut_bin_expr(&mut self, b: &mut BinExpr) {
        b.visit_mut_children_with(self);
        let is_typeof = |e: &Expr| {
            matches!(
                e,
                Expr::Unary(UnaryExpr {
                    op: UnaryOp::TypeOf,
                    ..
                })
            )
        };
        let is_str = |e: &Expr| matches!(e, Expr::Lit(Lit::Str(_)));
        let both_strings = (is_typeof(&b.left) && (is_str(&b.right) || is_typeof(&b.right)))
            || (is_typeof(&b.right) && is_str(&b.left));
        if both_strings {
            b.op = match b.op {
                BinaryOp::EqEqEq => BinaryOp::EqEq,
                BinaryOp::NotEqEq => BinaryOp::NotEq,
                op => op,
            };
        }
    }
}

struct Left<'a> {
    callee: &'a Atom,
    found: Option<Span>,
}

impl Visit for Left<'_> {
    fn visit_ident(&mut self, i: &Ident) {
        if &i.sym == self.callee && self.found.is_none() {
            self.found = Some(i.span());
        }
    }
}
