//! The solver: what each constraint does with each new value, the models of built-in
//! functions, and the worklist that runs to a fixpoint.

use super::*;

impl Flow {
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
        if let Some(subs) = self.keys_subs.get(&h).cloned() {
            for d in subs {
                self.work.push((d, key_val(key)));
            }
        }
        n
    }

    pub(super) fn copy_field_into(&mut self, field: NodeId, key: u32, target: NodeId) {
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
    pub(super) fn getter(&mut self, h: Val, key: u32) -> NodeId {
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

    pub(super) fn subscribe_all_fields(&mut self, h: Val, dst: NodeId) {
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

    pub(super) fn getter_call(&mut self, getter: NodeId, h: Val, dst: NodeId) {
        let this = self.node();
        self.add(this, h);
        self.call_raw(
            getter,
            Call {
                site_fn: FnId::ROOT,
                foreign_at: 0,
                depth: 0,
                proof: ProofId::NONE,
                direct: true,
                inline_callee: false,
                this: Some(this),
                args: vec![],
                spread_from: None,
                result: dst,
            },
        );
    }

    pub(super) fn load_field(&mut self, h: Val, key: Option<u32>, dst: NodeId) {
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

    pub(super) fn store_field(&mut self, h: Val, key: Option<u32>, src: NodeId) {
        let f = self.field(h, key.unwrap_or(ANY_FIELD));
        self.edge_raw(src, f);
    }

    pub(super) fn key_of(&self, v: Val) -> Option<Option<u32>> {
        match v {
            Val::Key(k) => Some(Some(k)),
            Val::AnyKey => Some(None),
            _ => None,
        }
    }

    pub(super) fn fire(&mut self, op: &Op, v: Val) {
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
            Op::ObjElems { dst } if matches!(v, Val::Obj(_)) => self.subscribe_all_fields(v, *dst),
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
            Op::ToText { dst, explicit } => match v {
                Val::Fn(f) => {
                    let f = self.canon(f);
                    if *explicit {
                        self.texts_made.insert(f);
                    }
                    self.work.push((*dst, Val::Text(f)));
                }
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
                    let f = self.canon(f);
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
                    let f = self.canon(f);
                    self.work.push((*dst, Val::Name(f)));
                }
            }
            Op::TextOnly { dst } if v.is_text() => self.work.push((*dst, v)),
            _ => {}
        }
    }

    pub(super) fn link_call(&mut self, c: CallId, f: FnId) {
        let call = self.calls[c as usize].clone();
        if call.direct {
            let to = self.canon(f);
            self.edges.insert(Edge {
                from: call.site_fn,
                to,
                foreign_at: call.foreign_at,
                proof: call.proof,
            });
        }
        let key = (c, f);
        if !self.linked.insert(key) {
            return;
        }
        // A call of a closure copy links to the copy's own nodes (made by its instance).
        if call.depth < MAX_INSTANCE_DEPTH && self.instances < MAX_INSTANCES && !call.inline_callee
        {
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

    pub(super) fn builtin_call(&mut self, c: CallId, b: Builtin) {
        let call = self.calls[c as usize].clone();
        if b == Builtin::FunctionToString {
            if let Some(t) = call.this {
                self.op_raw(
                    t,
                    Op::ToText {
                        dst: call.result,
                        explicit: true,
                    },
                );
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

    /// Runs the worklist to a fixpoint; `fn_count` is the number of functions of the file
    /// (closure copies are numbered after them). A load that finds nothing stays empty: a
    /// fallback to every field of that name anywhere (field-based) was measured on real
    /// bundles and made whole-library objects flow everywhere (9 GB, 76 s on tfjs).
    pub fn solve(&mut self, fn_count: usize) {
        self.clone_base = fn_count;
        let stats = std::env::var_os("GUARDMIN_FLOW_STATS").is_some();
        let start = std::time::Instant::now();
        let nodes_before = self.nodes.len();
        // Template instances multiply the nodes and calls several times over: reserving
        // room up front (address space, touched only as used) spares copying the tables
        // each time they would double.
        self.nodes.reserve(nodes_before * 8);
        self.calls.reserve(self.calls.len() * 8);
        self.drain();
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

    pub(super) fn drain(&mut self) {
        while let Some((n, v)) = self.work.pop() {
            if self.exhausted {
                self.work.clear();
                return;
            }
            let node = &mut self.nodes[n.index()];
            if node.vals.len() >= MAX_VALS {
                // A node this wide carries no information a sink can use: stop here.
                self.saturated = true;
                continue;
            }
            if node.vals.contains(&v) {
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
                let op = self.nodes[n.index()].ops[i];
                self.fire(&op, v);
                i += 1;
            }
        }
    }
}
