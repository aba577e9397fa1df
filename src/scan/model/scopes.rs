//! The builder: one walk over the resolved program that records functions, bindings and
//! reads with the facts that dominate them, and lowers every expression into value-flow
//! constraints ([`super::lower`]). Statements and functions are here.

use super::flow::{Flow, Val};
use super::guards::{self, Fact, Facts, Proofs, TestFacts};
use super::ids::{BindingId, FnId, NodeId, ObjId, ProofId};
use super::{Binding, FnInfo, Model, Read};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use swc_atoms::Atom;
use swc_common::{Mark, Span, Spanned, SyntaxContext};
use swc_ecma_ast::*;
use swc_ecma_visit::VisitWith;

pub struct Builder {
    pub(super) m: Model,
    pub(super) unresolved: SyntaxContext,
    ids: HashMap<Id, BindingId>,
    pub(super) var_nodes: Vec<NodeId>,
    /// Function stack; the innermost non-arrow function gives `this`.
    pub(super) stack: Vec<(FnId, bool)>,
    pub(super) proof: ProofId,
    /// Depths of the functions holding the `try` blocks (that swallow) and the Node.js or
    /// window branches around the current point.
    caught: Vec<u32>,
    foreign: Vec<u32>,
    pub(super) in_optional_chain_test: u32,
    /// Local flags that hold a test: `var ok = typeof X !== "undefined"`.
    flags: HashMap<BindingId, TestFacts>,
    /// Bindings set from a Node.js-or-window test (`ENVIRONMENT_IS_NODE`): whether the
    /// flag being truthy (`.0`) or falsy (`.1`) means that environment.
    env_flags: HashMap<BindingId, (bool, bool)>,
    /// What the value being given to a binding contained: (currentScript or import.meta,
    /// `__filename`).
    pub(super) def_flags: (bool, bool),
    pub(super) global_node: NodeId,
    pub(super) decl_ids: HashMap<(Vec<Atom>, Vec<Atom>), u32>,
    /// The name a function about to be lowered is given (`var f = function`), unused now.
    pub(super) args_nodes: HashMap<FnId, NodeId>,
    /// Whether the call being lowered names its callee directly ([`super::flow::Call::direct`]).
    pub(super) direct_call: bool,
    /// The call being lowered is a statement whose value is thrown away.
    pub(super) discarded: bool,
}

/// Globals that exist only in Node.js or in a window, never in a worker or a fresh realm.
const FOREIGN_GLOBALS: &[&str] = &[
    "process",
    "require",
    "module",
    "exports",
    "global",
    "__filename",
    "__dirname",
    "window",
    "document",
];

impl Builder {
    pub fn run(program: &Program, unresolved_mark: Mark) -> Model {
        let mut flow = Flow::new();
        let global_node = flow.node();
        flow.add(global_node, Val::Obj(ObjId::GLOBAL));
        let mut b = Builder {
            m: Model {
                fns: vec![FnInfo {
                    parent: None,
                    depth: 0,
                    span: program.span(),
                    own_binding: None,
                    text_name: None,
                    thread_marker: false,
                }],
                bindings: Vec::new(),
                reads: Vec::new(),
                sinks: Vec::new(),
                void_compares: Vec::new(),
                assigned_globals: HashSet::default(),
                shared_memory_at: None,
                uses_wasm: false,
                proofs: Proofs::default(),
                flow,
                decls: Vec::new(),
                invoked_inside: Vec::new(),
            },
            unresolved: SyntaxContext::empty().apply_mark(unresolved_mark),
            ids: HashMap::default(),
            var_nodes: Vec::new(),
            stack: vec![(FnId::ROOT, false)],
            proof: ProofId::NONE,
            caught: Vec::new(),
            foreign: Vec::new(),
            in_optional_chain_test: 0,
            flags: HashMap::default(),
            env_flags: HashMap::default(),
            def_flags: (false, false),
            global_node,
            decl_ids: HashMap::default(),
            args_nodes: HashMap::default(),
            direct_call: true,
            discarded: false,
        };
        // Top-level `this` of a script is the global object; CommonJS `module.exports` and
        // `exports` of an unwrapped file are one object.
        let this = b.m.flow.this_of(FnId::ROOT);
        b.m.flow.add(this, Val::Obj(ObjId::GLOBAL));
        let exports = b.new_obj();
        let module = b.new_obj();
        let k_exports = b.m.flow.key(&Atom::from("exports"));
        let k_module = b.m.flow.key(&Atom::from("module"));
        for (holder, key, val) in [
            (ObjId::GLOBAL, k_exports, exports),
            (ObjId::GLOBAL, k_module, module),
            (module, k_exports, exports),
        ] {
            let f = b.m.flow.field(Val::Obj(holder), key);
            b.m.flow.add(f, Val::Obj(val));
        }
        program.visit_with(&mut b);
        b.finish()
    }

    fn finish(mut self) -> Model {
        self.m.flow.solve(self.m.fns.len());
        for binding in &mut self.m.bindings {
            binding.script_dir = binding.script_hits > 0 && binding.other_defs == 0;
        }
        let fns = &self.m.fns;
        let bindings = &self.m.bindings;
        self.m
            .proofs
            .resolve(|b| bindings[b.index()].decl_fn.map(|f| fns[f.index()].depth));
        self.m
    }

    pub(super) fn new_obj(&mut self) -> ObjId {
        self.m.flow.new_obj()
    }

    pub(super) fn cur(&self) -> FnId {
        self.stack.last().unwrap().0
    }

    /// The function whose `this` an expression here sees (arrows see their parent's).
    pub(super) fn this_fn(&self) -> FnId {
        self.stack
            .iter()
            .rev()
            .find(|(_, arrow)| !arrow)
            .map_or(FnId::ROOT, |(f, _)| *f)
    }

    pub(super) fn is_unresolved(&self, i: &Ident) -> bool {
        i.ctxt == self.unresolved
    }

    /// The binding of a resolved identifier (made on first sight).
    pub(super) fn binding_of(&mut self, i: &Ident) -> Option<BindingId> {
        if self.is_unresolved(i) {
            return None;
        }
        let id = i.to_id();
        if let Some(&b) = self.ids.get(&id) {
            return Some(b);
        }
        let b = BindingId::new(self.m.bindings.len());
        self.m.bindings.push(Binding {
            name: i.sym.clone(),
            decl_fn: None,
            span: i.span,
            script_dir: false,
            script_hits: 0,
            other_defs: 0,
        });
        let n = self.m.flow.node();
        self.var_nodes.push(n);
        self.ids.insert(id, b);
        Some(b)
    }

    pub(super) fn var_node(&self, b: BindingId) -> NodeId {
        self.var_nodes[b.index()]
    }

    /// Declares `i` in the function `in_fn` and returns its value node.
    pub(super) fn declare(&mut self, i: &Ident, in_fn: FnId) -> Option<NodeId> {
        let b = self.binding_of(i)?;
        let binding = &mut self.m.bindings[b.index()];
        if binding.decl_fn.is_none() {
            binding.decl_fn = Some(in_fn);
            binding.span = i.span;
        }
        Some(self.var_node(b))
    }

    /// Records a read and, when it is a plain read of a binding, the fact that the binding
    /// exists from here on (had it not, the read would have thrown).
    pub(super) fn read(&mut self, i: &Ident, in_typeof: bool) -> usize {
        let binding = self.binding_of(i);
        self.m.reads.push(Read {
            binding,
            name: i.sym.clone(),
            span: i.span,
            fn_id: self.cur(),
            in_typeof,
            proof: self.proof,
            guard_shape: false,
            caught_at: self.caught.last().copied().unwrap_or(0),
            foreign_at: self.foreign.last().copied().unwrap_or(0),
        });
        if let (Some(b), false) = (binding, in_typeof) {
            let d = self.depth();
            self.proof = self.m.proofs.push(self.proof, Fact::Binding(b), d);
        }
        self.m.reads.len() - 1
    }

    pub(super) fn depth(&self) -> u32 {
        self.m.fns[self.cur().index()].depth
    }

    pub(super) fn facts_of(&mut self, test: &Expr) -> TestFacts {
        guards::test_facts(test, self)
    }

    pub(super) fn with_facts<R>(&mut self, facts: &[Fact], f: impl FnOnce(&mut Self) -> R) -> R {
        let saved = self.proof;
        let d = self.depth();
        self.proof = self.m.proofs.extend(saved, facts, d);
        let r = f(self);
        self.proof = saved;
        r
    }

    /// Whether `e` evaluating to `truthy` means the code runs under Node.js or in a
    /// window, never in a worker or a fresh realm.
    pub(super) fn foreign_test(&self, e: &Expr, truthy: bool) -> bool {
        match guards::unparen(e) {
            Expr::Bin(b) if b.op == BinaryOp::LogicalAnd => {
                if truthy {
                    self.foreign_test(&b.left, true) || self.foreign_test(&b.right, true)
                } else {
                    self.foreign_test(&b.left, false) && self.foreign_test(&b.right, false)
                }
            }
            Expr::Bin(b) if b.op == BinaryOp::LogicalOr => {
                if truthy {
                    self.foreign_test(&b.left, true) && self.foreign_test(&b.right, true)
                } else {
                    self.foreign_test(&b.left, false) || self.foreign_test(&b.right, false)
                }
            }
            Expr::Bin(b) => crate::guard::guard_test(b).is_some_and(|t| {
                t.defined_when_true == truthy
                    && self.is_unresolved(t.ident)
                    && FOREIGN_GLOBALS.contains(&&*t.ident.sym)
            }),
            Expr::Unary(u) if u.op == UnaryOp::Bang => self.foreign_test(&u.arg, !truthy),
            Expr::Ident(i) => self
                .ids
                .get(&i.to_id())
                .and_then(|b| self.env_flags.get(b))
                .is_some_and(|(t, f)| if truthy { *t } else { *f }),
            _ => false,
        }
    }

    /// Enters a branch without leaving it (the caller restores `proof` and the foreign
    /// stack): for chains walked in a loop.
    pub(super) fn enter_branch(&mut self, test: &Expr, facts: &[Fact], truthy: bool) {
        if self.foreign_test(test, truthy) {
            let d = self.depth();
            self.foreign.push(d);
        }
        let d = self.depth();
        self.proof = self.m.proofs.extend(self.proof, facts, d);
    }

    pub(super) fn foreign_len(&self) -> usize {
        self.foreign.len()
    }

    pub(super) fn truncate_foreign(&mut self, len: usize) {
        self.foreign.truncate(len);
    }

    /// The depth of the innermost Node.js-or-window branch around the current point.
    pub(super) fn foreign_at(&self) -> u32 {
        self.foreign.last().copied().unwrap_or(0)
    }

    /// Runs `f` as code that runs only under a condition the analysis cannot know (a
    /// default parameter value: only when the argument is missing).
    pub(super) fn conditional<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> R {
        let d = self.depth();
        self.caught.push(d);
        let r = f(self);
        self.caught.pop();
        r
    }

    /// Runs `f` as a branch that runs only when `test` is `truthy`.
    pub(super) fn branch<R>(
        &mut self,
        test: &Expr,
        facts: &[Fact],
        truthy: bool,
        f: impl FnOnce(&mut Self) -> R,
    ) -> R {
        let foreign = self.foreign_test(test, truthy);
        if foreign {
            let d = self.depth();
            self.foreign.push(d);
        }
        let r = self.with_facts(facts, f);
        if foreign {
            self.foreign.pop();
        }
        r
    }

    /// Lowers a function: a new [`FnId`], its parameters bound to the flow's parameter
    /// nodes, its body walked with the facts in force where it is written.
    #[inline(never)]
    pub(super) fn function(
        &mut self,
        span: Span,
        arrow: bool,
        own: Option<&Ident>,
        params: &[&Pat],
        body: FnBody<'_>,
    ) -> FnId {
        let parent = self.cur();
        let f = FnId::new(self.m.fns.len());
        self.m.fns.push(FnInfo {
            parent: Some(parent),
            depth: self.m.fns[parent.index()].depth + 1,
            span,
            own_binding: None,
            text_name: own.map(|i| i.sym.clone()),
            thread_marker: false,
        });
        self.stack.push((f, arrow));
        self.m.flow.begin_template(f);
        let bindings_before = self.m.bindings.len();
        self.m.flow.this_of(f);
        self.m.flow.ret(f);
        let saved_proof = self.proof;
        if let Some(i) = own {
            if let Some(n) = self.declare(i, f) {
                self.m.flow.add(n, Val::Fn(f));
            }
            self.m.fns[f.index()].own_binding = self.binding_of(i);
        }
        for (idx, p) in params.iter().enumerate() {
            let pn = self.m.flow.param(f, idx as u32);
            if let Pat::Rest(r) = p {
                // The rest of the arguments: an array of every later one.
                let arr = self.new_obj();
                let an = self.m.flow.node();
                self.m.flow.add(an, Val::Obj(arr));
                let any = self.m.flow.field(Val::Obj(arr), super::flow::ANY_FIELD);
                for k in idx..idx + 8 {
                    let later = self.m.flow.param(f, k as u32);
                    self.m.flow.edge(later, any);
                }
                self.bind_pat(&r.arg, Some(an), f);
            } else {
                self.bind_pat(p, Some(pn), f);
            }
        }
        match body {
            FnBody::Block(Some(b)) => self.stmts(&b.stmts),
            FnBody::Block(None) => {}
            FnBody::Expr(e) => {
                if let Some(n) = self.expr(e) {
                    let r = self.m.flow.ret(f);
                    self.m.flow.edge(n, r);
                }
            }
        }
        self.proof = saved_proof;
        self.stack.pop();
        // Small functions get a copy of their constraints per call site: variables of
        // other scopes first seen here stay shared.
        let fn_range = f.index()..self.m.fns.len();
        let outside: HashSet<NodeId> = (bindings_before..self.m.bindings.len())
            .filter(|&b| {
                !self.m.bindings[b]
                    .decl_fn
                    .is_some_and(|d| fn_range.contains(&d.index()))
            })
            .map(|b| self.var_nodes[b])
            .collect();
        let qualifies =
            !self.args_nodes.contains_key(&f) && !params.iter().any(|p| matches!(p, Pat::Rest(_)));
        let param_nodes = (0..params.len())
            .map(|i| self.m.flow.param(f, i as u32))
            .collect();
        let fn_end = self.m.fns.len();
        self.m
            .flow
            .end_template(f, fn_end, qualifies, outside, param_nodes);
        f
    }

    /// A statement list: a test followed by an exit (`if (typeof X > "u") return;`) makes
    /// its negation hold for the statements after it.
    pub(super) fn stmts(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            s.visit_with(self);
        }
    }

    /// The value of a constant piece of code text: the names it declares and the names it
    /// calls (`'var M = '`, `';\nmain();'`), when it has any.
    pub(super) fn decl_val(&mut self, text: &str) -> Option<Val> {
        let declared = super::sinks::declared_names_in_text(text);
        let mut called = super::sinks::called_names_in_text(text);
        // A whole script is read from its syntax: what it declares in any scope (parameters
        // too) is no call of a missing name.
        if !called.is_empty() {
            if let Some(c) = super::sinks::undeclared_calls_in_code(text) {
                called = c;
            }
        }
        if declared.is_empty() && called.is_empty() {
            return None;
        }
        let key = (declared, called);
        if let Some(&d) = self.decl_ids.get(&key) {
            return Some(Val::Decl(d));
        }
        let d = self.m.decls.len() as u32;
        self.m.decls.push(key.clone());
        self.decl_ids.insert(key, d);
        Some(Val::Decl(d))
    }

    /// Records a binding's value for recognising Emscripten's script-directory variable.
    pub(super) fn count_def(&mut self, b: Option<BindingId>, fallback: bool) {
        let (script, filename) = std::mem::take(&mut self.def_flags);
        if let Some(b) = b {
            let binding = &mut self.m.bindings[b.index()];
            if script {
                binding.script_hits += 1;
            } else if !filename && !fallback {
                binding.other_defs += 1;
            }
        }
    }

    pub(super) fn mark_invoked(&mut self, callee_fn: FnId) {
        let cur = self.cur();
        let foreign_at = self.foreign_at();
        self.m.invoked_inside.push(super::flow::Edge {
            from: cur,
            to: callee_fn,
            foreign_at,
            proof: self.proof,
        });
    }

    pub(super) fn set_flag(&mut self, b: BindingId, init: &Expr) {
        let facts = self.facts_of(init);
        if !facts.when_true.is_empty() || !facts.when_false.is_empty() {
            self.flags.insert(b, facts);
        }
        let (t, f) = (
            self.foreign_test(init, true),
            self.foreign_test(init, false),
        );
        if t || f {
            self.env_flags.insert(b, (t, f));
        }
    }

    pub(super) fn try_block(&mut self, t: &TryStmt) {
        let swallows = t.handler.as_ref().is_some_and(guards::catch_swallows);
        let saved = self.proof;
        if swallows {
            let d = self.depth();
            self.caught.push(d);
        }
        self.stmts(&t.block.stmts);
        if swallows {
            self.caught.pop();
        }
        self.proof = saved;
        if let Some(h) = &t.handler {
            let cur = self.cur();
            if let Some(p) = &h.param {
                self.bind_pat(p, None, cur);
            }
            self.stmts(&h.body.stmts);
            self.proof = saved;
        }
        if let Some(f) = &t.finalizer {
            self.stmts(&f.stmts);
        }
    }
}

/// A function's body: statements, or an arrow's expression.
pub enum FnBody<'b> {
    Block(Option<&'b FunctionBody>),
    Expr(&'b Expr),
}

impl Facts for Builder {
    fn typeof_fact(&mut self, i: &Ident) -> Fact {
        match self.binding_of(i) {
            Some(b) => Fact::Binding(b),
            None => Fact::Global(i.sym.clone()),
        }
    }

    fn flag(&self, i: &Ident) -> Option<TestFacts> {
        let b = self.ids.get(&i.to_id())?;
        self.flags.get(b).cloned()
    }
}
