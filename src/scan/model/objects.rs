//! Object and array literals, property keys, methods and classes.

use super::flow::{Op, Val};
use super::ids::NodeId;
use super::lower::MemberKey;
use super::scopes::{Builder, FnBody};
use swc_atoms::Atom;
use swc_ecma_ast::*;
use swc_ecma_visit::VisitWith;

impl Builder {
    pub(super) fn load_prop_name(&mut self, obj: NodeId, key: &PropName) -> Option<NodeId> {
        let key = self.prop_key(key);
        Some(self.load_key(obj, key))
    }

    pub(super) fn prop_key(&mut self, key: &PropName) -> MemberKey {
        match key {
            PropName::Ident(i) => MemberKey::Known(self.m.flow.key(&i.sym)),
            PropName::Str(s) => {
                let name = Atom::from(s.value.as_str().unwrap_or_default());
                MemberKey::Known(self.m.flow.key(&name))
            }
            PropName::Num(n) => MemberKey::Known(self.m.flow.key(&Self::num_key(n.value))),
            PropName::Computed(c) => match self.expr(&c.expr) {
                Some(n) => MemberKey::Node(n),
                None => MemberKey::Unknown,
            },
            PropName::BigInt(_) => MemberKey::Unknown,
        }
    }

    #[inline(never)]
    pub(super) fn object(&mut self, o: &ObjectLit) -> NodeId {
        let obj = self.new_obj();
        let node = self.const_node(Val::Obj(obj));
        for p in &o.props {
            match p {
                PropOrSpread::Spread(s) => {
                    if let Some(src) = self.expr(&s.expr) {
                        self.m.flow.op(src, Op::CopyFields { target: node });
                    }
                }
                PropOrSpread::Prop(p) => match &**p {
                    Prop::Shorthand(i) => {
                        if let Some(v) = self.ident(i) {
                            let k = self.m.flow.key(&i.sym);
                            self.m.flow.op(
                                node,
                                Op::Store {
                                    key: Some(k),
                                    src: v,
                                },
                            );
                        }
                    }
                    Prop::KeyValue(kv) => {
                        let key = self.prop_key(&kv.key);
                        if let Some(v) = self.expr(&kv.value) {
                            self.store(node, key, v);
                        }
                    }
                    Prop::Assign(a) => {
                        self.expr(&a.value);
                    }
                    Prop::Method(m) => {
                        let key = self.prop_key(&m.key);
                        let v = self.method(&m.function);
                        self.store(node, key, v);
                    }
                    Prop::Getter(g) => {
                        let key = self.prop_key(&g.key);
                        let get = self.method(&g.function);
                        let desc = self.new_obj();
                        let dn = self.const_node(Val::Obj(desc));
                        let gk = self.m.flow.key(&Atom::from("get"));
                        self.m.flow.op(
                            dn,
                            Op::Store {
                                key: Some(gk),
                                src: get,
                            },
                        );
                        let kn = match key {
                            MemberKey::Known(k) => self.const_node(Val::Key(k)),
                            MemberKey::Node(n) => n,
                            MemberKey::Unknown => self.const_node(Val::AnyKey),
                        };
                        self.m.flow.op(node, Op::DefineProp { key: kn, desc: dn });
                    }
                    Prop::Setter(s) => {
                        self.prop_key(&s.key);
                        self.method(&s.function);
                    }
                },
            }
        }
        node
    }

    pub(super) fn method(&mut self, f: &Function) -> NodeId {
        let params: Vec<&Pat> = f.params.iter().map(|p| &p.pat).collect();
        let id = self.function(f.span, false, None, &params, FnBody::Block(f.body.as_ref()));
        self.const_node(Val::Fn(id))
    }

    /// A class: its constructor is the class's function; methods are fields of it (static
    /// ones exactly; instance ones on the class's prototype object).
    #[inline(never)]
    pub(super) fn class(&mut self, c: &Class, name: Option<&Ident>) -> Option<NodeId> {
        if let Some(s) = &c.super_class {
            self.expr(s);
        }
        let ctor = c.body.iter().find_map(|m| match m {
            ClassMember::Constructor(k) => Some(k),
            _ => None,
        });
        let params: Vec<&Pat> = ctor
            .map(|k| {
                k.params
                    .iter()
                    .filter_map(|p| match p {
                        ParamOrTsParamProp::Param(p) => Some(&p.pat),
                        ParamOrTsParamProp::TsParamProp(_) => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let f = self.function(
            c.span,
            false,
            name,
            &params,
            FnBody::Block(ctor.and_then(|k| k.body.as_ref())),
        );
        let node = self.const_node(Val::Fn(f));
        let proto = self.new_obj();
        let pk = self.m.flow.key(&Atom::from("prototype"));
        let pf = self.m.flow.field(Val::Fn(f), pk);
        self.m.flow.add(pf, Val::Obj(proto));
        let proto_node = self.const_node(Val::Obj(proto));
        for m in &c.body {
            match m {
                ClassMember::Method(cm) => {
                    let key = self.prop_key(&cm.key);
                    let v = self.method(&cm.function);
                    let holder = if cm.is_static { node } else { proto_node };
                    self.store(holder, key, v);
                }
                ClassMember::PrivateMethod(pm) => {
                    self.method(&pm.function);
                }
                ClassMember::ClassProp(p) => {
                    let key = self.prop_key(&p.key);
                    if let Some(v) = p.value.as_deref().and_then(|v| self.expr(v)) {
                        self.store(if p.is_static { node } else { proto_node }, key, v);
                    }
                }
                ClassMember::Constructor(_) => {}
                other => other.visit_children_with(self),
            }
        }
        Some(node)
    }
}
