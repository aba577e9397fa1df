//! The semantic model the scan rules read, built in one walk over a resolved program
//! (swc's `resolver` must have run: a binding is its `(name, SyntaxContext)`, and
//! unresolved names carry the unresolved mark).
//!
//! - [`ids`]: typed indexes into the tables below.
//! - [`scopes`]: functions, bindings and every read, with the guard facts that dominate it.
//! - [`flow`]: the value flow of functions, objects, keys and function text.
//! - [`sinks`]: where text comes from and where it is run.
//! - [`guards`]: which facts dominate a point.
//!
//! The builder ([`scopes::Builder`]) is separate from the result ([`Model`]), which holds no
//! reference into the program.

mod calls;
pub mod flow;
pub mod guards;
pub mod ids;
mod lower;
mod members;
mod objects;
mod operators;
mod patterns;
pub mod scopes;
pub mod sinks;
mod stmts;

use flow::{Flow, Val};
use guards::Proofs;
pub use ids::{BindingId, FnId, NodeId, ProofId, SinkId};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use swc_atoms::Atom;
use swc_common::{Mark, Span};
use swc_ecma_ast::Program;

pub struct FnInfo {
    pub parent: Option<FnId>,
    /// Nesting depth: the program is 0.
    pub depth: u32,
    pub span: Span,
    /// The binding of its own name (a declaration's, or a named expression's inner one).
    pub own_binding: Option<BindingId>,
    /// The name its source text declares when run as a statement (`function helper() {}`).
    pub text_name: Option<Atom>,
    /// Uses `new Worker`, `SharedArrayBuffer` or `Atomics` itself.
    pub thread_marker: bool,
}

pub struct Binding {
    pub name: Atom,
    /// The function whose scope declares it; `None` until a declaration is seen.
    pub decl_fn: Option<FnId>,
    pub span: Span,
    /// Set from `document.currentScript` or `import.meta.url`: Emscripten's script directory.
    pub script_dir: bool,
    pub(crate) script_hits: u32,
    pub(crate) other_defs: u32,
}

pub struct Read {
    /// `None`: an unresolved (global) name.
    pub binding: Option<BindingId>,
    pub name: Atom,
    pub span: Span,
    pub fn_id: FnId,
    pub in_typeof: bool,
    /// The facts that dominate the read.
    pub proof: ProofId,
    /// Compared with `void 0`, `undefined` or `null`: how minifiers write a `typeof` guard
    /// they rewrote.
    pub guard_shape: bool,
    /// Depth of the function holding the innermost `try` around the read whose `catch`
    /// takes the error (0: none).
    pub caught_at: u32,
    /// Depth of the function holding the innermost branch around the read that only runs
    /// where Node.js or a window exists (`if (ENVIRONMENT_IS_NODE)`; 0: none).
    pub foreign_at: u32,
}

/// A place where text is run or leaves the realm.
pub struct Sink {
    pub span: Span,
    /// For messages: "`new Blob`", "`eval`", ...
    pub kind: &'static str,
    node: NodeId,
    /// Turns functions into their text (`new Blob([f])`, `Function(f)`): the text is code.
    pub stringifies: bool,
    /// For timers: the argument, which is only run as code when it is not a function.
    callable_arg: Option<NodeId>,
}

/// A function whose text reaches a sink, and the names the text joined with it declares.
pub struct Leaving {
    pub function: FnId,
    pub sink: SinkId,
    /// Every name the text reaching the sink declares.
    pub declared: Vec<Atom>,
    /// Those declared by constant strings (`'var _scriptDir = undefined; var M = '`).
    pub prelude: Vec<Atom>,
    /// Names the constant strings call (`'\nmain();'`) that nothing joined declares and no
    /// worker realm has: the function text was to declare them, by their original names.
    pub undeclared_calls: Vec<Atom>,
    /// Every name the constant strings call.
    pub called: Vec<Atom>,
}

/// A read of an enclosing binding, in code a leaving function runs, that nothing makes safe.
pub struct LeakingRead {
    pub read: usize,
    pub leaving: usize,
}

pub struct Model {
    pub fns: Vec<FnInfo>,
    pub bindings: Vec<Binding>,
    pub reads: Vec<Read>,
    pub sinks: Vec<Sink>,
    /// Reads of unresolved names compared with `void 0`, `undefined` or `null`.
    pub void_compares: Vec<usize>,
    /// Unresolved names that the file assigns to (so creates at run time).
    pub assigned_globals: HashSet<Atom>,
    /// First use of `SharedArrayBuffer` or `Atomics`, and whether `WebAssembly` is used.
    pub shared_memory_at: Option<Span>,
    pub uses_wasm: bool,
    proofs: Proofs,
    flow: Flow,
    /// Names declared and names called by constant strings of code ([`Val::Decl`]).
    decls: Vec<(Vec<Atom>, Vec<Atom>)>,
    /// Functions that run when the function they are written in runs: IIFEs and callbacks.
    invoked_inside: Vec<flow::Edge>,
}

impl Model {
    pub fn build(program: &Program, unresolved_mark: Mark) -> Model {
        scopes::Builder::run(program, unresolved_mark)
    }

    pub fn fn_info(&self, f: FnId) -> &FnInfo {
        &self.fns[f.index()]
    }

    pub fn binding(&self, b: BindingId) -> &Binding {
        &self.bindings[b.index()]
    }

    /// Whether `f` is `ancestor` or inside it.
    pub fn is_within(&self, mut f: FnId, ancestor: FnId) -> bool {
        loop {
            if f == ancestor {
                return true;
            }
            match self.fn_info(f).parent {
                Some(p) => f = p,
                None => return false,
            }
        }
    }

    /// Whether a `typeof` or an earlier read dominating `read` proves that a function of
    /// depth `depth` runs in its original scopes.
    pub fn proven(&self, read: &Read, depth: u32, leaving: &Leaving, query: u32) -> bool {
        self.proofs.proves(read.proof, depth, query, |b| {
            leaving.declared.contains(&self.binding(b).name)
        })
    }

    /// Whether, for a function of depth `depth` whose text runs elsewhere, the read is
    /// harmless there: a `catch` inside that function takes its error, or it only runs
    /// under Node.js or in a window.
    pub fn harmless(&self, read: &Read, depth: u32) -> bool {
        (read.caught_at >= depth && read.caught_at > 0)
            || (read.foreign_at >= depth && read.foreign_at > 0)
    }

    /// Whether a `typeof` test of the global `name` dominates `read`.
    pub fn global_guarded(&self, read: &Read) -> bool {
        self.proofs.proves_global(read.proof, &read.name)
    }

    /// Every function whose text reaches a sink, once per sink, with the names declared by
    /// the text that reaches the same sink.
    pub fn leaving(&self) -> Vec<Leaving> {
        let mut out = Vec::new();
        for (i, sink) in self.sinks.iter().enumerate() {
            if sink
                .callable_arg
                .is_some_and(|a| self.flow.vals(a).iter().any(|v| matches!(v, Val::Fn(_))))
            {
                continue;
            }
            let vals = self.flow.vals(sink.node);
            let mut fns: Vec<FnId> = Vec::new();
            let mut declared: Vec<Atom> = Vec::new();
            let mut called: Vec<Atom> = Vec::new();
            for v in vals {
                match *v {
                    Val::Text(f) if f != FnId::ROOT => fns.push(f),
                    Val::Decl(d) => {
                        let (decl, calls) = &self.decls[d as usize];
                        declared.extend(decl.iter().cloned());
                        called.extend(calls.iter().cloned());
                    }
                    Val::Name(f) => declared.extend(self.fn_info(f).text_name.clone()),
                    _ => {}
                }
            }
            fns.sort_unstable();
            fns.dedup();
            let prelude = declared.clone();
            declared.extend(
                fns.iter()
                    .filter_map(|f| self.fn_info(*f).text_name.clone()),
            );
            called.sort_unstable();
            called.dedup();
            let all_called = called.clone();
            called.retain(|c| !declared.contains(c) && !sinks::is_worker_global(c));
            // Text that loads other scripts (`importScripts(url)`) gets declarations the
            // analysis cannot see: what it calls may be declared there.
            if all_called.iter().any(|c| c == "importScripts") {
                called.clear();
            }
            // Only where the text is surely made into code (a Blob, `Function`): strings that
            // merely pass through timers or messages are often not code at all.
            if fns.is_empty() || !sink.stringifies {
                called.clear();
            }
            for f in fns {
                out.push(Leaving {
                    function: f,
                    sink: SinkId::new(i),
                    declared: declared.clone(),
                    prelude: prelude.clone(),
                    undeclared_calls: called.clone(),
                    called: all_called.clone(),
                });
            }
        }
        out
    }

    /// The functions whose bodies run when `f` runs: `f`, and, transitively, the functions
    /// inside `f` that code already running calls by name (as the flow resolves it), runs as
    /// an IIFE, passes as a callback, or gives the runtime to invoke (event handlers). Calls
    /// made only under Node.js or in a window are not followed.
    pub fn executed(&self, f: FnId) -> Vec<FnId> {
        self.executed_edges(f).0
    }

    /// [`Self::executed`], with the edges between those functions.
    fn executed_edges(&self, f: FnId) -> (Vec<FnId>, Vec<flow::Edge>) {
        let depth = self.fn_info(f).depth;
        let mut succ: HashMap<FnId, Vec<flow::Edge>> = HashMap::default();
        for e in self
            .flow
            .edges
            .iter()
            .chain(self.flow.invoked.iter())
            .chain(self.invoked_inside.iter())
        {
            if e.foreign_at == 0 || e.foreign_at < depth {
                succ.entry(e.from).or_default().push(*e);
            }
        }
        let mut seen: HashSet<FnId> = HashSet::default();
        let mut edges = Vec::new();
        let mut work = vec![f];
        while let Some(g) = work.pop() {
            if !seen.insert(g) {
                continue;
            }
            for e in succ.get(&g).into_iter().flatten() {
                if self.is_within(e.to, f) {
                    edges.push(*e);
                    work.push(e.to);
                }
            }
        }
        let mut v: Vec<FnId> = seen.into_iter().collect();
        v.sort_unstable();
        (v, edges)
    }

    /// The functions inside a leaving function that run only from places where proof of the
    /// original scopes holds: every call of them is dominated by such proof, or made from a
    /// function that is itself entered that way.
    fn entered_proven(&self, l: &Leaving, query: u32, edges: &[flow::Edge]) -> HashSet<FnId> {
        let depth = self.fn_info(l.function).depth;
        let mut proven: HashSet<FnId> = edges
            .iter()
            .map(|e| e.to)
            .filter(|&g| g != l.function)
            .collect();
        loop {
            let before = proven.len();
            for e in edges {
                if !proven.contains(&e.to) {
                    continue;
                }
                let ok = proven.contains(&e.from)
                    || self.proofs.proves(e.proof, depth, query, |b| {
                        l.declared.contains(&self.binding(b).name)
                    });
                if !ok {
                    proven.remove(&e.to);
                }
            }
            if proven.len() == before {
                return proven;
            }
        }
    }

    /// Reads of enclosing bindings, in code each leaving function runs, that nothing makes
    /// safe where the text runs: no guard or earlier read proves the original scopes, no
    /// `catch` takes the error, the branch runs in a worker, and the joined text does not
    /// declare the name. One per binding and leaving function.
    pub fn leaking_reads(&self) -> (Vec<Leaving>, Vec<LeakingRead>) {
        let leaving = self.leaving();
        let mut by_fn: Vec<Vec<usize>> = vec![Vec::new(); self.fns.len()];
        for (i, r) in self.reads.iter().enumerate() {
            by_fn[r.fn_id.index()].push(i);
        }
        let mut out = Vec::new();
        let mut seen: HashSet<(FnId, BindingId)> = HashSet::default();
        let mut executed_cache: HashMap<FnId, (Vec<FnId>, Vec<flow::Edge>)> = HashMap::default();
        for (li, l) in leaving.iter().enumerate() {
            let f = l.function;
            let depth = self.fn_info(f).depth;
            let (executed, edges) = executed_cache
                .entry(f)
                .or_insert_with(|| self.executed_edges(f))
                .clone();
            let entered = self.entered_proven(l, li as u32, &edges);
            for g in executed {
                if entered.contains(&g) {
                    continue;
                }
                for &ri in &by_fn[g.index()] {
                    let r = &self.reads[ri];
                    let Some(b) = r.binding else { continue };
                    if r.in_typeof || self.harmless(r, depth) || self.proven(r, depth, l, li as u32)
                    {
                        continue;
                    }
                    let bind = self.binding(b);
                    let Some(decl) = bind.decl_fn else { continue };
                    if self.is_within(decl, f) || self.fn_info(f).own_binding == Some(b) {
                        continue;
                    }
                    if l.declared.contains(&r.name) {
                        continue;
                    }
                    if seen.insert((f, b)) {
                        out.push(LeakingRead {
                            read: ri,
                            leaving: li,
                        });
                    }
                }
            }
        }
        (leaving, out)
    }

    /// The names of enclosing bindings that code run by a leaving function reads (guarded or
    /// not), and the leaving functions' own names: the names a text joined with it may rely
    /// on. Minify keeps them unrenamed.
    pub fn names_read_across(&self) -> Vec<Atom> {
        let mut by_fn: Vec<Vec<usize>> = vec![Vec::new(); self.fns.len()];
        for (i, r) in self.reads.iter().enumerate() {
            by_fn[r.fn_id.index()].push(i);
        }
        let mut out: Vec<Atom> = Vec::new();
        // Every function whose text is made, whether or not a sink is seen: keeping a name
        // costs a few bytes, losing one breaks the worker.
        let mut fns: Vec<FnId> = self.leaving().iter().map(|l| l.function).collect();
        fns.extend(self.flow.texts_made.iter().copied());
        fns.sort_unstable();
        fns.dedup();
        for f in fns {
            if f == FnId::ROOT {
                continue;
            }
            // The function's own name: the text joined with it may call it by that name.
            out.extend(self.fn_info(f).text_name.clone());
            for g in self.executed(f) {
                for &ri in &by_fn[g.index()] {
                    let r = &self.reads[ri];
                    let Some(decl) = r.binding.and_then(|b| self.binding(b).decl_fn) else {
                        continue;
                    };
                    if !self.is_within(decl, f) {
                        out.push(r.name.clone());
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether the text shipped with some leaving function calls that function by its own
    /// name (`String(pinger) + 'pinger();'`): its name must survive minification.
    pub fn text_calls_function_names(&self) -> bool {
        self.leaving().iter().any(|l| {
            self.fn_info(l.function)
                .text_name
                .as_ref()
                .is_some_and(|n| l.called.contains(n))
        })
    }

    /// Whether `f` or anything inside it uses threads (`new Worker`, `SharedArrayBuffer`,
    /// `Atomics`).
    pub fn uses_threads(&self, f: FnId) -> bool {
        self.fns
            .iter()
            .enumerate()
            .any(|(i, info)| info.thread_marker && self.is_within(FnId::new(i), f))
    }

    /// Whether the value flow ran out of its budget (the model is then partial).
    pub fn flow_exhausted(&self) -> bool {
        self.flow.exhausted
    }
}
