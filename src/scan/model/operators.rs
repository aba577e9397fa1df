//! Binary and logical operators: concatenation carries text, `&&`/`||`/`??` chains carry
//! guard facts to their later operands, comparisons with `void 0` are recorded.

use super::flow::Op;
use super::guards;
use super::ids::NodeId;
use super::scopes::Builder;
use swc_ecma_ast::*;

impl Builder {
    #[inline(never)]
    pub(super) fn bin(&mut self, b: &BinExpr) -> Option<NodeId> {
        match b.op {
            BinaryOp::LogicalAnd | BinaryOp::LogicalOr | BinaryOp::NullishCoalescing => {
                Some(self.logical_chain(b))
            }
            BinaryOp::Add => {
                // `a + b + c ...` nests as deep as it is long: walk its left spine in a loop.
                let mut operands = vec![&*b.right];
                let mut left = &*b.left;
                while let Expr::Bin(inner) = left {
                    if inner.op != BinaryOp::Add {
                        break;
                    }
                    operands.push(&inner.right);
                    left = &inner.left;
                }
                operands.push(left);
                let out = self.m.flow.node();
                for e in operands.into_iter().rev() {
                    if let Some(n) = self.expr(e) {
                        self.m.flow.op(
                            n,
                            Op::ToText {
                                dst: out,
                                explicit: false,
                            },
                        );
                    }
                }
                Some(out)
            }
            op => {
                let before = self.m.reads.len();
                self.expr(&b.left);
                let mid = self.m.reads.len();
                self.expr(&b.right);
                if matches!(
                    op,
                    BinaryOp::EqEq | BinaryOp::EqEqEq | BinaryOp::NotEq | BinaryOp::NotEqEq
                ) && self.in_optional_chain_test == 0
                {
                    self.void_compare(b, before, mid);
                }
                None
            }
        }
    }

    /// `a && b && c`, `a || b || c`, `a ?? b`: each operand runs where the ones before it
    /// gave way (truthy for `&&`, falsy for `||`), in a loop over the left spine.
    pub(super) fn logical_chain(&mut self, b: &BinExpr) -> NodeId {
        let op = b.op;
        let mut operands = vec![&*b.right];
        let mut left = &*b.left;
        while let Expr::Bin(inner) = left {
            if inner.op != op {
                break;
            }
            operands.push(&inner.right);
            left = &inner.left;
        }
        operands.push(left);
        operands.reverse();
        let saved = self.proof;
        let foreign_before = self.foreign_len();
        let out = self.m.flow.node();
        let last = operands.len() - 1;
        for (i, e) in operands.into_iter().enumerate() {
            if let Some(n) = self.expr(e) {
                self.m.flow.edge(n, out);
            }
            if i == last {
                break;
            }
            let facts = self.facts_of(e);
            let (facts, truthy) = match op {
                BinaryOp::LogicalAnd => (facts.when_true, true),
                BinaryOp::LogicalOr => (facts.when_false, false),
                _ => (Vec::new(), false),
            };
            self.enter_branch(e, &facts, truthy);
        }
        self.proof = saved;
        self.truncate_foreign(foreign_before);
        out
    }

    /// `X == null`, `void 0 === X`, `X !== undefined`: with `X` an unresolved name, recorded
    /// for `undeclared-void-compare`; with a binding, the read is marked as a guard's shape.
    pub(super) fn void_compare(&mut self, b: &BinExpr, before: usize, mid: usize) {
        let is_void = |e: &Expr, s: &Self| match guards::unparen(e) {
            Expr::Unary(u) => u.op == UnaryOp::Void,
            Expr::Lit(Lit::Null(_)) => true,
            Expr::Ident(i) => i.sym == "undefined" && s.is_unresolved(i),
            _ => false,
        };
        let (side, range) = if is_void(&b.right, self) {
            (&b.left, before..mid)
        } else if is_void(&b.left, self) {
            (&b.right, mid..self.m.reads.len())
        } else {
            return;
        };
        if let Expr::Ident(i) = guards::unparen(side) {
            if i.sym == "undefined" {
                return;
            }
            if let Some(ri) = range.into_iter().find(|&r| self.m.reads[r].span == i.span) {
                if self.is_unresolved(i) {
                    self.m.void_compares.push(ri);
                } else {
                    // The shape a minifier gives a `typeof` guard it rewrote.
                    self.m.reads[ri].guard_shape = true;
                }
            }
        }
    }
}
