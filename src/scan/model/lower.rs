//! Expressions: each one is lowered to the node that holds its values, recording reads,
//! guard facts, sinks and the value-flow constraints of calls, loads and stores.

use super::flow::{Call, Op, Val, ANY_FIELD};
use super::guards;
use super::ids::{FnId, NodeId};
use super::scopes::{Builder, FnBody};
use super::Sink;
use swc_atoms::Atom;
use swc_common::Span;
use swc_ecma_ast::*;
use swc_ecma_visit::VisitWith;

/// Array methods that call their callback with the elements.
pub(super) const ITERATORS: &[&str] = &[
    "forEach",
    "map",
    "filter",
    "some",
    "every",
    "find",
    "findIndex",
    "findLast",
    "findLastIndex",
    "flatMap",
    "sort",
    "reduce",
    "reduceRight",
];
/// Array methods whose result holds the receiver's elements.
pub(super) const ELEMENT_COPIES: &[&str] = &[
    "filter",
    "sort",
    "slice",
    "reverse",
    "concat",
    "flat",
    "toSorted",
    "toReversed",
];
/// Promise methods that call their callback later.
pub(super) const PROMISE_CALLBACKS: &[&str] = &["then", "catch", "finally"];
/// The field that holds a promise's value.
pub(super) const PROMISE_VALUE: &str = "%value";

impl Builder {
    pub(super) fn const_node(&mut self, v: Val) -> NodeId {
        let n = self.m.flow.node();
        self.m.flow.add(n, v);
        n
    }

    pub(super) fn text_of(&mut self, n: NodeId) -> NodeId {
        let t = self.m.flow.node();
        self.m.flow.op(
            n,
            Op::ToText {
                dst: t,
                explicit: true,
            },
        );
        t
    }

    /// A sink: `stringifies` when it turns functions into their text (`new Blob([f])`,
    /// `Function(f)`); others take only text (`eval(f)` returns `f`, `setTimeout(f)` calls it).
    pub(super) fn add_sink(
        &mut self,
        span: Span,
        kind: &'static str,
        parts: &[NodeId],
        stringifies: bool,
    ) {
        let s = self.m.flow.node();
        self.m.flow.share(s);
        for &p in parts {
            let op = if stringifies {
                Op::ToText {
                    dst: s,
                    explicit: false,
                }
            } else {
                Op::TextOnly { dst: s }
            };
            self.m.flow.op(p, op);
        }
        // A timer runs a string as code but calls a function: where the argument may be a
        // function, it is taken as a callback.
        let callable = kind.starts_with("`setTimeout`") || kind.starts_with("`setInterval`");
        // What the timer's argument may be, from every template copy too.
        let probe = match (callable, parts.first()) {
            (true, Some(&p)) => {
                let probe = self.m.flow.node();
                self.m.flow.share(probe);
                self.m.flow.edge(p, probe);
                Some(probe)
            }
            _ => None,
        };
        self.m.sinks.push(Sink {
            span,
            kind,
            node: s,
            stringifies,
            callable_arg: probe,
        });
    }

    pub(super) fn new_array(&mut self, elems: &[NodeId]) -> NodeId {
        let o = self.new_obj();
        let any = self.m.flow.field(Val::Obj(o), ANY_FIELD);
        for &e in elems {
            self.m.flow.edge(e, any);
        }
        self.const_node(Val::Obj(o))
    }

    pub(super) fn key_val(&mut self, name: &Atom) -> Val {
        Val::Key(self.m.flow.key(name))
    }

    pub(super) fn num_key(n: f64) -> Atom {
        if n.fract() == 0.0 && n.abs() < 1e15 {
            Atom::from(format!("{}", n as i64))
        } else {
            Atom::from(format!("{n}"))
        }
    }

    /// The lowered expression's node, or `None` when it holds no value the flow tracks.
    #[inline(never)]
    pub(super) fn expr(&mut self, e: &Expr) -> Option<NodeId> {
        match e {
            Expr::Ident(i) => self.ident(i),
            Expr::This(_) => {
                let f = self.this_fn();
                Some(self.m.flow.this_of(f))
            }
            Expr::Lit(Lit::Str(s)) => {
                let text = s.value.as_str().unwrap_or_default().to_string();
                let k = self.key_val(&Atom::from(text.as_str()));
                let n = self.const_node(k);
                if let Some(d) = self.decl_val(&text) {
                    self.m.flow.add(n, d);
                }
                Some(n)
            }
            Expr::Lit(Lit::Num(n)) => {
                let k = self.key_val(&Self::num_key(n.value));
                Some(self.const_node(k))
            }
            Expr::Lit(_) => None,
            Expr::Tpl(t) => {
                let n = self.tpl(t);
                // A template without expressions is a constant string (a key, too).
                if let Some(text) = crate::guard::const_string(e) {
                    let k = self.key_val(&Atom::from(text.as_str()));
                    self.m.flow.add(n, k);
                }
                Some(n)
            }
            Expr::Paren(p) => self.expr(&p.expr),
            Expr::Seq(s) => {
                let mut last = None;
                for x in &s.exprs {
                    last = self.expr(x);
                }
                last
            }
            Expr::Array(a) => {
                let mut elems = Vec::new();
                let mut spreads = Vec::new();
                for el in a.elems.iter().flatten() {
                    if let Some(n) = self.expr(&el.expr) {
                        if el.spread.is_some() {
                            spreads.push(n);
                        } else {
                            elems.push(n);
                        }
                    }
                }
                for s in spreads {
                    let inner = self.elems_of(s);
                    elems.push(inner);
                }
                Some(self.new_array(&elems))
            }
            Expr::Object(o) => Some(self.object(o)),
            Expr::Fn(f) => {
                let params: Vec<&Pat> = f.function.params.iter().map(|p| &p.pat).collect();
                let id = self.function(
                    f.function.span,
                    false,
                    f.ident.as_ref(),
                    &params,
                    FnBody::Block(f.function.body.as_ref()),
                );
                Some(self.const_node(Val::Fn(id)))
            }
            Expr::Arrow(a) => {
                let params: Vec<&Pat> = a.params.iter().collect();
                let body = match &*a.body {
                    ArrowFunctionBody::FunctionBody(b) => FnBody::Block(Some(b)),
                    ArrowFunctionBody::Expr(e) => FnBody::Expr(e),
                };
                let id = self.function(a.span, true, None, &params, body);
                Some(self.const_node(Val::Fn(id)))
            }
            Expr::Class(c) => self.class(&c.class, c.ident.as_ref()),
            Expr::Unary(u) => {
                if u.op == UnaryOp::TypeOf {
                    if let Expr::Ident(i) = guards::unparen(&u.arg) {
                        self.read(i, true);
                        return None;
                    }
                }
                self.expr(&u.arg);
                None
            }
            Expr::Update(u) => {
                self.expr(&u.arg);
                None
            }
            Expr::Bin(b) => self.bin(b),
            Expr::Assign(a) => self.assign(a),
            Expr::Member(m) => self.member(m),
            Expr::SuperProp(s) => {
                if let SuperProp::Computed(c) = &s.prop {
                    self.expr(&c.expr);
                }
                None
            }
            Expr::Cond(c) => {
                let lowered = guards::is_optional_chain_lowering(c);
                self.in_optional_chain_test += u32::from(lowered);
                self.expr(&c.test);
                self.in_optional_chain_test -= u32::from(lowered);
                let facts = self.facts_of(&c.test);
                let a = self.branch(&c.test, &facts.when_true, true, |b| b.expr(&c.cons));
                let b = self.branch(&c.test, &facts.when_false, false, |b| b.expr(&c.alt));
                self.join(a, b)
            }
            Expr::Call(c) => self.call(c),
            Expr::New(n) => self.new_expr(n),
            Expr::Await(a) => {
                let v = self.expr(&a.arg)?;
                let k = self.m.flow.key(&Atom::from(PROMISE_VALUE));
                let resolved = self.load(v, Some(k));
                self.join(Some(v), Some(resolved))
            }
            Expr::Yield(y) => {
                if let Some(arg) = &y.arg {
                    self.expr(arg);
                }
                None
            }
            Expr::MetaProp(m) => {
                if m.kind == MetaPropKind::ImportMeta {
                    self.def_flags.0 = true;
                }
                None
            }
            Expr::OptChain(o) => match &*o.base {
                OptChainBase::Member(m) => self.member(m),
                OptChainBase::Call(c) => {
                    let call = CallExpr {
                        span: c.span,
                        ctxt: c.ctxt,
                        callee: Callee::Expr(c.callee.clone()),
                        args: c.args.clone(),
                        type_args: None,
                    };
                    self.call(&call)
                }
            },
            Expr::TaggedTpl(t) => {
                self.expr(&t.tag);
                for x in &t.tpl.exprs {
                    self.expr(x);
                }
                None
            }
            other => {
                other.visit_children_with(self);
                None
            }
        }
    }

    #[inline(never)]
    pub(super) fn ident(&mut self, i: &Ident) -> Option<NodeId> {
        let idx = self.read(i, false);
        if !self.is_unresolved(i) {
            let b = self.m.reads[idx].binding?;
            return Some(self.var_node(b));
        }
        match &*i.sym {
            "undefined" => None,
            "self" | "window" | "globalThis" => Some(self.global_node),
            "arguments" => {
                let f = self.this_fn();
                Some(self.arguments_of(f))
            }
            name => {
                match name {
                    "SharedArrayBuffer" | "Atomics" => {
                        self.m.shared_memory_at.get_or_insert(i.span);
                        let f = self.cur();
                        self.m.fns[f.index()].thread_marker = true;
                    }
                    "WebAssembly" => self.m.uses_wasm = true,
                    "__filename" => self.def_flags.1 = true,
                    _ => {}
                }
                let k = self.m.flow.key(&i.sym);
                Some(self.load(self.global_node, Some(k)))
            }
        }
    }

    fn arguments_of(&mut self, f: FnId) -> NodeId {
        if let Some(&n) = self.args_nodes.get(&f) {
            return n;
        }
        let o = self.new_obj();
        let any = self.m.flow.field(Val::Obj(o), ANY_FIELD);
        for k in 0..8 {
            let p = self.m.flow.param(f, k);
            self.m.flow.edge(p, any);
        }
        let n = self.const_node(Val::Obj(o));
        self.args_nodes.insert(f, n);
        n
    }

    #[inline(never)]
    fn tpl(&mut self, t: &Tpl) -> NodeId {
        let out = self.m.flow.node();
        for q in &t.quasis {
            if let Some(c) = q.cooked.as_ref().and_then(|c| c.as_str()) {
                if let Some(d) = self.decl_val(c) {
                    self.m.flow.add(out, d);
                }
            }
        }
        for x in &t.exprs {
            if let Some(n) = self.expr(x) {
                self.m.flow.op(
                    n,
                    Op::ToText {
                        dst: out,
                        explicit: false,
                    },
                );
            }
        }
        out
    }

    pub(super) fn args(&mut self, args: &[ExprOrSpread]) -> (Vec<NodeId>, Option<usize>) {
        let mut out = Vec::new();
        let mut spread = None;
        for (i, a) in args.iter().enumerate() {
            let next_fn = self.m.fns.len();
            let n = self.expr(&a.expr);
            if matches!(guards::unparen(&a.expr), Expr::Fn(_) | Expr::Arrow(_)) {
                // A function written as an argument: a callback, it runs.
                self.mark_invoked(FnId::new(next_fn));
            }
            if a.spread.is_some() && spread.is_none() {
                spread = Some(i);
            }
            out.push(n.unwrap_or_else(|| self.m.flow.node()));
        }
        (out, spread)
    }

    pub(super) fn generic_call(
        &mut self,
        callee: NodeId,
        this: Option<NodeId>,
        args: Vec<NodeId>,
        spread: Option<usize>,
    ) -> NodeId {
        self.call_site(callee, this, args, spread, false)
    }

    /// [`Self::generic_call`]; `inline_callee`: the callee is the function written right
    /// there (an IIFE), see [`super::flow::Call::inline_callee`].
    pub(super) fn call_site(
        &mut self,
        callee: NodeId,
        this: Option<NodeId>,
        args: Vec<NodeId>,
        spread: Option<usize>,
        inline_callee: bool,
    ) -> NodeId {
        let result = self.m.flow.node();
        let site_fn = self.cur();
        let foreign_at = self.foreign_at();
        self.m.flow.call(
            callee,
            Call {
                site_fn,
                foreign_at,
                depth: 0,
                proof: self.proof,
                direct: self.direct_call,
                inline_callee,
                this,
                args,
                spread_from: spread,
                result,
            },
        );
        result
    }

    /// The runtime calls the functions these nodes hold (callbacks, event handlers).
    pub(super) fn invoke_all(&mut self, nodes: &[NodeId]) {
        let site_fn = self.cur();
        let foreign_at = self.foreign_at();
        let proof = self.proof;
        for &n in nodes {
            self.m.flow.op(
                n,
                Op::Invoke {
                    site_fn,
                    foreign_at,
                    proof,
                },
            );
        }
    }
}

/// A property key as far as the lowering knows it.
#[derive(Clone, Copy)]
pub(super) enum MemberKey {
    Known(u32),
    Node(NodeId),
    Unknown,
}
