//! Patterns and the small flow helpers they use: destructuring binds each name to what the
//! value gives it (fields, elements, defaults).

use super::flow::Op;
use super::ids::{FnId, NodeId};
use super::scopes::Builder;
use swc_ecma_ast::*;

impl Builder {
    /// Binds the names of a pattern, each to what the value node gives it.
    #[inline(never)]
    pub(super) fn bind_pat(&mut self, p: &Pat, value: Option<NodeId>, in_fn: FnId) {
        match p {
            Pat::Ident(b) => {
                if let (Some(n), Some(v)) = (self.declare(&b.id, in_fn), value) {
                    self.m.flow.edge(v, n);
                }
            }
            Pat::Assign(a) => {
                let dflt = self.conditional(|b| b.expr(&a.right));
                let joined = self.join(value, dflt);
                self.bind_pat(&a.left, joined, in_fn);
            }
            Pat::Array(a) => {
                let elems = value.map(|v| self.elems_of(v));
                for e in a.elems.iter().flatten() {
                    let inner = match e {
                        Pat::Rest(r) => {
                            self.bind_pat(&r.arg, value, in_fn);
                            continue;
                        }
                        e => e,
                    };
                    self.bind_pat(inner, elems, in_fn);
                }
            }
            Pat::Object(o) => {
                for prop in &o.props {
                    match prop {
                        ObjectPatProp::KeyValue(kv) => {
                            let loaded = value.map(|v| self.load_prop_name(v, &kv.key));
                            self.bind_pat(&kv.value, loaded.flatten(), in_fn);
                        }
                        ObjectPatProp::Assign(a) => {
                            let key = self.m.flow.key(&a.key.sym);
                            let loaded = value.map(|v| self.load(v, Some(key)));
                            let dflt = a.value.as_deref().and_then(|d| self.expr(d));
                            let joined = self.join(loaded, dflt);
                            if let (Some(n), Some(v)) = (self.declare(&a.key.id, in_fn), joined) {
                                self.m.flow.edge(v, n);
                            }
                        }
                        ObjectPatProp::Rest(r) => self.bind_pat(&r.arg, value, in_fn),
                    }
                }
            }
            Pat::Rest(r) => self.bind_pat(&r.arg, value, in_fn),
            Pat::Expr(e) => {
                // Assignment targets in `for (a.b of ...)` and destructuring assignments.
                if let Some(v) = value {
                    self.assign_to_expr(e, v);
                }
            }
            Pat::Invalid(_) => {}
        }
    }

    pub(super) fn join(&mut self, a: Option<NodeId>, b: Option<NodeId>) -> Option<NodeId> {
        match (a, b) {
            (Some(a), Some(b)) => {
                let n = self.m.flow.node();
                self.m.flow.edge(a, n);
                self.m.flow.edge(b, n);
                Some(n)
            }
            (a, b) => a.or(b),
        }
    }

    /// The elements of the objects (not functions) `v` holds: what a built-in array method
    /// sees when the receiver is an array.
    pub(super) fn array_elems_of(&mut self, v: NodeId) -> NodeId {
        let n = self.m.flow.node();
        self.m.flow.op(v, Op::ObjElems { dst: n });
        n
    }

    pub(super) fn elems_of(&mut self, v: NodeId) -> NodeId {
        let n = self.m.flow.node();
        self.m.flow.op(v, Op::Elems { dst: n });
        n
    }

    pub(super) fn load(&mut self, obj: NodeId, key: Option<u32>) -> NodeId {
        let n = self.m.flow.node();
        self.m.flow.op(obj, Op::Load { key, dst: n });
        n
    }
}
