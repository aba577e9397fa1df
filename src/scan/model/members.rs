//! Assignments and member access: stores and loads of properties, with constant, computed
//! and unknown keys, `f.name`, and the handlers the runtime calls (`x.onmessage = f`).

use super::flow::{Op, Val};
use super::guards;
use super::ids::NodeId;
use super::lower::MemberKey;
use super::scopes::Builder;
use swc_atoms::Atom;
use swc_ecma_ast::*;
use swc_ecma_visit::VisitWith;

impl Builder {
    #[inline(never)]
    pub(super) fn assign(&mut self, a: &AssignExpr) -> Option<NodeId> {
        let compound = a.op != AssignOp::Assign;
        match &a.left {
            AssignTarget::Simple(SimpleAssignTarget::Ident(b)) => {
                if compound {
                    self.read(&b.id, false);
                }
                let v = self.expr(&a.right);
                let target = self.binding_of(&b.id);
                let fallback = super::stmts::is_self_fallback(&a.right, &b.id);
                self.count_def(target, fallback);
                match target {
                    Some(t) => {
                        if let (Some(v), false) = (v, compound) {
                            self.set_flag(t, &a.right);
                            let n = self.var_node(t);
                            self.m.flow.edge(v, n);
                        }
                    }
                    None => {
                        self.m.assigned_globals.insert(b.id.sym.clone());
                        if let Some(v) = v {
                            if b.id.sym.starts_with("on") {
                                self.invoke_all(&[v]);
                            }
                            let k = self.m.flow.key(&b.id.sym);
                            self.m.flow.op(
                                self.global_node,
                                Op::Store {
                                    key: Some(k),
                                    src: v,
                                },
                            );
                        }
                    }
                }
                v
            }
            AssignTarget::Simple(SimpleAssignTarget::Member(m)) => {
                let obj = self.expr(&m.obj);
                let key = self.member_key(&m.prop);
                if compound {
                    // `o.p += x` reads o.p first.
                }
                let v = self.expr(&a.right);
                if let (Some(obj), Some(v)) = (obj, v) {
                    if let MemberKey::Known(k) = key {
                        if self.m.flow.key_name(k).starts_with("on") {
                            self.invoke_all(&[v]);
                        }
                    }
                    self.store(obj, key, v);
                }
                v
            }
            AssignTarget::Simple(other) => {
                other.visit_children_with(self);
                self.expr(&a.right)
            }
            AssignTarget::Pat(p) => {
                let v = self.expr(&a.right);
                let pat = match p {
                    AssignTargetPat::Array(x) => Pat::Array(x.clone()),
                    AssignTargetPat::Object(x) => Pat::Object(x.clone()),
                    AssignTargetPat::Invalid(_) => return v,
                };
                let f = self.cur();
                self.bind_pat(&pat, v, f);
                v
            }
        }
    }

    /// Assigns `v` to an expression used as a pattern target (`for (o.p of xs)`).
    pub(super) fn assign_to_expr(&mut self, target: &Expr, v: NodeId) {
        match guards::unparen(target) {
            Expr::Ident(i) => {
                if let Some(b) = self.binding_of(i) {
                    let n = self.var_node(b);
                    self.m.flow.edge(v, n);
                }
            }
            Expr::Member(m) => {
                if let Some(obj) = self.expr(&m.obj) {
                    let key = self.member_key(&m.prop);
                    self.store(obj, key, v);
                }
            }
            other => {
                self.expr(other);
            }
        }
    }

    pub(super) fn store(&mut self, obj: NodeId, key: MemberKey, v: NodeId) {
        match key {
            MemberKey::Known(k) => self.m.flow.op(
                obj,
                Op::Store {
                    key: Some(k),
                    src: v,
                },
            ),
            MemberKey::Node(kn) => self.m.flow.op(kn, Op::StoreKey { obj, src: v }),
            MemberKey::Unknown => self.m.flow.op(obj, Op::Store { key: None, src: v }),
        }
    }

    pub(super) fn member_key(&mut self, p: &MemberProp) -> MemberKey {
        match p {
            MemberProp::Ident(i) => MemberKey::Known(self.m.flow.key(&i.sym)),
            MemberProp::PrivateName(_) => MemberKey::Unknown,
            MemberProp::Computed(c) => match guards::unparen(&c.expr) {
                e @ (Expr::Lit(Lit::Str(_)) | Expr::Tpl(_))
                    if crate::guard::const_string(e).is_some() =>
                {
                    let name = Atom::from(crate::guard::const_string(e).unwrap_or_default());
                    MemberKey::Known(self.m.flow.key(&name))
                }
                Expr::Lit(Lit::Num(n)) => {
                    MemberKey::Known(self.m.flow.key(&Self::num_key(n.value)))
                }
                other => match self.expr(other) {
                    Some(n) => MemberKey::Node(n),
                    None => MemberKey::Unknown,
                },
            },
        }
    }

    #[inline(never)]
    pub(super) fn member(&mut self, m: &MemberExpr) -> Option<NodeId> {
        let obj = self.expr(&m.obj);
        if let MemberProp::Ident(p) = &m.prop {
            // `document.currentScript`, also through `globalThis.document` / `self.document`.
            let on_document = match guards::unparen(&m.obj) {
                Expr::Ident(o) => o.sym == "document" && self.is_unresolved(o),
                Expr::Member(MemberExpr {
                    prop: MemberProp::Ident(d),
                    ..
                }) => d.sym == "document",
                Expr::OptChain(OptChainExpr { base, .. }) => {
                    matches!(&**base, OptChainBase::Member(MemberExpr { prop: MemberProp::Ident(d), .. }) if d.sym == "document")
                }
                _ => false,
            };
            if on_document && p.sym == "currentScript" {
                self.def_flags.0 = true;
            }
            // `Function.prototype.toString` as a value.
            if p.sym == "toString" {
                if let Expr::Member(MemberExpr {
                    obj,
                    prop: MemberProp::Ident(pp),
                    ..
                }) = guards::unparen(&m.obj)
                {
                    if pp.sym == "prototype"
                        && matches!(guards::unparen(obj), Expr::Ident(f) if f.sym == "Function" && self.is_unresolved(f))
                    {
                        self.expr(&m.obj);
                        return Some(
                            self.const_node(Val::Builtin(super::flow::Builtin::FunctionToString)),
                        );
                    }
                }
            }
            // Built-in functions as values: `var __defProp = Object.defineProperty`.
            if let Expr::Ident(o) = guards::unparen(&m.obj) {
                if self.is_unresolved(o) {
                    if let Some(b) = super::flow::Builtin::named(&o.sym, &p.sym) {
                        self.expr(&m.obj);
                        return Some(self.const_node(Val::Builtin(b)));
                    }
                }
            }
        }
        let key = self.member_key(&m.prop);
        let obj = obj?;
        Some(match key {
            MemberKey::Known(k) if &**self.m.flow.key_name(k) == "name" => {
                let n = self.load(obj, Some(k));
                self.m.flow.op(obj, Op::FnName { dst: n });
                n
            }
            key => self.load_key(obj, key),
        })
    }

    /// `obj[key]`, whatever is known of the key.
    pub(super) fn load_key(&mut self, obj: NodeId, key: MemberKey) -> NodeId {
        match key {
            MemberKey::Known(k) => self.load(obj, Some(k)),
            MemberKey::Unknown => self.load(obj, None),
            MemberKey::Node(kn) => {
                let dst = self.m.flow.node();
                self.m.flow.op(kn, Op::LoadKey { obj, dst });
                dst
            }
        }
    }
}
