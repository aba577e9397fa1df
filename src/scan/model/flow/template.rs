//! Per-call-site copies of small functions: the constraints recorded while one is lowered,
//! replayed with fresh local nodes and objects for each call.

use super::*;

/// One step of building the constraints, recorded while a small function is lowered so
/// that each call site can get its own copy ([`Template`]).
#[derive(Clone, Debug)]
pub(super) enum Event {
    Add(NodeId, Val),
    Edge(NodeId, NodeId),
    Op(NodeId, Op),
    Call(NodeId, Call),
}

/// The constraints of a small function, instantiated per call site (call-site sensitivity,
/// with its own objects and its own copies of the closures it makes: helpers like
/// `__name(fn, "n")`, interop wrappers, module loaders and CommonJS wrappers that return a
/// closure return what *this* call passed).
#[derive(Clone, Debug)]
pub struct Template {
    first_node: usize,
    end_node: usize,
    first_obj: usize,
    end_obj: usize,
    /// The functions written inside it: each instance gets its own copy (a closure).
    first_fn: usize,
    end_fn: usize,
    /// Nodes made while lowering that belong to the outside (variables of enclosing scopes).
    outside: HashSet<NodeId>,
    params: Vec<NodeId>,
    this: NodeId,
    ret: NodeId,
    events: Vec<Event>,
}

pub(super) struct Recording {
    first_node: usize,
    first_obj: usize,
    first_fn: usize,
    events: Vec<Event>,
    ok: bool,
}

/// The most events a function may have to be instantiated per call site.
pub(super) const MAX_TEMPLATE_EVENTS: usize = 400;

impl Flow {
    /// A copy of function `g` made by a template instance (a closure of that call).
    fn new_clone(&mut self, g: FnId) -> FnId {
        let c = FnId::new(self.clone_base + self.clones.len());
        self.clones.push(g);
        c
    }

    /// The function a value stands for: a closure copy is its function.
    pub fn canon(&self, f: FnId) -> FnId {
        match f.index().checked_sub(self.clone_base) {
            Some(i) if self.clone_base > 0 => self.clones[i],
            _ => f,
        }
    }

    /// Every function being lowered records the step (an inner function's steps belong to
    /// the functions around it too).
    pub(super) fn record(&mut self, e: Event) {
        for r in &mut self.recordings {
            if r.ok {
                r.events.push(e.clone());
                if r.events.len() > MAX_TEMPLATE_EVENTS {
                    r.ok = false;
                    r.events.clear();
                }
            }
        }
    }

    /// Starts recording the constraints of function `f`'s body.
    pub fn begin_template(&mut self, f: FnId) {
        self.recordings.push(Recording {
            first_node: self.nodes.len(),
            first_obj: self.next_obj,
            first_fn: f.index() + 1,
            events: Vec::new(),
            ok: true,
        });
    }

    /// Ends the recording; keeps it as `f`'s template when `f` qualifies.
    pub fn end_template(
        &mut self,
        f: FnId,
        fn_end: usize,
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
            std::rc::Rc::new(Template {
                first_node: r.first_node,
                end_node: self.nodes.len(),
                first_obj: r.first_obj,
                end_obj: self.next_obj,
                first_fn: r.first_fn,
                end_fn: fn_end,
                outside,
                params,
                this,
                ret,
                events: r.events,
            }),
        );
    }

    /// A copy of `f`'s template for one call: fresh local nodes and objects.
    pub(super) fn instantiate(&mut self, t: &Template, call: &Call) {
        let mut nodes: HashMap<NodeId, NodeId> = HashMap::default();
        let mut objs: HashMap<usize, ObjId> = HashMap::default();
        for o in t.first_obj..t.end_obj {
            let fresh = self.new_obj();
            objs.insert(o, fresh);
        }
        let mut fns: HashMap<usize, FnId> = HashMap::default();
        for g in t.first_fn..t.end_fn {
            fns.insert(g, self.new_clone(FnId::new(g)));
        }
        let map_val = |v: Val, objs: &HashMap<usize, ObjId>| match v {
            Val::Obj(o) => objs.get(&o.index()).map_or(v, |f| Val::Obj(*f)),
            Val::Fn(g) => fns.get(&g.index()).map_or(v, |c| Val::Fn(*c)),
            v => v,
        };
        let map = |n: NodeId, flow: &mut Flow, nodes: &mut HashMap<NodeId, NodeId>| {
            let i = n.index();
            if i < t.first_node
                || i >= t.end_node
                || t.outside.contains(&n)
                || flow.shared.contains(&n)
            {
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
        // Each closure copy gets the copies of its own parameters, `this` and return.
        for (&g, &c) in &fns {
            let g = FnId::new(g);
            for i in 0..16u32 {
                if let Some(&p) = self.params.get(&(g, i)) {
                    let pm = map(p, self, &mut nodes);
                    self.params.insert((c, i), pm);
                }
            }
            if let Some(&th) = self.this_nodes.get(&g) {
                let m = map(th, self, &mut nodes);
                self.this_nodes.insert(c, m);
            }
            if let Some(&r) = self.returns.get(&g) {
                let m = map(r, self, &mut nodes);
                self.returns.insert(c, m);
            }
        }
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
                        depth: call.depth + 1,
                        proof: c.proof,
                        direct: c.direct,
                        inline_callee: c.inline_callee,
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
        Op::ObjElems { dst } => Op::ObjElems { dst: n(*dst) },
        Op::CopyFields { target } => Op::CopyFields { target: n(*target) },
        Op::Keys { dst } => Op::Keys { dst: n(*dst) },
        Op::ToText { dst, explicit } => Op::ToText {
            dst: n(*dst),
            explicit: *explicit,
        },
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
