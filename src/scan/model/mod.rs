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
}

/// A function whose text reaches a sink, and the names the text joined with it declares.
pub struct Leaving {
    pub function: FnId,
    pub sink: SinkId,
    /// Every name the text reaching the sink declares.
    pub declared: Vec<Atom>,
    /// Those declared by constant strings (`'var _scriptDir = undefined; var M = '`).
    pub prelude: Vec<Atom>,
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
    /// Names declared by constant strings ([`Val::Decl`]).
    decls: Vec<Vec<Atom>>,
    /// Functions that run when the function they are written in runs: IIFEs and callbacks.
    invoked_inside: Vec<(FnId, FnId, u32)>,
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
            let vals = self.flow.vals(sink.node);
            let mut fns: Vec<FnId> = Vec::new();
            let mut declared: Vec<Atom> = Vec::new();
            for v in vals {
                match *v {
                    Val::Text(f) if f != FnId::ROOT => fns.push(f),
                    Val::Decl(d) => declared.extend(self.decls[d as usize].iter().cloned()),
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
            for f in fns {
                out.push(Leaving {
                    function: f,
                    sink: SinkId::new(i),
                    declared: declared.clone(),
                    prelude: prelude.clone(),
                });
            }
        }
        out
    }

    /// The functions whose bodies run when `f` runs: `f`, and, transitively, the functions
    /// inside `f` that code already running calls (as the flow resolves calls), runs as an
    /// IIFE, passes as a callback, or gives the runtime to invoke (event handlers).
    pub fn executed(&self, f: FnId) -> Vec<FnId> {
        let mut out: HashMap<FnId, ()> = HashMap::default();
        // Calls made only under Node.js or in a window, inside `f`, never run where its
        // text runs.
        let depth = self.fn_info(f).depth;
        let mut succ: HashMap<FnId, Vec<FnId>> = HashMap::default();
        for &(a, b, foreign_at) in self
            .flow
            .edges
            .iter()
            .chain(self.flow.invoked.iter())
            .chain(self.invoked_inside.iter())
        {
            if foreign_at == 0 || foreign_at < depth {
                succ.entry(a).or_default().push(b);
            }
        }
        let mut work = vec![f];
        while let Some(g) = work.pop() {
            if out.insert(g, ()).is_some() {
                continue;
            }
            for &h in succ.get(&g).into_iter().flatten() {
                if self.is_within(h, f) {
                    work.push(h);
                }
            }
        }
        let mut v: Vec<FnId> = out.into_keys().collect();
        v.sort_unstable();
        v
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
        let mut executed_cache: HashMap<FnId, Vec<FnId>> = HashMap::default();
        for (li, l) in leaving.iter().enumerate() {
            let f = l.function;
            let depth = self.fn_info(f).depth;
            let executed = executed_cache
                .entry(f)
                .or_insert_with(|| self.executed(f))
                .clone();
            for g in executed {
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
