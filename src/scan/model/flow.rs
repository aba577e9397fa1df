//! Value flow of a whole file: an inclusion-based (Andersen-style), flow-insensitive analysis
//! over abstract values, solved with a worklist that discovers calls, property loads and
//! stores as values arrive.
//!
//! - **Values** ([`Val`]): functions, allocation sites of objects and arrays, the global
//!   object, property keys known as constants, the source *text* of a function, and
//!   constant strings that declare names (`'var M = '`).
//! - **Nodes** hold sets of values; an edge `a → b` means "every value of `a` is a value of
//!   `b`". Variables, parameters, returns, `this`, and each field of each object are nodes.
//! - **Complex constraints** ([`Op`]) fire for each new value of the node they watch: a call
//!   links arguments to the parameters of every function its callee may be (including
//!   `.call`, `.apply`, `.bind`), a load reads the field of every object its receiver may be
//!   (getters included), a store writes it, and the models of built-ins that pass values
//!   through (`Object.defineProperty`, `Object.assign`, array iteration methods, promises)
//!   are constraints of the same kind.
//!
//! Properties are keyed per object (allocation site). A key the analysis cannot know reads
//! every field of the object and writes the object's unknown-key field, which every load
//! of that object also reads. A load that finds nothing on any object it knows falls back to
//! every field of that name anywhere (field-based, as in Feldthaus et al., ICSE 2013), so
//! prototype methods and objects the flow does not track stay sound.

use super::ids::{FnId, NodeId, ObjId, ProofId};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use swc_atoms::Atom;

/// An abstract value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Val {
    Fn(FnId),
    Obj(ObjId),
    /// A property key known as a constant (interned).
    Key(u32),
    /// Some key the analysis cannot know.
    AnyKey,
    /// The source text of a function.
    Text(FnId),
    /// A constant string that declares names where it runs (index into `decls`).
    Decl(u32),
    /// The name of a function (`f.name`): where text runs, `'var ' + f.name + ' = ' + f`
    /// declares it.
    Name(FnId),
    /// A built-in function the flow models (`Object.defineProperty` as a value).
    Builtin(Builtin),
}

/// Built-in functions that pass values through, as values (`var d = Object.defineProperty`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Builtin {
    DefineProperty,
    DefineProperties,
    Assign,
    Identity,
    /// `Function.prototype.toString`, called with the function as `this`.
    FunctionToString,
}

impl Builtin {
    pub fn named(object: &str, prop: &str) -> Option<Builtin> {
        Some(match (object, prop) {
            ("Object" | "Reflect", "defineProperty") => Builtin::DefineProperty,
            ("Object", "defineProperties") => Builtin::DefineProperties,
            ("Object", "assign") => Builtin::Assign,
            ("Object", "freeze" | "seal" | "preventExtensions") => Builtin::Identity,
            _ => return None,
        })
    }
}

/// One step of building the constraints, recorded while a small function is lowered so
/// that each call site can get its own copy ([`Template`]).
#[derive(Clone, Debug)]
enum Event {
    Add(NodeId, Val),
    Edge(NodeId, NodeId),
    Op(NodeId, Op),
    Call(NodeId, Call),
}

/// The constraints of a small function without inner functions, instantiated per call site
/// (call-site sensitivity, with its own objects: helpers like `__name(fn, "n")`, interop
/// wrappers and module loaders return what *this* call passed).
#[derive(Clone, Debug)]
pub struct Template {
    first_node: usize,
    end_node: usize,
    first_obj: usize,
    end_obj: usize,
    /// Nodes made while lowering that belong to the outside (variables of enclosing scopes).
    outside: HashSet<NodeId>,
    params: Vec<NodeId>,
    this: NodeId,
    ret: NodeId,
    events: Vec<Event>,
}

struct Recording {
    first_node: usize,
    first_obj: usize,
    events: Vec<Event>,
    ok: bool,
}

/// The most events a function may have to be instantiated per call site.
const MAX_TEMPLATE_EVENTS: usize = 400;

impl Val {
    pub fn is_text(self) -> bool {
        matches!(self, Val::Text(_) | Val::Decl(_) | Val::Name(_))
    }
    /// Values that may hold properties.
    fn holder(self) -> bool {
        matches!(self, Val::Fn(_) | Val::Obj(_))
    }
}

/// The unknown key of an object: array elements, `o[x] = v`.
pub const ANY_FIELD: u32 = 0;

/// A constraint that fires on every value of the node it watches.
#[derive(Clone, Debug)]
pub enum Op {
    /// `watched(args...)` with `this`: calls every function value.
    Call(CallId),
    /// `watched.key` (or every key) into `dst`.
    Load { key: Option<u32>, dst: NodeId },
    /// `watched.key = src`.
    Store { key: Option<u32>, src: NodeId },
    /// `watched[k]` where `k` is this node: the key node of a computed load.
    LoadKey { obj: NodeId, dst: NodeId },
    /// `o[watched] = src`.
    StoreKey { obj: NodeId, src: NodeId },
    /// Every field of each object of `watched` into `dst` (iteration, spread, apply).
    Elems { dst: NodeId },
    /// Every field of each object of `watched` copied into the same field of `target`'s
    /// objects (`Object.assign`, object spread).
    CopyFields { target: NodeId },
    /// The keys of each object of `watched` into `dst` (`for...in`, `Object.keys`).
    Keys { dst: NodeId },
    /// Function values of `watched` become their source text in `dst`.
    ToText { dst: NodeId },
    /// `Object.defineProperty(watched, key, desc)`: the descriptor's `value` and getter.
    DefineProp { key: NodeId, desc: NodeId },
    /// On a key node: the getter functions in `get` serve field `key` of `holder`.
    GetterKey { holder: Val, get: NodeId },
    /// `Object.defineProperties(watched, props)`.
    DefineProps { props: NodeId },
    /// A function value stored as an event handler or otherwise invoked by the runtime.
    Invoke {
        site_fn: FnId,
        foreign_at: u32,
        proof: ProofId,
    },
    /// `watched.name`: function values give their name.
    FnName { dst: NodeId },
    /// Only the text values of `watched` into `dst` (a sink that does not stringify
    /// functions: `eval(f)` returns `f`, `setTimeout(f)` calls it).
    TextOnly { dst: NodeId },
}

pub type CallId = u32;

/// A call (or a runtime invocation) of `to` from code in `from`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Edge {
    pub from: FnId,
    pub to: FnId,
    /// Depth of the function holding the Node.js-or-window branch around the call (0: none).
    pub foreign_at: u32,
    /// The facts in force where the call is.
    pub proof: ProofId,
}

/// One call site: the callee node is the node that carries [`Op::Call`].
#[derive(Clone, Debug)]
pub struct Call {
    pub site_fn: FnId,
    /// Depth of the function holding the Node.js-or-window branch the call is in (0: none).
    pub foreign_at: u32,
    /// The facts in force at the call ([`super::guards`]).
    pub proof: ProofId,
    /// The callee is named directly (`f()`, `(0, f)()`, `f.call(...)`, an IIFE), not looked up
    /// as a method of an object: only such calls count when deciding what code runs.
    pub direct: bool,
    /// Made by a template instance: its calls link to the shared copy of a small function
    /// (one level of call-site sensitivity; recursion cannot expand without end).
    pub in_instance: bool,
    pub this: Option<NodeId>,
    pub args: Vec<NodeId>,
    /// From this argument on, the values come from the elements of one array (`f.apply`,
    /// spread arguments).
    pub spread_from: Option<usize>,
    pub result: NodeId,
}

#[derive(Default)]
struct Node {
    vals: Vec<Val>,
    set: HashSet<Val>,
    succ: Vec<NodeId>,
    ops: Vec<Op>,
}

/// The constraint system and its solution.
#[derive(Default)]
pub struct Flow {
    nodes: Vec<Node>,
    pub calls: Vec<Call>,
    /// Interned keys; index 0 is the unknown key.
    keys: Vec<Atom>,
    key_ids: HashMap<Atom, u32>,
    /// `(holder, key)` → field node.
    fields: HashMap<(Val, u32), NodeId>,
    /// The field keys of each holder, in the order they appeared.
    holder_fields: HashMap<Val, Vec<u32>>,
    /// Nodes that want every field of a holder as it appears: `(holder) → [dst]`.
    all_fields_subs: HashMap<Val, Vec<NodeId>>,
    /// Field-copy subscriptions: `(source holder) → [target node]`.
    copy_subs: HashMap<Val, Vec<NodeId>>,
    /// Parameter nodes, `this`, return and `arguments` of each function, made on demand.
    params: HashMap<(FnId, u32), NodeId>,
    this_nodes: HashMap<FnId, NodeId>,
    returns: HashMap<FnId, NodeId>,
    /// Getters of each field: `(holder, key)` → functions whose result the field yields.
    getter_nodes: HashMap<(Val, u32), NodeId>,
    /// The getters of each holder, and the loads made on it: `(key, dst)`.
    holder_getters: HashMap<Val, Vec<(u32, NodeId)>>,
    holder_loads: HashMap<Val, Vec<(u32, NodeId)>>,
    /// Nodes that want every key of a holder as it appears.
    keys_subs: HashMap<Val, Vec<NodeId>>,
    linked: HashSet<(CallId, FnId)>,
    /// Every load, for the field-based fallback: `(receiver node, key, dst)`.
    loads: Vec<(NodeId, Option<u32>, NodeId)>,
    /// Fields by name, for the fallback: key → node that collects every field of that name.
    by_name: HashMap<u32, NodeId>,
    fallback_done: HashSet<usize>,
    /// Call graph found.
    pub edges: HashSet<Edge>,
    /// Functions the runtime invokes (handlers, callbacks of unresolved calls).
    pub invoked: HashSet<Edge>,
    work: Vec<(NodeId, Val)>,
    next_obj: usize,
    /// Loads that find nothing fall back to every field of their name (off: measured on
    /// real bundles, it made whole-library objects flow everywhere).
    pub fallback_enabled: bool,
    recordings: Vec<Recording>,
    templates: HashMap<FnId, Template>,
    /// The holder and key of every field node.
    node_field: HashMap<NodeId, (Val, u32)>,
    /// Total values propagated; past [`BUDGET`] the solver stops (the result is then partial).
    pub spent: usize,
    pub exhausted: bool,
    /// Some node reached [`MAX_VALS`].
    pub saturated: bool,
    instances: usize,
}

/// Upper bound on value propagations per file: keeps pathological inputs bounded.
const BUDGET: usize = 2_000_000;
/// The most values one node holds. Beyond it the node stops growing (the flow is then
/// partial there): sets this wide come from merged library objects, never from the
/// handful of functions whose text a bundle sends to a worker.
const MAX_VALS: usize = 32;
/// The most template instances per file (then calls link to the shared copy).
const MAX_INSTANCES: usize = 50_000;
/// Past this many constant keys a node's keys collapse into [`Val::AnyKey`].
const MAX_KEYS: usize = 64;

impl Flow {
    pub fn new() -> Flow {
        let mut f = Flow {
            next_obj: 1,
            ..Flow::default()
        };
        f.keys.push(Atom::from("*"));
        f
    }

    pub fn new_obj(&mut self) -> ObjId {
        self.next_obj += 1;
        ObjId::new(self.next_obj - 1)
    }

    fn record(&mut self, e: Event) {
        if let Some(r) = self.recordings.last_mut() {
            if r.ok {
                r.events.push(e);
                if r.events.len() > MAX_TEMPLATE_EVENTS {
                    r.ok = false;
                    r.events.clear();
                }
            }
        }
    }

    /// Starts recording the constraints of a function's body.
    pub fn begin_template(&mut self) {
        // An inner function: the functions around it are not small.
        for r in &mut self.recordings {
            r.ok = false;
            r.events.clear();
        }
        self.recordings.push(Recording {
            first_node: self.nodes.len(),
            first_obj: self.next_obj,
            events: Vec::new(),
            ok: true,
        });
    }

    /// Ends the recording; keeps it as `f`'s template when `f` qualifies.
    pub fn end_template(
        &mut self,
        f: FnId,
        qualifies: bool,
        outside: HashSet<NodeId>,
        params: Vec<NodeId>,
    ) {
        let Some(r) = self.recordings.pop() else {
            return;
        };
        if !(r.ok && qualifies) {
            return;
        }
        let this = self.this_of(f);
        let ret = self.ret(f);
        self.templates.insert(
            f,
            Template {
                first_node: r.first_node,
                end_node: self.nodes.len(),
                first_obj: r.first_obj,
                end_obj: self.next_obj,
                outside,
                params,
                this,
                ret,
                events: r.events,
            },
        );
    }

    /// A copy of `f`'s template for one call: fresh local nodes and objects.
    fn instantiate(&mut self, t: &Template, call: &Call) {
        let mut nodes: HashMap<NodeId, NodeId> = HashMap::default();
        let mut objs: HashMap<usize, ObjId> = HashMap::default();
        for o in t.first_obj..t.end_obj {
            let fresh = self.new_obj();
            objs.insert(o, fresh);
        }
        let map_val = |v: Val, objs: &HashMap<usize, ObjId>| match v {
            Val::Obj(o) => objs.get(&o.index()).map_or(v, |f| Val::Obj(*f)),
            v => v,
        };
        let map = |n: NodeId, flow: &mut Flow, nodes: &mut HashMap<NodeId, NodeId>| {
            let i = n.index();
            if i < t.first_node || i >= t.end_node || t.outside.contains(&n) {
                return n;
            }
            if let Some(&m) = nodes.get(&n) {
                return m;
            }
            let m = match flow.node_field.get(&n).copied() {
                Some((h, k)) => {
                    let h2 = map_val(h, &objs);
                    if h2 == h {
                        n
                    } else {
                        flow.field(h2, k)
                    }
                }
                None => flow.node(),
            };
            nodes.insert(n, m);
            m
        };
        for (i, &p) in t.params.iter().enumerate() {
            let pn = map(p, self, &mut nodes);
            if let Some(&a) = call.args.get(i) {
                if call.spread_from.is_none_or(|s| i < s) {
                    self.edge_raw(a, pn);
                }
            }
        }
        let this = map(t.this, self, &mut nodes);
        if let Some(th) = call.this {
            self.edge_raw(th, this);
        }
        let ret = map(t.ret, self, &mut nodes);
        self.edge_raw(ret, call.result);
        for e in &t.events {
            match e {
                Event::Add(n, v) => {
                    let n = map(*n, self, &mut nodes);
                    self.work.push((n, map_val(*v, &objs)));
                }
                Event::Edge(a, b) => {
                    let (a, b) = (map(*a, self, &mut nodes), map(*b, self, &mut nodes));
                    self.edge_raw(a, b);
                }
                Event::Op(n, op) => {
                    let n = map(*n, self, &mut nodes);
                    let op = map_op(op, |x| map(x, self, &mut nodes), |v| map_val(v, &objs));
                    self.op_raw(n, op);
                }
                Event::Call(callee, c) => {
                    let callee = map(*callee, self, &mut nodes);
                    let c = Call {
                        site_fn: c.site_fn,
                        foreign_at: c.foreign_at,
                        in_instance: true,
                        proof: c.proof,
                        direct: c.direct,
                        this: c.this.map(|x| map(x, self, &mut nodes)),
                        args: c.args.iter().map(|&x| map(x, self, &mut nodes)).collect(),
                        spread_from: c.spread_from,
                        result: map(c.result, self, &mut nodes),
                    };
                    self.call_raw(callee, c);
                }
            }
        }
    }

    pub fn node(&mut self) -> NodeId {
        self.nodes.push(Node::default());
        NodeId::new(self.nodes.len() - 1)
    }

    pub fn key(&mut self, name: &Atom) -> u32 {
        if let Some(&k) = self.key_ids.get(name) {
            return k;
        }
        let k = self.keys.len() as u32;
        self.keys.push(name.clone());
        self.key_ids.insert(name.clone(), k);
        k
    }

    pub fn key_name(&self, k: u32) -> &Atom {
        &self.keys[k as usize]
    }

    /// Adds `v` to `n` (propagated when solving).
    pub fn add(&mut self, n: NodeId, v: Val) {
        self.record(Event::Add(n, v));
        self.work.push((n, v));
    }

    pub fn edge(&mut self, from: NodeId, to: NodeId) {
        self.record(Event::Edge(from, to));
        self.edge_raw(from, to);
    }

    fn edge_raw(&mut self, from: NodeId, to: NodeId) {
        if from == to {
            return;
        }
        self.nodes[from.index()].succ.push(to);
        let vals = self.nodes[from.index()].vals.clone();
        for v in vals {
            self.work.push((to, v));
        }
    }

    pub fn op(&mut self, n: NodeId, op: Op) {
        self.record(Event::Op(n, op.clone()));
        self.op_raw(n, op);
    }

    fn op_raw(&mut self, n: NodeId, op: Op) {
        if let Op::Load { key, dst } = &op {
            self.loads.push((n, *key, *dst));
        }
        self.nodes[n.index()].ops.push(op.clone());
        let vals = self.nodes[n.index()].vals.clone();
        for v in vals {
            self.fire(n, &op, v);
        }
    }

    pub fn call(&mut self, callee: NodeId, call: Call) {
        self.record(Event::Call(callee, call.clone()));
        self.call_raw(callee, call);
    }

    fn call_raw(&mut self, callee: NodeId, call: Call) {
        self.calls.push(call);
        let id = (self.calls.len() - 1) as CallId;
        self.op_raw(callee, Op::Call(id));
    }

    pub fn vals(&self, n: NodeId) -> &[Val] {
        &self.nodes[n.index()].vals
    }

    pub fn param(&mut self, f: FnId, i: u32) -> NodeId {
        if let Some(&n) = self.params.get(&(f, i)) {
            return n;
        }
        let n = self.node();
        self.params.insert((f, i), n);
        n
    }

    pub fn this_of(&mut self, f: FnId) -> NodeId {
        if let Some(&n) = self.this_nodes.get(&f) {
            return n;
        }
        let n = self.node();
        self.this_nodes.insert(f, n);
        n
    }

    pub fn ret(&mut self, f: FnId) -> NodeId {
        if let Some(&n) = self.returns.get(&f) {
            return n;
        }
        let n = self.node();
        self.returns.insert(f, n);
        n
    }

    /// The node of field `key` of holder `h`.
    pub fn field(&mut self, h: Val, key: u32) -> NodeId {
        if let Some(&n) = self.fields.get(&(h, key)) {
            return n;
        }
        let n = self.node();
        self.fields.insert((h, key), n);
        self.node_field.insert(n, (h, key));
        self.holder_fields.entry(h).or_default().push(key);
        if let Some(subs) = self.all_fields_subs.get(&h).cloned() {
            for d in subs {
                self.edge_raw(n, d);
            }
        }
        if let Some(targets) = self.copy_subs.get(&h).cloned() {
            for t in targets {
                self.copy_field_into(n, key, t);
            }
        }
        if let Some(&by) = self.by_name.get(&key) {
            self.edge_raw(n, by);
        }
        if let Some(subs) = self.keys_subs.get(&h).cloned() {
            for d in subs {
                self.work.push((d, key_val(key)));
            }
        }
        n
    }

    fn copy_field_into(&mut self, field: NodeId, key: u32, target: NodeId) {
        let st = self.node();
        self.edge_raw(field, st);
        self.op_raw(
            target,
            Op::Store {
                key: Some(key),
                src: st,
            },
        );
    }

    /// The getters of field `key` of `h` (made when one is defined): every load of that
    /// field, before or after, calls them.
    fn getter(&mut self, h: Val, key: u32) -> NodeId {
        if let Some(&n) = self.getter_nodes.get(&(h, key)) {
            return n;
        }
        let n = self.node();
        self.getter_nodes.insert((h, key), n);
        self.holder_getters.entry(h).or_default().push((key, n));
        let mut dsts: Vec<NodeId> = self.all_fields_subs.get(&h).cloned().unwrap_or_default();
        if key == ANY_FIELD {
            dsts.extend(
                self.holder_loads
                    .get(&h)
                    .into_iter()
                    .flatten()
                    .map(|(_, d)| *d),
            );
        } else {
            dsts.extend(
                self.holder_loads
                    .get(&h)
                    .into_iter()
                    .flatten()
                    .filter(|(k, _)| *k == key)
                    .map(|(_, d)| *d),
            );
        }
        for d in dsts {
            self.getter_call(n, h, d);
        }
        n
    }

    fn subscribe_all_fields(&mut self, h: Val, dst: NodeId) {
        self.all_fields_subs.entry(h).or_default().push(dst);
        let keys = self.holder_fields.get(&h).cloned().unwrap_or_default();
        for k in keys {
            let f = self.fields[&(h, k)];
            self.edge_raw(f, dst);
        }
        let getters = self.holder_getters.get(&h).cloned().unwrap_or_default();
        for (_, g) in getters {
            self.getter_call(g, h, dst);
        }
    }

    fn getter_call(&mut self, getter: NodeId, h: Val, dst: NodeId) {
        let this = self.node();
        self.add(this, h);
        self.call_raw(
            getter,
            Call {
                site_fn: FnId::ROOT,
                foreign_at: 0,
                in_instance: false,
                proof: ProofId::NONE,
                direct: true,
                this: Some(this),
                args: vec![],
                spread_from: None,
                result: dst,
            },
        );
    }

    fn load_field(&mut self, h: Val, key: Option<u32>, dst: NodeId) {
        match key {
            Some(k) => {
                let f = self.field(h, k);
                self.edge_raw(f, dst);
                if k != ANY_FIELD {
                    let any = self.field(h, ANY_FIELD);
                    self.edge_raw(any, dst);
                }
                // Getters defined now (of this key or of an unknown one) or later.
                self.holder_loads.entry(h).or_default().push((k, dst));
                for gk in [k, ANY_FIELD] {
                    if let Some(&g) = self.getter_nodes.get(&(h, gk)) {
                        self.getter_call(g, h, dst);
                    }
                }
            }
            None => self.subscribe_all_fields(h, dst),
        }
    }

    fn store_field(&mut self, h: Val, key: Option<u32>, src: NodeId) {
        let f = self.field(h, key.unwrap_or(ANY_FIELD));
        self.edge_raw(src, f);
    }

    fn key_of(&self, v: Val) -> Option<Option<u32>> {
        match v {
            Val::Key(k) => Some(Some(k)),
            Val::AnyKey => Some(None),
            _ => None,
        }
    }

    fn fire(&mut self, n: NodeId, op: &Op, v: Val) {
        match op {
            Op::Call(c) => match v {
                Val::Fn(f) => self.link_call(*c, f),
                Val::Builtin(b) => self.builtin_call(*c, b),
                _ => {}
            },
            Op::Load { key, dst } if v.holder() => self.load_field(v, *key, *dst),
            Op::Store { key, src } if v.holder() => self.store_field(v, *key, *src),
            Op::LoadKey { obj, dst } => {
                if let Some(k) = self.key_of(v) {
                    let (obj, dst) = (*obj, *dst);
                    self.op_raw(obj, Op::Load { key: k, dst });
                }
            }
            Op::StoreKey { obj, src } => {
                if let Some(k) = self.key_of(v) {
                    let (obj, src) = (*obj, *src);
                    self.op_raw(obj, Op::Store { key: k, src });
                }
            }
            Op::Elems { dst } if v.holder() => self.subscribe_all_fields(v, *dst),
            Op::CopyFields { target } if v.holder() => {
                let target = *target;
                self.copy_subs.entry(v).or_default().push(target);
                let keys = self.holder_fields.get(&v).cloned().unwrap_or_default();
                for k in keys {
                    let f = self.fields[&(v, k)];
                    self.copy_field_into(f, k, target);
                }
            }
            Op::Keys { dst } if v.holder() => {
                // Every key of the holder so far, and each later one as it appears.
                self.keys_subs.entry(v).or_default().push(*dst);
                let keys = self.holder_fields.get(&v).cloned().unwrap_or_default();
                for k in keys {
                    self.work.push((*dst, key_val(k)));
                }
            }
            Op::ToText { dst } => match v {
                Val::Fn(f) => self.work.push((*dst, Val::Text(f))),
                t if t.is_text() => self.work.push((*dst, t)),
                _ => {}
            },
            Op::DefineProp { key, desc } if v.holder() => {
                let (key, desc) = (*key, *desc);
                let o = self.node();
                self.add(o, v);
                // value: o[key] ⊇ desc.value; get: the field's getters ⊇ desc.get.
                let val = self.node();
                let vk = self.key(&Atom::from("value"));
                self.op_raw(
                    desc,
                    Op::Load {
                        key: Some(vk),
                        dst: val,
                    },
                );
                self.op_raw(key, Op::StoreKey { obj: o, src: val });
                let get = self.node();
                let gk = self.key(&Atom::from("get"));
                self.op_raw(
                    desc,
                    Op::Load {
                        key: Some(gk),
                        dst: get,
                    },
                );
                self.op_raw(key, Op::GetterKey { holder: v, get });
            }
            Op::GetterKey { holder, get } => {
                if let Some(k) = self.key_of(v) {
                    let (holder, get) = (*holder, *get);
                    let g = self.getter(holder, k.unwrap_or(ANY_FIELD));
                    self.edge_raw(get, g);
                }
            }
            Op::DefineProps { props } if v.holder() => {
                let props = *props;
                let d = self.node();
                self.op_raw(props, Op::Elems { dst: d });
                let k = self.node();
                self.op_raw(props, Op::Keys { dst: k });
                let o = self.node();
                self.add(o, v);
                self.op_raw(o, Op::DefineProp { key: k, desc: d });
            }
            Op::Invoke {
                site_fn,
                foreign_at,
                proof,
            } => {
                if let Val::Fn(f) = v {
                    self.invoked.insert(Edge {
                        from: *site_fn,
                        to: f,
                        foreign_at: *foreign_at,
                        proof: *proof,
                    });
                }
            }
            Op::FnName { dst } => {
                if let Val::Fn(f) = v {
                    self.work.push((*dst, Val::Name(f)));
                }
            }
            Op::TextOnly { dst } => {
                if v.is_text() {
                    self.work.push((*dst, v));
                }
            }
            _ => {}
        }
        let _ = n;
    }

    fn link_call(&mut self, c: CallId, f: FnId) {
        let call = self.calls[c as usize].clone();
        if call.direct {
            self.edges.insert(Edge {
                from: call.site_fn,
                to: f,
                foreign_at: call.foreign_at,
                proof: call.proof,
            });
        }
        let key = (c, f);
        if !self.linked.insert(key) {
            return;
        }
        if !call.in_instance && self.instances < MAX_INSTANCES {
            if let Some(t) = self.templates.get(&f).cloned() {
                self.instances += 1;
                self.instantiate(&t, &call);
                return;
            }
        }
        let upto = call.spread_from.unwrap_or(call.args.len());
        for (i, &a) in call.args.iter().take(upto).enumerate() {
            let p = self.param(f, i as u32);
            self.edge_raw(a, p);
        }
        if let Some(s) = call.spread_from {
            // Elements of one array (or the rest of the arguments) go to every later
            // parameter; the function's declared parameters are few.
            let elems = self.node();
            for &a in &call.args[s..] {
                self.op_raw(a, Op::Elems { dst: elems });
            }
            for i in s..s + 8 {
                let p = self.param(f, i as u32);
                self.edge_raw(elems, p);
            }
        }
        if let Some(t) = call.this {
            let tn = self.this_of(f);
            self.edge_raw(t, tn);
        }
        let r = self.ret(f);
        self.edge_raw(r, call.result);
    }

    fn builtin_call(&mut self, c: CallId, b: Builtin) {
        let call = self.calls[c as usize].clone();
        if b == Builtin::FunctionToString {
            if let Some(t) = call.this {
                self.op_raw(t, Op::ToText { dst: call.result });
            }
            return;
        }
        let Some(&target) = call.args.first() else {
            return;
        };
        self.edge_raw(target, call.result);
        match b {
            Builtin::DefineProperty => {
                if let (Some(&k), Some(&d)) = (call.args.get(1), call.args.get(2)) {
                    self.op_raw(target, Op::DefineProp { key: k, desc: d });
                }
            }
            Builtin::DefineProperties => {
                if let Some(&p) = call.args.get(1) {
                    self.op_raw(target, Op::DefineProps { props: p });
                }
            }
            Builtin::Assign => {
                for &s in &call.args[1..] {
                    self.op_raw(s, Op::CopyFields { target });
                }
            }
            Builtin::Identity | Builtin::FunctionToString => {}
        }
    }

    /// Runs the worklist to a fixpoint, then connects loads that found nothing to every
    /// field of their name, and runs again, until nothing changes.
    pub fn solve(&mut self) {
        let stats = std::env::var_os("GUARDMIN_FLOW_STATS").is_some();
        let start = std::time::Instant::now();
        let nodes_before = self.nodes.len();
        loop {
            self.drain();
            if self.exhausted || !self.fallback_enabled || !self.fallback() {
                break;
            }
        }
        if stats {
            let mut kinds = [0usize; 8];
            for n in &self.nodes {
                for v in &n.vals {
                    let k = match v {
                        Val::Fn(_) => 0,
                        Val::Obj(_) => 1,
                        Val::Key(_) => 2,
                        Val::AnyKey => 3,
                        Val::Text(_) => 4,
                        Val::Decl(_) => 5,
                        Val::Name(_) => 6,
                        Val::Builtin(_) => 7,
                    };
                    kinds[k] += 1;
                }
            }
            eprintln!(
                "flow: {:?}, nodes {} -> {}, spent {}, instances {}, templates {}, calls {}, saturated {}, exhausted {}, vals fn/obj/key/any/text/decl/name/builtin {:?}",
                start.elapsed(), nodes_before, self.nodes.len(), self.spent, self.instances,
                self.templates.len(), self.calls.len(), self.saturated, self.exhausted, kinds
            );
        }
    }

    fn drain(&mut self) {
        while let Some((n, v)) = self.work.pop() {
            if self.exhausted {
                self.work.clear();
                return;
            }
            let node = &mut self.nodes[n.index()];
            if matches!(v, Val::Key(_)) && node.set.len() > MAX_KEYS {
                if node.set.contains(&Val::AnyKey) {
                    continue;
                }
                self.work.push((n, Val::AnyKey));
                continue;
            }
            if node.vals.len() >= MAX_VALS {
                // A node this wide carries no information a sink can use: stop here.
                self.saturated = true;
                continue;
            }
            if !node.set.insert(v) {
                continue;
            }
            node.vals.push(v);
            self.spent += 1;
            if self.spent > BUDGET {
                self.exhausted = true;
            }
            let mut i = 0;
            while i < self.nodes[n.index()].succ.len() {
                let s = self.nodes[n.index()].succ[i];
                self.work.push((s, v));
                i += 1;
            }
            let mut i = 0;
            while i < self.nodes[n.index()].ops.len() {
                let op = self.nodes[n.index()].ops[i].clone();
                self.fire(n, &op, v);
                i += 1;
            }
        }
    }

    fn fallback(&mut self) -> bool {
        let mut changed = false;
        for i in 0..self.loads.len() {
            let (recv, key, dst) = self.loads[i];
            if self.fallback_done.contains(&i) || !self.vals(dst).is_empty() {
                continue;
            }
            let Some(k) = key else { continue };
            if k == ANY_FIELD {
                continue;
            }
            let _ = recv; // the receiver had no object with such a field
            self.fallback_done.insert(i);
            let by = self.by_name_node(k);
            self.edge_raw(by, dst);
            changed = true;
        }
        changed
    }

    fn by_name_node(&mut self, k: u32) -> NodeId {
        if let Some(&n) = self.by_name.get(&k) {
            return n;
        }
        let n = self.node();
        self.by_name.insert(k, n);
        let fields: Vec<NodeId> = self
            .fields
            .iter()
            .filter(|((_, fk), _)| *fk == k)
            .map(|(_, n)| *n)
            .collect();
        for f in fields {
            self.edge_raw(f, n);
        }
        n
    }
}

fn key_val(k: u32) -> Val {
    if k == ANY_FIELD {
        Val::AnyKey
    } else {
        Val::Key(k)
    }
}

/// `op` with its nodes and values mapped (for template instances).
fn map_op(op: &Op, mut n: impl FnMut(NodeId) -> NodeId, v: impl Fn(Val) -> Val) -> Op {
    match op {
        Op::Call(c) => Op::Call(*c),
        Op::Load { key, dst } => Op::Load {
            key: *key,
            dst: n(*dst),
        },
        Op::Store { key, src } => Op::Store {
            key: *key,
            src: n(*src),
        },
        Op::LoadKey { obj, dst } => Op::LoadKey {
            obj: n(*obj),
            dst: n(*dst),
        },
        Op::StoreKey { obj, src } => Op::StoreKey {
            obj: n(*obj),
            src: n(*src),
        },
        Op::Elems { dst } => Op::Elems { dst: n(*dst) },
        Op::CopyFields { target } => Op::CopyFields { target: n(*target) },
        Op::Keys { dst } => Op::Keys { dst: n(*dst) },
        Op::ToText { dst } => Op::ToText { dst: n(*dst) },
        Op::DefineProp { key, desc } => Op::DefineProp {
            key: n(*key),
            desc: n(*desc),
        },
        Op::GetterKey { holder, get } => Op::GetterKey {
            holder: v(*holder),
            get: n(*get),
        },
        Op::DefineProps { props } => Op::DefineProps { props: n(*props) },
        Op::Invoke {
            site_fn,
            foreign_at,
            proof,
        } => Op::Invoke {
            site_fn: *site_fn,
            foreign_at: *foreign_at,
            proof: *proof,
        },
        Op::TextOnly { dst } => Op::TextOnly { dst: n(*dst) },
        Op::FnName { dst } => Op::FnName { dst: n(*dst) },
    }
}
