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
//! of that object also reads. A load that finds nothing on the objects it knows stays empty:
//! the field-based fallback of Feldthaus et al. (ICSE 2013) was measured on real bundles and
//! made whole-library objects flow everywhere, so prototype methods are not followed yet.

use super::ids::{FnId, NodeId, ObjId, ProofId};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use smallvec::SmallVec;
use swc_atoms::Atom;

mod solve;
mod template;

pub use template::Template;
use template::{Event, Recording};

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
#[derive(Clone, Copy, Debug)]
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
    /// Like [`Op::Elems`], for objects only (a function receiver of `join` or `forEach` is a
    /// class with static methods, not an array).
    ObjElems { dst: NodeId },
    /// Every field of each object of `watched` copied into the same field of `target`'s
    /// objects (`Object.assign`, object spread).
    CopyFields { target: NodeId },
    /// The keys of each object of `watched` into `dst` (`for...in`, `Object.keys`).
    Keys { dst: NodeId },
    /// Function values of `watched` become their source text in `dst`.
    /// `explicit`: made on purpose (`f.toString()`, `String(f)`), not by a `+` or a
    /// template that may only meet a function through the analysis' merging.
    ToText { dst: NodeId, explicit: bool },
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
    /// The callee is the function written right there (an IIFE): called from this one
    /// place, its own constraints already are this call's copy, so none is made.
    pub inline_callee: bool,
    /// How many template instances deep the call was made: calls in an instance copy the
    /// small functions they call too, up to [`MAX_INSTANCE_DEPTH`] (recursion cannot expand
    /// without end).
    pub depth: u8,
    pub this: Option<NodeId>,
    pub args: Vec<NodeId>,
    /// From this argument on, the values come from the elements of one array (`f.apply`,
    /// spread arguments).
    pub spread_from: Option<usize>,
    pub result: NodeId,
}

/// A node of the constraint graph. Most nodes hold a value or two, one successor and at most
/// one constraint, so each list keeps its first entries inline (no allocation); membership
/// is a scan of `vals`, which never grows past [`MAX_VALS`].
#[derive(Default)]
struct Node {
    vals: SmallVec<[Val; 2]>,
    succ: SmallVec<[NodeId; 4]>,
    ops: SmallVec<[Op; 1]>,
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
    /// Call graph found.
    pub edges: HashSet<Edge>,
    /// Functions the runtime invokes (handlers, callbacks of unresolved calls).
    pub invoked: HashSet<Edge>,
    work: Vec<(NodeId, Val)>,
    next_obj: usize,
    recordings: Vec<Recording>,
    templates: HashMap<FnId, std::rc::Rc<Template>>,
    /// The holder and key of every field node.
    node_field: HashMap<NodeId, (Val, u32)>,
    /// Total values propagated; past [`BUDGET`] the solver stops (the result is then partial).
    pub spent: usize,
    pub exhausted: bool,
    /// Some node reached [`MAX_VALS`].
    pub saturated: bool,
    /// Every function whose source text the code makes, wherever the text goes.
    pub texts_made: HashSet<FnId>,
    /// Closure copies made by template instances (index + `clone_base`) and the function
    /// each copies.
    clones: Vec<FnId>,
    clone_base: usize,
    /// Nodes every template instance shares (sinks: what reaches them from any copy counts).
    shared: HashSet<NodeId>,
    instances: usize,
}

/// Upper bound on value propagations per file: keeps pathological inputs bounded.
const BUDGET: usize = 2_000_000;
/// The most values one node holds. Beyond it the node stops growing (the flow is then
/// partial there): sets this wide come from merged library objects, never from the
/// handful of functions whose text a bundle sends to a worker.
const MAX_VALS: usize = 32;
/// How deep template instances nest (a helper calling a helper calling a helper).
pub const MAX_INSTANCE_DEPTH: u8 = 3;
/// The most template instances per file (then calls link to the shared copy).
const MAX_INSTANCES: usize = 50_000;

impl Flow {
    /// Marks a node as one that template instances share, not copy.
    pub fn share(&mut self, n: NodeId) {
        self.shared.insert(n);
    }

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

    pub(super) fn edge_raw(&mut self, from: NodeId, to: NodeId) {
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
        self.record(Event::Op(n, op));
        self.op_raw(n, op);
    }

    pub(super) fn op_raw(&mut self, n: NodeId, op: Op) {
        self.nodes[n.index()].ops.push(op);
        let vals = self.nodes[n.index()].vals.clone();
        for v in vals {
            self.fire(&op, v);
        }
    }

    pub fn call(&mut self, callee: NodeId, call: Call) {
        self.record(Event::Call(callee, call.clone()));
        self.call_raw(callee, call);
    }

    pub(super) fn call_raw(&mut self, callee: NodeId, call: Call) {
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
}

fn key_val(k: u32) -> Val {
    if k == ANY_FIELD {
        Val::AnyKey
    } else {
        Val::Key(k)
    }
}
