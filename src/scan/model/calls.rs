//! Calls and `new`: resolved through the flow, plus the models of the built-ins that pass
//! values or text through and of the sinks ([`super::sinks`]).

use super::flow::{Op, Val, ANY_FIELD};
use super::guards;
use super::ids::NodeId;
use super::lower::{ELEMENT_COPIES, ITERATORS, PROMISE_CALLBACKS, PROMISE_VALUE};
use super::scopes::Builder;
use super::sinks::{TextUse, CONSTRUCTORS, GLOBAL_CALLS, SINK_METHODS, TEXT_METHODS};
use swc_atoms::Atom;
use swc_ecma_ast::*;

/// `Name` when `e` is the unresolved global `Name`, also as `(0, Name)` (an indirect call,
/// as in `(0, eval)(src)`) or `self.Name` / `window.Name` / `globalThis.Name`.
fn global_name<'e>(b: &Builder, e: &'e Expr) -> Option<&'e Atom> {
    match guards::unparen(e) {
        Expr::Ident(i) if b.is_unresolved(i) => Some(&i.sym),
        Expr::Seq(s) if s.exprs.len() > 1 => global_name(b, s.exprs.last()?),
        Expr::Member(MemberExpr {
            obj,
            prop: MemberProp::Ident(p),
            ..
        }) => match guards::unparen(obj) {
            Expr::Ident(g)
                if b.is_unresolved(g) && matches!(&*g.sym, "self" | "window" | "globalThis") =>
            {
                Some(&p.sym)
            }
            _ => None,
        },
        _ => None,
    }
}

/// `(receiver, method name)` of `recv.name` / `recv["name"]`.
fn method_of(m: &MemberExpr) -> Option<(&Expr, Atom)> {
    let name = match &m.prop {
        MemberProp::Ident(i) => i.sym.clone(),
        MemberProp::Computed(c) => match guards::unparen(&c.expr) {
            Expr::Lit(Lit::Str(s)) => Atom::from(s.value.as_str()?),
            _ => return None,
        },
        MemberProp::PrivateName(_) => return None,
    };
    Some((&m.obj, name))
}

fn pick(args: &[NodeId], which: Option<usize>) -> Vec<NodeId> {
    match which {
        Some(i) => args.get(i).copied().into_iter().collect(),
        None => args.to_vec(),
    }
}

impl Builder {
    #[inline(never)]
    pub(super) fn call(&mut self, c: &CallExpr) -> Option<NodeId> {
        let callee = match &c.callee {
            Callee::Expr(e) => e,
            Callee::Super(_) | Callee::Import(_) => {
                self.args(&c.args);
                return None;
            }
        };
        let discarded = std::mem::take(&mut self.discarded);
        // Global functions: eval, Function, String, ...
        if let Some(name) = global_name(self, callee).cloned() {
            self.read_callee(callee);
            let (args, spread) = self.args(&c.args);
            if let Some(&(_, which, use_, _)) = GLOBAL_CALLS.iter().find(|g| g.0 == &*name) {
                let parts = pick(&args, which);
                // `Function(src);` compiles the text and throws the function away: nothing runs.
                if name == "Function" && discarded {
                    return None;
                }
                return match use_ {
                    TextUse::Sink(kind) => {
                        self.add_sink(c.span, kind, &parts, name == "Function");
                        None
                    }
                    TextUse::PassThrough => parts.first().map(|&p| self.text_of(p)),
                };
            }
            // An unresolved function runs its function arguments (timers, queueMicrotask).
            self.invoke_all(&args);
            let callee_node = self.expr_silent(callee)?;
            return Some(self.generic_call(callee_node, None, args, spread));
        }
        if let Expr::Member(m) = guards::unparen(callee) {
            if let Some((recv, name)) = method_of(m) {
                return self.method_call(c, m, recv, name);
            }
        }
        let callee_node = self.expr(callee);
        let (args, spread) = self.args(&c.args);
        let callee_node = callee_node?;
        let inline = matches!(guards::unparen(callee), Expr::Fn(_) | Expr::Arrow(_));
        Some(self.call_site(callee_node, None, args, spread, inline))
    }

    /// Records the reads of a global callee (for guards and globals) without a value.
    fn read_callee(&mut self, callee: &Expr) {
        match guards::unparen(callee) {
            Expr::Ident(i) => {
                self.read(i, false);
            }
            Expr::Seq(s) => {
                for x in &s.exprs[..s.exprs.len().saturating_sub(1)] {
                    self.expr(x);
                }
                if let Some(last) = s.exprs.last() {
                    self.read_callee(last);
                }
            }
            Expr::Member(m) => self.read_callee(&m.obj),
            _ => {}
        }
    }

    /// The value of a global callee, its reads already recorded.
    fn expr_silent(&mut self, callee: &Expr) -> Option<NodeId> {
        let name = global_name(self, callee)?.clone();
        let k = self.m.flow.key(&name);
        Some(self.load(self.global_node, Some(k)))
    }

    #[inline(never)]
    fn method_call(
        &mut self,
        c: &CallExpr,
        m: &MemberExpr,
        recv: &Expr,
        name: Atom,
    ) -> Option<NodeId> {
        // `Function.prototype.toString.call(f)` and `.apply(f)`.
        if matches!(&*name, "call" | "apply") {
            if let Expr::Member(inner) = guards::unparen(recv) {
                if method_of(inner).is_some_and(|(_, n)| n == "toString") {
                    self.expr(recv);
                    let (args, _) = self.args(&c.args);
                    return args.first().map(|&a| self.text_of(a));
                }
            }
        }
        // `Object.defineProperty(...)` and the other statics of well-known globals.
        if let Some(g) = global_name(self, recv).cloned() {
            if let Some(n) = self.static_call(c, &g, &name) {
                return n;
            }
        }
        let recv_node = self.expr(recv);
        let (args, spread) = self.args(&c.args);
        let recv_node = recv_node.unwrap_or_else(|| self.m.flow.node());
        let mut results: Vec<NodeId> = Vec::new();
        match &*name {
            "call" | "apply"
                if !matches!(
                    guards::unparen(recv),
                    Expr::Ident(_) | Expr::Fn(_) | Expr::Arrow(_) | Expr::Seq(_)
                ) =>
            {
                self.direct_call = false;
                let this = args.first().copied();
                let (rest, spread): (Vec<NodeId>, Option<usize>) = if name == "call" {
                    (
                        args.iter().skip(1).copied().collect(),
                        spread.and_then(|s| s.checked_sub(1)),
                    )
                } else {
                    let rest: Vec<NodeId> = args.get(1).copied().into_iter().collect();
                    let sp = (!rest.is_empty()).then_some(0);
                    (rest, sp)
                };
                let r = self.generic_call(recv_node, this, rest, spread);
                self.direct_call = true;
                return Some(r);
            }
            "call" => {
                let this = args.first().copied();
                let rest = args.iter().skip(1).copied().collect();
                let spread = spread.and_then(|s| s.checked_sub(1));
                return Some(self.generic_call(recv_node, this, rest, spread));
            }
            "apply" => {
                let this = args.first().copied();
                let rest: Vec<NodeId> = args.get(1).copied().into_iter().collect();
                let spread = (!rest.is_empty()).then_some(0);
                return Some(self.generic_call(recv_node, this, rest, spread));
            }
            "bind" => {
                let n = self.m.flow.node();
                self.m.flow.edge(recv_node, n);
                return Some(n);
            }
            _ => {}
        }
        if let Some(&(_, kind)) = SINK_METHODS.iter().find(|s| s.0 == &*name) {
            if let Some(&a) = args.first() {
                let fields = self.elems_of(a);
                self.add_sink(c.span, kind, &[a, fields], false);
            }
        }
        if ITERATORS.contains(&&*name) {
            results.extend(self.iterate(&name, recv_node, &args));
        }
        if ELEMENT_COPIES.contains(&&*name) {
            let mut parts = vec![self.array_elems_of(recv_node)];
            if name == "concat" {
                for &a in &args {
                    let e = self.elems_of(a);
                    parts.push(e);
                    parts.push(a);
                }
            }
            results.push(self.new_array(&parts));
        }
        match &*name {
            "push" | "unshift" => {
                for &a in &args {
                    self.m.flow.op(recv_node, Op::Store { key: None, src: a });
                }
            }
            "join" => {
                let e = self.array_elems_of(recv_node);
                results.push(self.text_of(e));
            }
            "addEventListener" => self.invoke_all(&args),
            n if PROMISE_CALLBACKS.contains(&n) => {
                let k = self.m.flow.key(&Atom::from(PROMISE_VALUE));
                let value = self.load(recv_node, Some(k));
                let mut returned = Vec::new();
                for &cb in &args {
                    self.invoke_all(&[cb]);
                    returned.push(self.generic_call(cb, None, vec![value], None));
                }
                let p = self.new_obj();
                let field = self.m.flow.field(Val::Obj(p), k);
                for r in returned {
                    self.m.flow.edge(r, field);
                }
                results.push(self.const_node(Val::Obj(p)));
            }
            _ => {}
        }
        if TEXT_METHODS.contains(&&*name) {
            // The receiver's text, and the arguments' text; only `concat` (and `join`'s
            // separator) turn a function argument into its source: `replace(re, fn)` calls it.
            // Only `toString` turns a function receiver into its source (`X.join()` on a
            // class is a static method, not an array's).
            let n = if name == "toString" {
                self.text_of(recv_node)
            } else {
                let n = self.m.flow.node();
                self.m.flow.op(recv_node, Op::TextOnly { dst: n });
                n
            };
            if name != "toString" {
                for &a in &args {
                    let op = if name == "concat" {
                        Op::ToText {
                            dst: n,
                            explicit: true,
                        }
                    } else {
                        Op::TextOnly { dst: n }
                    };
                    self.m.flow.op(a, op);
                }
            }
            results.push(n);
        }
        // The method itself, as the flow resolves it.
        let k = self.m.flow.key(&name);
        let callee = self.load(recv_node, Some(k));
        let _ = m;
        // A method looked up on an object: its value flows, but it does not count as code
        // that surely runs.
        self.direct_call = false;
        results.push(self.generic_call(callee, Some(recv_node), args, spread));
        self.direct_call = true;
        let out = self.m.flow.node();
        for r in results {
            self.m.flow.edge(r, out);
        }
        Some(out)
    }

    /// `recv.forEach(cb)`, `recv.map(cb)`, `recv.reduce(cb, init)`: the callback gets the
    /// elements; the result holds what it returns (map) or the accumulator (reduce).
    fn iterate(&mut self, name: &str, recv: NodeId, args: &[NodeId]) -> Vec<NodeId> {
        let Some(&cb) = args.first() else {
            return Vec::new();
        };
        self.invoke_all(&[cb]);
        let elems = self.array_elems_of(recv);
        if name.starts_with("reduce") {
            let acc = self.m.flow.node();
            if let Some(&init) = args.get(1) {
                self.m.flow.edge(init, acc);
            }
            let r = self.generic_call(cb, None, vec![acc, elems], None);
            self.m.flow.edge(r, acc);
            return vec![acc];
        }
        let idx = self.m.flow.node();
        let r = self.generic_call(cb, None, vec![elems, idx, recv], None);
        if matches!(name, "map" | "flatMap") {
            let r_elems = self.elems_of(r);
            return vec![self.new_array(&[r, r_elems])];
        }
        if matches!(name, "find" | "findLast") {
            return vec![elems];
        }
        Vec::new()
    }

    /// Statics of global objects: `Object.defineProperty`, `Object.assign`, `Array.from`,
    /// `Promise.resolve`, `JSON.stringify`, `URL.createObjectURL`, `Reflect.apply`. `None`
    /// when not modelled.
    #[inline(never)]
    fn static_call(&mut self, c: &CallExpr, g: &Atom, name: &Atom) -> Option<Option<NodeId>> {
        let modelled = matches!(
            (&**g, &**name),
            (
                "Object",
                "defineProperty"
                    | "defineProperties"
                    | "assign"
                    | "keys"
                    | "getOwnPropertyNames"
                    | "values"
                    | "entries"
                    | "freeze"
                    | "seal"
                    | "create"
                    | "setPrototypeOf"
            ) | ("Array", "from" | "of")
                | ("Promise", "resolve" | "all" | "race" | "allSettled" | "any")
                | ("JSON", "stringify")
                | ("Reflect", "apply" | "defineProperty")
        );
        if !modelled {
            return None;
        }
        if let Expr::Ident(i) = guards::unparen(match &c.callee {
            Callee::Expr(e) => match guards::unparen(e) {
                Expr::Member(m) => &m.obj,
                _ => return None,
            },
            _ => return None,
        }) {
            self.read(i, false);
        }
        let (args, _) = self.args(&c.args);
        let arg = |i: usize| args.get(i).copied();
        let out = match (&**g, &**name) {
            ("Object" | "Reflect", "defineProperty") => {
                let (o, k, d) = (arg(0)?, arg(1)?, arg(2)?);
                self.m.flow.op(o, Op::DefineProp { key: k, desc: d });
                Some(o)
            }
            ("Object", "defineProperties") => {
                let (o, p) = (arg(0)?, arg(1)?);
                self.m.flow.op(o, Op::DefineProps { props: p });
                Some(o)
            }
            ("Object", "assign") => {
                let t = arg(0)?;
                for &s in &args[1..] {
                    self.m.flow.op(s, Op::CopyFields { target: t });
                }
                Some(t)
            }
            ("Object", "keys" | "getOwnPropertyNames") => {
                let o = arg(0)?;
                let keys = self.m.flow.node();
                self.m.flow.op(o, Op::Keys { dst: keys });
                Some(self.new_array(&[keys]))
            }
            ("Object", "values")
            | ("Array", "from")
            | ("Promise", "all" | "race" | "allSettled" | "any") => {
                let o = arg(0)?;
                let e = self.elems_of(o);
                if let (Some(cb), "from") = (arg(1), &**name) {
                    self.invoke_all(&[cb]);
                    let r = self.generic_call(cb, None, vec![e], None);
                    return Some(Some(self.new_array(&[e, r])));
                }
                Some(self.new_array(&[e]))
            }
            ("Object", "entries") => {
                let o = arg(0)?;
                let e = self.elems_of(o);
                let inner = self.new_array(&[e]);
                Some(self.new_array(&[inner]))
            }
            ("Object", "freeze" | "seal" | "setPrototypeOf") => arg(0),
            ("Object", "create") => {
                let o = self.new_obj();
                let n = self.const_node(Val::Obj(o));
                if let Some(p) = arg(1) {
                    self.m.flow.op(n, Op::DefineProps { props: p });
                }
                Some(n)
            }
            ("Array", "of") => Some(self.new_array(&args)),
            ("Promise", "resolve") => {
                let p = self.new_obj();
                let k = self.m.flow.key(&Atom::from(PROMISE_VALUE));
                let f = self.m.flow.field(Val::Obj(p), k);
                if let Some(v) = arg(0) {
                    self.m.flow.edge(v, f);
                }
                Some(self.const_node(Val::Obj(p)))
            }
            ("JSON", "stringify") => arg(0).map(|a| self.text_of(a)),
            ("Reflect", "apply") => {
                let (f, this, list) = (arg(0)?, arg(1), arg(2));
                let rest: Vec<NodeId> = list.into_iter().collect();
                let spread = (!rest.is_empty()).then_some(0);
                Some(self.generic_call(f, this, rest, spread))
            }
            _ => None,
        };
        Some(out)
    }

    #[inline(never)]
    pub(super) fn new_expr(&mut self, n: &NewExpr) -> Option<NodeId> {
        let empty = Vec::new();
        let raw_args = n.args.as_ref().unwrap_or(&empty);
        let discarded = std::mem::take(&mut self.discarded);
        if let Some(name) = global_name(self, &n.callee).cloned() {
            self.read_callee(&n.callee);
            let (args, spread) = self.args(raw_args);
            if matches!(&*name, "Worker" | "SharedWorker") {
                let f = self.cur();
                self.m.fns[f.index()].thread_marker = true;
            }
            // `new Function(src);` compiles the text and throws the function away.
            let compile_only = name == "Function" && discarded;
            if let Some(&(_, which, use_, _)) = CONSTRUCTORS
                .iter()
                .find(|g| g.0 == &*name)
                .filter(|_| !compile_only)
            {
                let mut parts = pick(&args, which);
                if name == "Blob" {
                    parts = parts.iter().map(|&p| self.elems_of(p)).collect();
                }
                return match use_ {
                    TextUse::Sink(kind) => {
                        let stringifies = matches!(&*name, "Blob" | "Function");
                        self.add_sink(n.span, kind, &parts, stringifies);
                        // A Blob carries its text on (to `URL.createObjectURL`).
                        let t = self.m.flow.node();
                        for p in parts {
                            self.m.flow.op(
                                p,
                                Op::ToText {
                                    dst: t,
                                    explicit: false,
                                },
                            );
                        }
                        Some(t)
                    }
                    TextUse::PassThrough => parts.first().map(|&p| self.text_of(p)),
                };
            }
            if name == "Promise" {
                self.invoke_all(&args);
            }
            let callee = self.expr_silent(&n.callee)?;
            return Some(self.construct(callee, args, spread));
        }
        let callee = self.expr(&n.callee);
        let (args, spread) = self.args(raw_args);
        Some(self.construct(callee?, args, spread))
    }

    /// `new F(args)`: a fresh object is `this` in `F` and the result (or what `F` returns).
    fn construct(&mut self, callee: NodeId, args: Vec<NodeId>, spread: Option<usize>) -> NodeId {
        let o = self.new_obj();
        let this = self.const_node(Val::Obj(o));
        self.m.flow.field(Val::Obj(o), ANY_FIELD);
        let r = self.generic_call(callee, Some(this), args, spread);
        self.m.flow.edge(this, r);
        r
    }
}
