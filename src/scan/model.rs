//! The semantic model the rules read: functions and how they are invoked, bindings and
//! where they are declared, every read of a name with whether a typeof guard dominates it,
//! the places where a function's source text leaves its scope, and a small demand-driven
//! data flow (bindings, IIFE returns, sequences, object properties, CommonJS wrappers) that
//! tells which functions reach those places.
//!
//! Built in one walk over a resolved program (swc's `resolver` must have run: a binding is
//! its `(name, SyntaxContext)`, and unresolved names carry the unresolved mark).

use crate::guard::{const_string, guard_test};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::cell::RefCell;
use swc_atoms::Atom;
use swc_common::{Mark, Span, Spanned, SyntaxContext};
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

pub type FnId = usize;
/// The program itself, as the outermost "function".
pub const ROOT: FnId = 0;

/// How a function comes to run when the function around it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invocation {
    /// Called where it is written: `(function(){...})()`, `(() => ...).call(this)`.
    Iife,
    /// Passed to a call: callbacks run (forEach, Promise executors, event listeners).
    Callback,
    /// Anything else: stored, returned, a method. Runs only if something calls it.
    Other,
}

pub struct FnInfo {
    pub parent: Option<FnId>,
    pub span: Span,
    pub invocation: Invocation,
    /// Bindings that name it: a function declaration's name, `var f = function...`, `f = ...`.
    pub names: Vec<Id>,
    /// The name only visible inside (named function expression).
    pub own_name: Option<Id>,
    /// The name its source text declares when evaluated as a statement
    /// (`function helper() {}`), so shipping that text defines the name.
    pub text_name: Option<Atom>,
    pub params: Vec<Vec<Id>>,
    /// Expressions it returns (arrow bodies included).
    pub returns: Vec<*const Expr>,
    /// Names it calls directly: `f()`.
    pub calls: Vec<Id>,
    pub children: Vec<FnId>,
    /// Uses `new Worker`, `SharedArrayBuffer` or `Atomics` itself.
    pub thread_marker: bool,
}

#[derive(Clone, Copy)]
pub enum Def {
    Expr(*const Expr),
    Fn(FnId),
    Param(FnId, usize),
}

pub struct Binding {
    pub decl_fn: FnId,
    pub span: Span,
    pub defs: Vec<Def>,
    /// Set from `document.currentScript` or `import.meta.url`: Emscripten's script directory.
    pub script_dir: bool,
    /// Values it is given from `document.currentScript` / `import.meta.url`, and other values
    /// (besides `__filename` fallbacks); `script_dir` needs the first and none of the second.
    script_hits: u32,
    other_defs: u32,
}

pub struct Ref {
    pub id: Id,
    pub span: Span,
    pub fn_id: FnId,
    pub in_typeof: bool,
    /// A typeof guard on the same binding dominates this read.
    pub guarded: bool,
    /// Only runs where Node.js or a window exists (`if (typeof process == "object")`,
    /// `if (ENVIRONMENT_IS_NODE)`): never in a worker or a fresh realm.
    pub foreign_env: bool,
}

/// A place where source text leaves its scope.
pub struct Sink {
    pub span: Span,
    /// What it is, for messages: "`.toString()`", "`new Blob`", ...
    pub kind: &'static str,
    pub exprs: Vec<*const Expr>,
    /// Names the surrounding text declares (`'var M = ' + f`): defined in the other realm.
    pub provided: Vec<Atom>,
    /// The text is surely evaluated elsewhere (`new Blob`, `new Worker`, `eval`, ...), not
    /// only turned into a string (`'' + f` is also how libraries print functions).
    pub strong: bool,
}

/// A read of an unresolved name compared with `void 0`, `undefined` or `null`.
pub struct VoidCompare {
    pub ref_index: usize,
}

/// The call whose callee is being evaluated, if any.
pub type Ctx = Option<(FnId, *const CallExpr)>;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Val {
    Fn(FnId),
    Obj(*const ObjectLit),
    /// CommonJS's `module` or `exports` in a file that is not wrapped: the objects
    /// `exports.x = ...` and `module.exports = ...` fill.
    Global(&'static str),
}

struct CallSite {
    args: Vec<*const Expr>,
    /// `f.call(thisArg, a, b)`: arguments start one later.
    shift: usize,
}

pub struct Model<'a> {
    _program: std::marker::PhantomData<&'a Program>,
    pub unresolved: SyntaxContext,
    pub fns: Vec<FnInfo>,
    pub bindings: HashMap<Id, Binding>,
    pub refs: Vec<Ref>,
    pub sinks: Vec<Sink>,
    pub void_compares: Vec<VoidCompare>,
    /// Unresolved names that the file assigns to (so creates at run time).
    pub assigned_globals: HashSet<Atom>,
    /// First use of `SharedArrayBuffer` or `Atomics`, and whether `WebAssembly` is used:
    /// together, threaded WebAssembly glue.
    pub shared_memory_at: Option<Span>,
    pub uses_wasm: bool,
    fn_by_ptr: HashMap<usize, FnId>,
    prop_assigns: HashMap<Atom, Vec<(*const Expr, *const Expr)>>,
    calls_by_name: HashMap<Id, Vec<CallSite>>,
    calls_by_fn: HashMap<FnId, Vec<CallSite>>,
    memo: RefCell<HashMap<(usize, usize, u8), Vec<Val>>>,
    in_progress: RefCell<HashSet<(usize, usize, u8)>>,
}

impl<'a> Model<'a> {
    pub fn build(program: &'a Program, unresolved_mark: Mark) -> Model<'a> {
        let mut b = Builder {
            m: Model {
                _program: std::marker::PhantomData,
                unresolved: SyntaxContext::empty().apply_mark(unresolved_mark),
                fns: vec![FnInfo {
                    parent: None,
                    span: program.span(),
                    invocation: Invocation::Other,
                    names: vec![],
                    own_name: None,
                    text_name: None,
                    params: vec![],
                    returns: vec![],
                    calls: vec![],
                    children: vec![],
                    thread_marker: false,
                }],
                bindings: HashMap::default(),
                refs: Vec::new(),
                sinks: Vec::new(),
                void_compares: Vec::new(),
                assigned_globals: HashSet::default(),
                shared_memory_at: None,
                uses_wasm: false,
                fn_by_ptr: HashMap::default(),
                prop_assigns: HashMap::default(),
                calls_by_name: HashMap::default(),
                calls_by_fn: HashMap::default(),
                memo: RefCell::new(HashMap::default()),
                in_progress: RefCell::new(HashSet::default()),
            },
            stack: vec![ROOT],
            guards: HashMap::default(),
            pending_invocation: HashMap::default(),
            pending_name: None,
            def_target: None,
            def_flags: (false, false),
            foreign_env: 0,
            in_optional_chain_test: 0,
            env_flags: HashSet::default(),
        };
        program.visit_with(&mut b);
        for binding in b.m.bindings.values_mut() {
            binding.script_dir = binding.script_hits > 0 && binding.other_defs == 0;
        }
        b.m
    }

    pub fn is_unresolved(&self, id: &Id) -> bool {
        id.1 == self.unresolved
    }

    /// Whether `f` is `ancestor` or inside it.
    pub fn is_within(&self, mut f: FnId, ancestor: FnId) -> bool {
        loop {
            if f == ancestor {
                return true;
            }
            match self.fns[f].parent {
                Some(p) => f = p,
                None => return false,
            }
        }
    }

    /// The functions whose bodies run when `f` is invoked: `f`, the IIFEs and callbacks
    /// inside it, and the functions it calls by name, transitively (only those inside `f`).
    pub fn executed(&self, f: FnId) -> HashSet<FnId> {
        let mut done = HashSet::default();
        let mut work = vec![f];
        while let Some(g) = work.pop() {
            if !done.insert(g) {
                continue;
            }
            let info = &self.fns[g];
            for &c in &info.children {
                if matches!(
                    self.fns[c].invocation,
                    Invocation::Iife | Invocation::Callback
                ) {
                    work.push(c);
                }
            }
            for name in &info.calls {
                if let Some(b) = self.bindings.get(name) {
                    for d in &b.defs {
                        let target = match d {
                            Def::Fn(t) => Some(*t),
                            Def::Expr(e) => match unparen(unsafe { &**e }) {
                                Expr::Fn(fe) => self
                                    .fn_by_ptr
                                    .get(&(&*fe.function as *const Function as usize))
                                    .copied(),
                                Expr::Arrow(a) => self
                                    .fn_by_ptr
                                    .get(&(a as *const ArrowExpr as usize))
                                    .copied(),
                                _ => None,
                            },
                            Def::Param(..) => None,
                        };
                        if let Some(t) = target {
                            if self.is_within(t, f) {
                                work.push(t);
                            }
                        }
                    }
                }
            }
        }
        done
    }

    /// Indexes of the reads in each function (directly in it, not in nested functions).
    pub fn refs_by_fn(&self) -> Vec<Vec<usize>> {
        let mut v = vec![Vec::new(); self.fns.len()];
        for (i, r) in self.refs.iter().enumerate() {
            v[r.fn_id].push(i);
        }
        v
    }

    /// Every function whose source text reaches a sink: the first sink it reaches, and the
    /// names defined where its text runs: what the text around it declares
    /// (`'var M = ' + f`, `"const k = 2;"`) and the functions declared by the other texts
    /// shipped with it (`new Blob([helper.toString(), work.toString()])`).
    pub fn serialized(&self) -> Vec<(FnId, usize, Vec<Atom>)> {
        // The strong sink each sink sits in (itself when strong), if any.
        let strong: Vec<usize> = (0..self.sinks.len())
            .filter(|&i| self.sinks[i].strong)
            .collect();
        let group = |i: usize| -> Option<usize> {
            let sp = self.sinks[i].span;
            strong
                .iter()
                .copied()
                .filter(|&g| {
                    let gs = self.sinks[g].span;
                    gs.lo <= sp.lo && sp.hi <= gs.hi
                })
                .min_by_key(|&g| self.sinks[g].span.hi.0 - self.sinks[g].span.lo.0)
        };
        let mut per_sink: Vec<(usize, Option<usize>, Vec<FnId>)> = Vec::new();
        for (si, sink) in self.sinks.iter().enumerate() {
            let g = group(si);
            let hops = u8::from(g.is_some());
            let mut fns = Vec::new();
            for &e in &sink.exprs {
                fns.extend(
                    self.functions_of(unsafe { &*e }, hops)
                        .into_iter()
                        .filter(|&f| f != ROOT),
                );
            }
            if !fns.is_empty() {
                per_sink.push((si, g, fns));
            }
        }
        // Names each group (or lone sink) defines.
        let mut defined: HashMap<usize, Vec<Atom>> = HashMap::default();
        for (si, g, fns) in &per_sink {
            let key = g.unwrap_or(*si);
            let names = defined.entry(key).or_default();
            names.extend(self.sinks[*si].provided.iter().cloned());
            if let Some(g) = g {
                names.extend(self.sinks[*g].provided.iter().cloned());
            }
            names.extend(fns.iter().filter_map(|&f| self.fns[f].text_name.clone()));
        }
        let mut out: Vec<(FnId, usize, Vec<Atom>)> = Vec::new();
        let mut index: HashMap<FnId, usize> = HashMap::default();
        for (si, g, fns) in &per_sink {
            let names = &defined[&g.unwrap_or(*si)];
            for &f in fns {
                let i = *index.entry(f).or_insert_with(|| {
                    out.push((f, *si, Vec::new()));
                    out.len() - 1
                });
                out[i].2.extend(names.iter().cloned());
            }
        }
        out
    }

    /// Whether `f` or anything inside it uses threads (`new Worker`, `SharedArrayBuffer`,
    /// `Atomics`).
    pub fn uses_threads(&self, f: FnId) -> bool {
        let mut work = vec![f];
        while let Some(g) = work.pop() {
            if self.fns[g].thread_marker {
                return true;
            }
            work.extend(self.fns[g].children.iter().copied());
        }
        false
    }

    /// The functions that flow into `e`. `hops` is how many times the flow may go from a
    /// parameter to the arguments of every call of its function by name (IIFE arguments are
    /// exact and free).
    pub fn functions_of(&self, e: &Expr, hops: u8) -> Vec<FnId> {
        self.fns_of(e, None, hops, 0)
    }

    fn fns_of(&self, e: &Expr, ctx: Ctx, h: u8, d: usize) -> Vec<FnId> {
        self.values(e, ctx, h, d)
            .into_iter()
            .filter_map(|v| match v {
                Val::Fn(f) => Some(f),
                Val::Obj(_) | Val::Global(_) => None,
            })
            .collect()
    }

    const MAX_DEPTH: usize = 64;

    /// Abstract values of an expression: the functions and object literals it may evaluate
    /// to. `ctx` is the call being evaluated (one level of call-site sensitivity), so that
    /// `getDefaultExportFromCjs(x)` returns what this call passed, not what every call did.
    pub fn values(&self, e: &Expr, ctx: Ctx, h: u8, depth: usize) -> Vec<Val> {
        if depth > Self::MAX_DEPTH {
            return vec![];
        }
        let key = (
            e as *const Expr as usize,
            ctx.map(|(_, c)| c as usize).unwrap_or(0),
            h,
        );
        if let Some(v) = self.memo.borrow().get(&key) {
            return v.clone();
        }
        if !self.in_progress.borrow_mut().insert(key) {
            return vec![];
        }
        let v = self.values_uncached(e, ctx, h, depth + 1);
        self.in_progress.borrow_mut().remove(&key);
        self.memo.borrow_mut().insert(key, v.clone());
        v
    }

    fn values_uncached(&self, e: &Expr, ctx: Ctx, h: u8, d: usize) -> Vec<Val> {
        let mut out = Vec::new();
        match e {
            Expr::Paren(p) => return self.values(&p.expr, ctx, h, d),
            Expr::Seq(s) => {
                if let Some(last) = s.exprs.last() {
                    return self.values(last, ctx, h, d);
                }
            }
            Expr::Fn(f) => {
                if let Some(&id) = self
                    .fn_by_ptr
                    .get(&(&*f.function as *const Function as usize))
                {
                    out.push(Val::Fn(id));
                }
            }
            Expr::Arrow(a) => {
                if let Some(&id) = self.fn_by_ptr.get(&(a as *const ArrowExpr as usize)) {
                    out.push(Val::Fn(id));
                }
            }
            Expr::Object(o) => out.push(Val::Obj(o as *const ObjectLit)),
            Expr::Cond(c) => {
                out.extend(self.values(&c.cons, ctx, h, d));
                out.extend(self.values(&c.alt, ctx, h, d));
            }
            Expr::Bin(b)
                if matches!(
                    b.op,
                    BinaryOp::LogicalAnd | BinaryOp::LogicalOr | BinaryOp::NullishCoalescing
                ) =>
            {
                out.extend(self.values(&b.left, ctx, h, d));
                out.extend(self.values(&b.right, ctx, h, d));
            }
            Expr::Assign(a) if a.op == AssignOp::Assign => return self.values(&a.right, ctx, h, d),
            Expr::Ident(i) if i.ctxt == self.unresolved => match &*i.sym {
                "module" => out.push(Val::Global("module")),
                "exports" => out.push(Val::Global("exports")),
                _ => {}
            },
            Expr::Ident(i) => return self.binding_values(&i.to_id(), ctx, h, d),
            Expr::Member(m) => {
                let objs = self.values(&m.obj, ctx, h, d);
                if objs.is_empty() {
                    return out;
                }
                match prop_name(&m.prop) {
                    Some(p) => out.extend(self.field(&objs, &p, ctx, h, d)),
                    None => {
                        for o in &objs {
                            if let Val::Obj(ptr) = o {
                                let lit = unsafe { &**ptr };
                                for prop in &lit.props {
                                    if let PropOrSpread::Prop(p) = prop {
                                        if let Some(v) = prop_value(p) {
                                            out.extend(self.values(v, None, h, d));
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Expr::Call(c) => {
                let Callee::Expr(callee) = &c.callee else {
                    return out;
                };
                let callee = unparen(callee);
                if let Expr::Member(m) = callee {
                    match prop_name(&m.prop).as_deref() {
                        Some("call") | Some("apply") => {
                            for f in self.fns_of(&m.obj, ctx, h, d) {
                                out.extend(self.returns_of(f, c, h, d));
                            }
                            return dedup(out);
                        }
                        Some("bind") => return self.values(&m.obj, ctx, h, d),
                        Some("freeze")
                        | Some("assign")
                        | Some("seal")
                        | Some("preventExtensions")
                            if matches!(unparen(&m.obj), Expr::Ident(o) if o.sym == "Object" && o.ctxt == self.unresolved) =>
                        {
                            if let Some(a) = c.args.first() {
                                return self.values(&a.expr, ctx, h, d);
                            }
                        }
                        _ => {}
                    }
                }
                for f in self.fns_of(callee, ctx, h, d) {
                    out.extend(self.returns_of(f, c, h, d));
                }
            }
            _ => {}
        }
        dedup(out)
    }

    fn returns_of(&self, f: FnId, call: &CallExpr, h: u8, d: usize) -> Vec<Val> {
        let mut out = Vec::new();
        for &r in &self.fns[f].returns {
            out.extend(self.values(unsafe { &*r }, Some((f, call as *const CallExpr)), h, d));
        }
        out
    }

    /// The arguments of a call, from its first parameter on (`f.call(this, a)` skips `this`).
    fn call_args(call: &CallExpr) -> Vec<*const Expr> {
        let shift = match &call.callee {
            Callee::Expr(c) => match unparen(c) {
                Expr::Member(m) if prop_name(&m.prop).as_deref() == Some("call") => 1,
                _ => 0,
            },
            _ => 0,
        };
        call.args
            .iter()
            .skip(shift)
            .map(|a| &*a.expr as *const Expr)
            .collect()
    }

    fn binding_values(&self, id: &Id, ctx: Ctx, h: u8, d: usize) -> Vec<Val> {
        let Some(b) = self.bindings.get(id) else {
            return vec![];
        };
        let mut out = Vec::new();
        // Locals of the function being called keep the call's context.
        let inner = ctx.filter(|(f, _)| b.decl_fn == *f);
        for def in &b.defs {
            match *def {
                Def::Expr(e) => out.extend(self.values(unsafe { &*e }, inner, h, d)),
                Def::Fn(f) => out.push(Val::Fn(f)),
                Def::Param(f, idx) => {
                    if let Some((g, call)) = ctx {
                        if g == f {
                            let args = Self::call_args(unsafe { &*call });
                            if let Some(&a) = args.get(idx) {
                                out.extend(self.values(unsafe { &*a }, None, h, d));
                            }
                            continue;
                        }
                    }
                    // Arguments of the IIFE that defines f: exact.
                    for s in self.calls_by_fn.get(&f).into_iter().flatten() {
                        if let Some(&a) = s.args.get(idx + s.shift) {
                            out.extend(self.values(unsafe { &*a }, None, h, d));
                        }
                    }
                    // Every call by name: costs one hop.
                    if h == 0 {
                        continue;
                    }
                    for name in &self.fns[f].names {
                        for s in self.calls_by_name.get(name).into_iter().flatten() {
                            if let Some(&a) = s.args.get(idx + s.shift) {
                                out.extend(self.values(unsafe { &*a }, None, h - 1, d));
                            }
                        }
                    }
                }
            }
        }
        dedup(out)
    }

    fn field(&self, objs: &[Val], prop: &Atom, ctx: Ctx, h: u8, d: usize) -> Vec<Val> {
        let mut out = Vec::new();
        for o in objs {
            if let Val::Obj(ptr) = o {
                let lit = unsafe { &**ptr };
                for p in &lit.props {
                    if let PropOrSpread::Prop(p) = p {
                        if prop_key(p).as_ref() == Some(prop) {
                            if let Some(v) = prop_value(p) {
                                out.extend(self.values(v, ctx, h, d));
                            }
                            if let Some(f) =
                                prop_method(p).and_then(|f| self.fn_by_ptr.get(&(f as usize)))
                            {
                                out.push(Val::Fn(*f));
                            }
                            if let Prop::Shorthand(i) = &**p {
                                out.extend(self.binding_values(&i.to_id(), None, h, d));
                            }
                        }
                    }
                }
            }
        }
        // `module.exports` starts out as `exports`.
        if objs.contains(&Val::Global("module")) && &**prop == "exports" {
            out.push(Val::Global("exports"));
        }
        if let Some(assigns) = self.prop_assigns.get(prop) {
            for &(obj, val) in assigns {
                let targets = self.values(unsafe { &*obj }, None, h, d);
                if targets.iter().any(|t| objs.contains(t)) {
                    out.extend(self.values(unsafe { &*val }, None, h, d));
                }
            }
        }
        out
    }
}

fn dedup(mut v: Vec<Val>) -> Vec<Val> {
    let mut seen = HashSet::default();
    v.retain(|x| seen.insert(*x));
    v
}

pub fn unparen(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => unparen(&p.expr),
        Expr::Seq(s) if s.exprs.len() == 1 => unparen(&s.exprs[0]),
        e => e,
    }
}

fn prop_name(p: &MemberProp) -> Option<Atom> {
    match p {
        MemberProp::Ident(i) => Some(i.sym.clone()),
        MemberProp::Computed(c) => const_string(&c.expr).map(Atom::from),
        MemberProp::PrivateName(_) => None,
    }
}

fn prop_key(p: &Prop) -> Option<Atom> {
    let key = match p {
        Prop::KeyValue(kv) => &kv.key,
        Prop::Method(m) => &m.key,
        Prop::Shorthand(i) => return Some(i.sym.clone()),
        _ => return None,
    };
    match key {
        PropName::Ident(i) => Some(i.sym.clone()),
        PropName::Str(s) => s.value.as_str().map(Atom::from),
        _ => None,
    }
}

fn prop_value(p: &Prop) -> Option<&Expr> {
    match p {
        Prop::KeyValue(kv) => Some(&kv.value),
        _ => None,
    }
}

/// The function of a method property (`{ run() {} }`).
fn prop_method(p: &Prop) -> Option<*const Function> {
    match p {
        Prop::Method(m) => Some(&*m.function as *const Function),
        _ => None,
    }
}

/// Ids that are defined whenever `e` is truthy.
fn positives(e: &Expr, out: &mut Vec<Id>) {
    match unparen(e) {
        // `(a, b)` is as true as its last expression.
        Expr::Seq(sq) => {
            if let Some(last) = sq.exprs.last() {
                positives(last, out);
            }
        }
        Expr::Bin(b) if b.op == BinaryOp::LogicalAnd => {
            positives(&b.left, out);
            positives(&b.right, out);
        }
        Expr::Bin(b) => {
            if let Some(t) = guard_test(b) {
                if t.defined_when_true {
                    out.push(t.ident.to_id());
                }
            }
        }
        Expr::Unary(u) if u.op == UnaryOp::Bang => negatives(&u.arg, out),
        _ => {}
    }
}

/// Names read whenever `e` is evaluated: once such a read has not thrown, the name exists.
fn always_read(e: &Expr, out: &mut Vec<Id>) {
    match unparen(e) {
        Expr::Seq(sq) => sq.exprs.iter().for_each(|x| always_read(x, out)),
        Expr::Ident(i) => out.push(i.to_id()),
        Expr::Bin(b)
            if matches!(
                b.op,
                BinaryOp::LogicalAnd | BinaryOp::LogicalOr | BinaryOp::NullishCoalescing
            ) =>
        {
            always_read(&b.left, out)
        }
        Expr::Bin(b) => {
            always_read(&b.left, out);
            always_read(&b.right, out);
        }
        Expr::Unary(u) if !matches!(u.op, UnaryOp::TypeOf | UnaryOp::Delete) => {
            always_read(&u.arg, out)
        }
        Expr::Member(m) => always_read(&m.obj, out),
        Expr::Assign(a) => always_read(&a.right, out),
        _ => {}
    }
}

/// Ids that are defined whenever `e` is falsy.
fn negatives(e: &Expr, out: &mut Vec<Id>) {
    match unparen(e) {
        Expr::Seq(sq) => {
            if let Some(last) = sq.exprs.last() {
                negatives(last, out);
            }
        }
        Expr::Bin(b) if b.op == BinaryOp::LogicalOr => {
            negatives(&b.left, out);
            negatives(&b.right, out);
        }
        Expr::Bin(b) => {
            if let Some(t) = guard_test(b) {
                if !t.defined_when_true {
                    out.push(t.ident.to_id());
                }
            }
        }
        Expr::Unary(u) if u.op == UnaryOp::Bang => positives(&u.arg, out),
        _ => {}
    }
}

fn is_void_like(e: &Expr, unresolved: SyntaxContext) -> bool {
    match unparen(e) {
        Expr::Unary(u) if u.op == UnaryOp::Void => true,
        Expr::Lit(Lit::Null(_)) => true,
        Expr::Ident(i) => i.sym == "undefined" && i.ctxt == unresolved,
        _ => false,
    }
}

/// `X == null ? void 0 : X.p` or `X === null || X === void 0 ? void 0 : X.p(...)`: the
/// shape TypeScript, Babel and minifiers give `X?.p`.
fn is_optional_chain_lowering(c: &CondExpr) -> bool {
    let is_void = |e: &Expr| matches!(unparen(e), Expr::Unary(u) if u.op == UnaryOp::Void);
    if !is_void(&c.cons) {
        return false;
    }
    // The name the test compares.
    fn tested(e: &Expr) -> Option<&Ident> {
        match unparen(e) {
            Expr::Bin(b) if b.op == BinaryOp::LogicalOr => {
                let (l, r) = (tested(&b.left)?, tested(&b.right)?);
                (l.sym == r.sym).then_some(l)
            }
            Expr::Bin(b) if matches!(b.op, BinaryOp::EqEq | BinaryOp::EqEqEq) => {
                match (unparen(&b.left), unparen(&b.right)) {
                    (Expr::Ident(i), _) | (_, Expr::Ident(i)) if i.sym != "undefined" => Some(i),
                    _ => None,
                }
            }
            _ => None,
        }
    }
    let Some(x) = tested(&c.test) else {
        return false;
    };
    // The alternative reads through the same name: X.p, X[p], X.p(...).
    fn base(e: &Expr) -> Option<&Ident> {
        match unparen(e) {
            Expr::Member(m) => match unparen(&m.obj) {
                Expr::Ident(i) => Some(i),
                other => base(other),
            },
            Expr::Call(CallExpr {
                callee: Callee::Expr(c),
                ..
            }) => base(c),
            _ => None,
        }
    }
    base(&c.alt).is_some_and(|b| b.sym == x.sym)
}

/// `T || x` / `T ?? x` / `(T = ...) || x`: a value that keeps T's own value when it has one.
fn is_self_fallback(e: &Expr, t: &Id) -> bool {
    let Expr::Bin(b) = unparen(e) else {
        return false;
    };
    if !matches!(b.op, BinaryOp::LogicalOr | BinaryOp::NullishCoalescing) {
        return false;
    }
    match unparen(&b.left) {
        Expr::Ident(i) => i.to_id() == *t,
        Expr::Assign(a) => {
            matches!(&a.left, AssignTarget::Simple(SimpleAssignTarget::Ident(i)) if i.to_id() == *t)
        }
        _ => false,
    }
}

/// Whether a statement never completes normally (return, throw, break, continue).
fn always_exits(s: &Stmt) -> bool {
    match s {
        Stmt::Return(_) | Stmt::Throw(_) | Stmt::Break(_) | Stmt::Continue(_) => true,
        Stmt::Block(b) => b.stmts.last().is_some_and(always_exits),
        Stmt::If(i) => always_exits(&i.cons) && i.alt.as_deref().is_some_and(always_exits),
        _ => false,
    }
}

struct Builder<'a> {
    m: Model<'a>,
    stack: Vec<FnId>,
    /// Ids a guard currently says are defined, with nesting counts.
    guards: HashMap<Id, u32>,
    /// How the function at this pointer is invoked, decided by its parent.
    pending_invocation: HashMap<usize, Invocation>,
    /// The name a function about to be visited is given (`var f = function`).
    pending_name: Option<Id>,
    /// The binding whose initializer or assigned value is being visited.
    def_target: Option<Id>,
    /// What the value being visited contained: (currentScript or import.meta, `__filename`).
    def_flags: (bool, bool),
    /// Depth of branches that only run under Node.js or a window.
    foreign_env: u32,
    /// Inside the test of a lowered optional chain.
    in_optional_chain_test: u32,
    /// Bindings set from such an environment test (`ENVIRONMENT_IS_NODE`).
    env_flags: HashSet<Id>,
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

impl Builder<'_> {
    /// Whether `e` can only be truthy under Node.js or in a window.
    fn foreign_test(&self, e: &Expr) -> bool {
        match unparen(e) {
            Expr::Bin(b) if b.op == BinaryOp::LogicalAnd => {
                self.foreign_test(&b.left) || self.foreign_test(&b.right)
            }
            Expr::Bin(b) if b.op == BinaryOp::LogicalOr => {
                self.foreign_test(&b.left) && self.foreign_test(&b.right)
            }
            Expr::Bin(b) => guard_test(b).is_some_and(|t| {
                t.defined_when_true
                    && t.ident.ctxt == self.m.unresolved
                    && FOREIGN_GLOBALS.contains(&&*t.ident.sym)
            }),
            Expr::Ident(i) => self.env_flags.contains(&i.to_id()),
            _ => false,
        }
    }

    fn cur(&self) -> FnId {
        *self.stack.last().unwrap()
    }

    fn push_guards(&mut self, ids: &[Id]) {
        for id in ids {
            *self.guards.entry(id.clone()).or_default() += 1;
        }
    }

    fn pop_guards(&mut self, ids: &[Id]) {
        for id in ids {
            if let Some(n) = self.guards.get_mut(id) {
                *n -= 1;
                if *n == 0 {
                    self.guards.remove(id);
                }
            }
        }
    }

    fn declare(&mut self, id: Id, span: Span, def: Option<Def>, decl_fn: FnId) {
        let b = self.m.bindings.entry(id).or_insert(Binding {
            decl_fn,
            span,
            defs: vec![],
            script_dir: false,
            script_hits: 0,
            other_defs: 0,
        });
        if b.decl_fn == usize::MAX {
            b.decl_fn = decl_fn;
            b.span = span;
        }
        if let Some(d) = def {
            b.defs.push(d);
        }
    }

    fn add_ref(&mut self, i: &Ident, in_typeof: bool) -> usize {
        let id = i.to_id();
        let guarded = self.guards.contains_key(&id);
        let foreign_env = self.foreign_env > 0;
        self.m.refs.push(Ref {
            id,
            span: i.span,
            fn_id: self.cur(),
            in_typeof,
            guarded,
            foreign_env,
        });
        self.m.refs.len() - 1
    }

    fn enter_fn(&mut self, span: Span, ptr: usize, own_name: Option<Id>) -> FnId {
        let id = self.m.fns.len();
        let parent = self.cur();
        let invocation = self
            .pending_invocation
            .remove(&ptr)
            .unwrap_or(Invocation::Other);
        let mut names = Vec::new();
        if let Some(n) = self.pending_name.take() {
            names.push(n);
        }
        self.m.fns.push(FnInfo {
            parent: Some(parent),
            span,
            invocation,
            names,
            own_name,
            text_name: None,
            params: vec![],
            returns: vec![],
            calls: vec![],
            children: vec![],
            thread_marker: false,
        });
        self.m.fns[parent].children.push(id);
        self.m.fn_by_ptr.insert(ptr, id);
        self.stack.push(id);
        id
    }

    fn visit_params(&mut self, f: FnId, pats: &[&Pat]) {
        for (idx, p) in pats.iter().enumerate() {
            let mut ids = Vec::new();
            collect_pat_ids(p, &mut ids);
            for (id, span) in &ids {
                self.declare(id.clone(), *span, Some(Def::Param(f, idx)), f);
            }
            if let Pat::Assign(a) = p {
                if let Pat::Ident(b) = &*a.left {
                    self.declare(
                        b.to_id(),
                        b.span,
                        Some(Def::Expr(&*a.right as *const Expr)),
                        f,
                    );
                }
                a.right.visit_with(self);
            } else {
                // Default values inside patterns, computed keys.
                p.visit_children_with(&mut PatDefaults(self));
            }
            self.m.fns[f]
                .params
                .push(ids.into_iter().map(|(i, _)| i).collect());
        }
    }

    fn visit_stmt_list(&mut self, stmts: &[Stmt]) {
        let mut pushed: Vec<Id> = Vec::new();
        for s in stmts {
            s.visit_with(self);
            if let Stmt::If(i) = s {
                if i.alt.is_none() && always_exits(&i.cons) {
                    let mut g = Vec::new();
                    negatives(&i.test, &mut g);
                    self.push_guards(&g);
                    pushed.extend(g);
                }
            }
        }
        self.pop_guards(&pushed);
    }

    fn mark_script_dir(&mut self) {
        self.def_flags.0 = true;
    }

    /// Visits a value given to `target` (initializer or assignment) and counts what kind of
    /// value it is, for recognising Emscripten's script-directory variable.
    fn visit_def(&mut self, target: Option<Id>, e: &Expr) {
        let saved = (
            std::mem::replace(&mut self.def_target, target.clone()),
            std::mem::take(&mut self.def_flags),
        );
        e.visit_with(self);
        let (script, filename) = self.def_flags;
        // `T = T || x` and `T = (T = ...) || x` keep T what it was, with a fallback (Emscripten's
        // `_scriptDir || __filename`, which webpack turns into `_scriptDir || "/index.js"`).
        let fallback = target.as_ref().is_some_and(|t| is_self_fallback(e, t));
        if let Some(b) = target.and_then(|t| self.m.bindings.get_mut(&t)) {
            if script {
                b.script_hits += 1;
            } else if !filename && !fallback {
                b.other_defs += 1;
            }
        }
        (self.def_target, self.def_flags) = saved;
    }

    fn add_sink(
        &mut self,
        span: Span,
        kind: &'static str,
        exprs: Vec<*const Expr>,
        provided: Vec<Atom>,
    ) {
        let strong = !matches!(
            kind,
            "string concatenation" | "template literal" | "`.toString()`" | "`String(...)`"
        );
        let mut provided = provided;
        if strong {
            for &e in &exprs {
                names_in_strings(unsafe { &*e }, &mut provided);
            }
        }
        self.m.sinks.push(Sink {
            span,
            kind,
            exprs,
            provided,
            strong,
        });
    }

    fn is_global(&self, e: &Expr, name: &str) -> bool {
        matches!(unparen(e), Expr::Ident(i) if i.sym == name && i.ctxt == self.m.unresolved)
    }
}

/// Visits default values and computed keys inside a parameter pattern, not its bindings.
struct PatDefaults<'b, 'a>(&'b mut Builder<'a>);

impl Visit for PatDefaults<'_, '_> {
    fn visit_expr(&mut self, e: &Expr) {
        e.visit_with(self.0);
    }
    fn visit_binding_ident(&mut self, _: &BindingIdent) {}
}

fn collect_pat_ids(p: &Pat, out: &mut Vec<(Id, Span)>) {
    match p {
        Pat::Ident(b) => out.push((b.to_id(), b.span)),
        Pat::Array(a) => a
            .elems
            .iter()
            .flatten()
            .for_each(|e| collect_pat_ids(e, out)),
        Pat::Rest(r) => collect_pat_ids(&r.arg, out),
        Pat::Object(o) => {
            for prop in &o.props {
                match prop {
                    ObjectPatProp::KeyValue(kv) => collect_pat_ids(&kv.value, out),
                    ObjectPatProp::Assign(a) => out.push((a.key.to_id(), a.key.span)),
                    ObjectPatProp::Rest(r) => collect_pat_ids(&r.arg, out),
                }
            }
        }
        Pat::Assign(a) => collect_pat_ids(&a.left, out),
        _ => {}
    }
}

/// Whether `e` evaluates to a string: a literal, a template, or a concatenation whose
/// nearest operand is one. Looks one level down only, so a long chain stays linear.
fn stringish(e: &Expr) -> bool {
    let lit = |e: &Expr| matches!(unparen(e), Expr::Lit(Lit::Str(_)) | Expr::Tpl(_));
    match unparen(e) {
        Expr::Bin(b) if b.op == BinaryOp::Add => lit(&b.left) || lit(&b.right),
        e => lit(e),
    }
}

/// Names declared (`var`, `let`, `const`, `function`, `class`) by the string literals and
/// template parts of `e`, looking through arrays and concatenations: code shipped with a
/// function defines them where the function runs.
fn names_in_strings(e: &Expr, out: &mut Vec<Atom>) {
    match unparen(e) {
        Expr::Lit(Lit::Str(s)) => {
            if let Some(t) = s.value.as_str() {
                declared_names_in_text(t, out);
            }
        }
        Expr::Tpl(t) => {
            for q in &t.quasis {
                if let Some(c) = q.cooked.as_ref().and_then(|c| c.as_str()) {
                    declared_names_in_text(c, out);
                }
            }
        }
        Expr::Bin(b) if b.op == BinaryOp::Add => {
            names_in_strings(&b.left, out);
            names_in_strings(&b.right, out);
        }
        Expr::Array(a) => a
            .elems
            .iter()
            .flatten()
            .for_each(|x| names_in_strings(&x.expr, out)),
        _ => {}
    }
}

/// `var a = ...; function b() {}; let c` in a piece of source text.
fn declared_names_in_text(text: &str, out: &mut Vec<Atom>) {
    let is_id = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let words: Vec<&str> = text
        .split(|c: char| !is_id(c))
        .filter(|w| !w.is_empty())
        .collect();
    for w in words.windows(2) {
        if matches!(w[0], "var" | "let" | "const" | "function" | "class")
            && w[1].chars().next().is_some_and(|c| !c.is_ascii_digit())
        {
            out.push(Atom::from(w[1]));
        }
    }
}

/// Declared names in a string that precedes a function's text: `var M = `.
fn declared_prefix_names(s: &str) -> Vec<Atom> {
    let mut out = Vec::new();
    let t = s.trim_end();
    if let Some(before) = t.strip_suffix('=') {
        let before = before.trim_end();
        let name: String = before
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if !name.is_empty() {
            let rest = before[..before.len() - name.len()].trim_end();
            if rest.ends_with("var")
                || rest.ends_with("let")
                || rest.ends_with("const")
                || rest.ends_with(';')
                || rest.is_empty()
                || rest.ends_with('\n')
            {
                out.push(Atom::from(name));
            }
        }
    }
    out
}

impl Visit for Builder<'_> {
    fn visit_function(&mut self, f: &Function) {
        let ptr = f as *const Function as usize;
        let id = self.enter_fn(f.span, ptr, None);
        let saved_target = self.def_target.take();
        let saved_flags = std::mem::take(&mut self.def_flags);
        let pats: Vec<&Pat> = f.params.iter().map(|p| &p.pat).collect();
        self.visit_params(id, &pats);
        f.decorators.visit_with(self);
        if let Some(body) = &f.body {
            self.visit_stmt_list(&body.stmts);
        }
        self.def_target = saved_target;
        self.def_flags = saved_flags;
        self.stack.pop();
    }

    fn visit_arrow_expr(&mut self, a: &ArrowExpr) {
        let ptr = a as *const ArrowExpr as usize;
        let id = self.enter_fn(a.span, ptr, None);
        let saved_target = self.def_target.take();
        let saved_flags = std::mem::take(&mut self.def_flags);
        let pats: Vec<&Pat> = a.params.iter().collect();
        self.visit_params(id, &pats);
        match &*a.body {
            ArrowFunctionBody::FunctionBody(b) => self.visit_stmt_list(&b.stmts),
            ArrowFunctionBody::Expr(e) => {
                self.m.fns[id].returns.push(&**e as *const Expr);
                e.visit_with(self);
            }
        }
        self.def_target = saved_target;
        self.def_flags = saved_flags;
        self.stack.pop();
    }

    fn visit_fn_decl(&mut self, d: &FnDecl) {
        let parent = self.cur();
        let next = self.m.fns.len();
        self.declare(d.ident.to_id(), d.ident.span, Some(Def::Fn(next)), parent);
        self.pending_name = Some(d.ident.to_id());
        d.function.visit_with(self);
        if let Some(f) = self.m.fns.get_mut(next) {
            f.text_name = Some(d.ident.sym.clone());
        }
    }

    fn visit_fn_expr(&mut self, f: &FnExpr) {
        let next = self.m.fns.len();
        if let Some(i) = &f.ident {
            self.declare(i.to_id(), i.span, Some(Def::Fn(next)), next);
        }
        f.function.visit_with(self);
        if let Some(i) = &f.ident {
            self.m.fns[next].own_name = Some(i.to_id());
            self.m.fns[next].text_name = Some(i.sym.clone());
        }
    }

    fn visit_class_decl(&mut self, c: &ClassDecl) {
        self.declare(c.ident.to_id(), c.ident.span, None, self.cur());
        c.class.visit_with(self);
    }

    fn visit_import_decl(&mut self, d: &ImportDecl) {
        for s in &d.specifiers {
            let local = match s {
                ImportSpecifier::Named(n) => &n.local,
                ImportSpecifier::Default(n) => &n.local,
                ImportSpecifier::Namespace(n) => &n.local,
            };
            self.declare(local.to_id(), local.span, None, ROOT);
        }
    }

    fn visit_catch_clause(&mut self, c: &CatchClause) {
        if let Some(p) = &c.param {
            let mut ids = Vec::new();
            collect_pat_ids(p, &mut ids);
            for (id, span) in ids {
                self.declare(id, span, None, self.cur());
            }
        }
        self.visit_stmt_list(&c.body.stmts);
    }

    fn visit_var_declarator(&mut self, v: &VarDeclarator) {
        let mut ids = Vec::new();
        collect_pat_ids(&v.name, &mut ids);
        let cur = self.cur();
        let single = match &v.name {
            Pat::Ident(b) => Some(b.to_id()),
            _ => None,
        };
        for (id, span) in &ids {
            let def = match (&single, &v.init) {
                (Some(_), Some(init)) => Some(Def::Expr(&**init as *const Expr)),
                _ => None,
            };
            self.declare(id.clone(), *span, def, cur);
        }
        v.name.visit_children_with(&mut PatDefaults(self));
        if let (Some(name), Some(init)) = (&single, &v.init) {
            if self.foreign_test(init) {
                self.env_flags.insert(name.clone());
            }
        }
        if let Some(init) = &v.init {
            if let (Some(name), Expr::Fn(_) | Expr::Arrow(_)) = (&single, unparen(init)) {
                self.pending_name = Some(name.clone());
            }
            self.visit_def(single, init);
            self.pending_name = None;
        }
    }

    fn visit_assign_expr(&mut self, a: &AssignExpr) {
        let mut target_id = None;
        match &a.left {
            AssignTarget::Simple(SimpleAssignTarget::Ident(b)) => {
                let id = b.to_id();
                if a.op != AssignOp::Assign {
                    self.add_ref(&b.id, false);
                }
                if id.1 == self.m.unresolved {
                    self.m.assigned_globals.insert(id.0.clone());
                }
                if a.op == AssignOp::Assign {
                    if let Some(bind) = self.m.bindings.get_mut(&id) {
                        bind.defs.push(Def::Expr(&*a.right as *const Expr));
                    } else {
                        // Assigned before its declaration is seen (hoisted `var`).
                        self.m.bindings.insert(
                            id.clone(),
                            Binding {
                                decl_fn: usize::MAX,
                                span: b.span,
                                defs: vec![Def::Expr(&*a.right as *const Expr)],
                                script_dir: false,
                                script_hits: 0,
                                other_defs: 0,
                            },
                        );
                    }
                    target_id = Some(id);
                }
            }
            AssignTarget::Simple(SimpleAssignTarget::Member(m)) => {
                if a.op == AssignOp::Assign {
                    if let Some(p) = prop_name(&m.prop) {
                        self.m
                            .prop_assigns
                            .entry(p)
                            .or_default()
                            .push((&*m.obj as *const Expr, &*a.right as *const Expr));
                    }
                }
                m.visit_with(self);
            }
            other => other.visit_children_with(&mut PatDefaults(self)),
        }
        if let (Some(name), Expr::Fn(_) | Expr::Arrow(_)) = (&target_id, unparen(&a.right)) {
            self.pending_name = Some(name.clone());
        }
        self.visit_def(target_id, &a.right);
        self.pending_name = None;
    }

    fn visit_expr(&mut self, e: &Expr) {
        match e {
            Expr::Ident(i) => {
                self.add_ref(i, false);
                if i.sym == "__filename" && i.ctxt == self.m.unresolved {
                    self.def_flags.1 = true;
                }
                if i.ctxt == self.m.unresolved
                    && (i.sym == "SharedArrayBuffer" || i.sym == "Atomics")
                {
                    let c = self.cur();
                    self.m.fns[c].thread_marker = true;
                    self.m.shared_memory_at.get_or_insert(i.span);
                }
                if i.ctxt == self.m.unresolved && i.sym == "WebAssembly" {
                    self.m.uses_wasm = true;
                }
            }
            Expr::MetaProp(m) if m.kind == MetaPropKind::ImportMeta => self.mark_script_dir(),
            _ => e.visit_children_with(self),
        }
    }

    fn visit_prop(&mut self, p: &Prop) {
        if let Prop::Shorthand(i) = p {
            self.add_ref(i, false);
        } else {
            p.visit_children_with(self);
        }
    }

    fn visit_member_expr(&mut self, m: &MemberExpr) {
        if let MemberProp::Ident(p) = &m.prop {
            if p.sym == "currentScript" {
                self.mark_script_dir();
            }
        }
        m.visit_children_with(self);
    }

    fn visit_unary_expr(&mut self, u: &UnaryExpr) {
        if u.op == UnaryOp::TypeOf {
            // `typeof x` (parentheses allowed), without cloning the operand: a clone at
            // every level made `typeof typeof ... x` quadratic.
            if let Expr::Ident(i) = unparen(&u.arg) {
                self.add_ref(i, true);
                return;
            }
        }
        u.visit_children_with(self);
    }

    fn visit_bin_expr(&mut self, b: &BinExpr) {
        match b.op {
            BinaryOp::LogicalAnd | BinaryOp::LogicalOr => {
                // `a && b && c` nests to the left, `(a && b) && c`: walk the whole chain from
                // its first operand, adding each operand's guards before the next one is
                // visited. Recomputing them over the whole left side at every level made a
                // long chain quadratic; the guards in force at each operand are the same.
                let op = b.op;
                let mut rest = vec![&*b.right];
                let mut first = &*b.left;
                while let Expr::Bin(l) = first {
                    if l.op != op {
                        break;
                    }
                    rest.push(&*l.right);
                    first = &*l.left;
                }
                first.visit_with(self);
                // `always_read` of a logical chain is that of its first operand.
                let mut all = Vec::new();
                always_read(first, &mut all);
                let mut foreign = 0;
                let mut prev = first;
                let mut at_first = true;
                for right in rest.into_iter().rev() {
                    let mut g = Vec::new();
                    if op == BinaryOp::LogicalAnd {
                        positives(prev, &mut g);
                        if foreign == 0 && self.foreign_test(prev) {
                            foreign = 1;
                            self.foreign_env += 1;
                        }
                    } else {
                        negatives(prev, &mut g);
                    }
                    if at_first {
                        g.append(&mut all);
                        at_first = false;
                    }
                    self.push_guards(&g);
                    all.extend(g);
                    right.visit_with(self);
                    prev = right;
                }
                self.foreign_env -= foreign;
                self.pop_guards(&all);
            }
            BinaryOp::EqEq | BinaryOp::EqEqEq | BinaryOp::NotEq | BinaryOp::NotEqEq => {
                let un = self.m.unresolved;
                let side = if is_void_like(&b.right, un) {
                    Some(&b.left)
                } else if is_void_like(&b.left, un) {
                    Some(&b.right)
                } else {
                    None
                };
                match side.map(|s| unparen(s)) {
                    Some(Expr::Ident(i)) if i.ctxt == un && i.sym != "undefined" => {
                        let r = self.add_ref(i, false);
                        if self.in_optional_chain_test == 0 {
                            self.m.void_compares.push(VoidCompare { ref_index: r });
                        }
                        // Visit the other side.
                        if std::ptr::eq(side.unwrap(), &b.left) {
                            b.right.visit_with(self);
                        } else {
                            b.left.visit_with(self);
                        }
                    }
                    _ => b.visit_children_with(self),
                }
            }
            BinaryOp::Add => {
                b.visit_children_with(self);
                for (this, other) in [(&b.left, &b.right), (&b.right, &b.left)] {
                    let concat = matches!(unparen(this), Expr::Bin(x) if x.op == BinaryOp::Add);
                    if stringish(other)
                        && !concat
                        && !matches!(unparen(this), Expr::Lit(_) | Expr::Tpl(_))
                    {
                        let mut provided = if std::ptr::eq(other, &b.left) {
                            const_string(other)
                                .map(|s| declared_prefix_names(&s))
                                .unwrap_or_default()
                        } else {
                            vec![]
                        };
                        // Only a literal right beside the function: the whole chain would make this quadratic.
                        if matches!(unparen(other), Expr::Lit(_) | Expr::Tpl(_)) {
                            names_in_strings(other, &mut provided);
                        }
                        // `'var M = ' + f.toString()`: the names belong to f's text.
                        let target: &Expr = match unparen(this) {
                            Expr::Call(CallExpr {
                                callee: Callee::Expr(c),
                                args,
                                ..
                            }) if args.is_empty() => match unparen(c) {
                                Expr::Member(m)
                                    if prop_name(&m.prop).as_deref() == Some("toString") =>
                                {
                                    &m.obj
                                }
                                _ => this,
                            },
                            _ => this,
                        };
                        self.add_sink(
                            b.span,
                            "string concatenation",
                            vec![target as *const Expr],
                            provided,
                        );
                    }
                }
            }
            _ => b.visit_children_with(self),
        }
    }

    fn visit_cond_expr(&mut self, c: &CondExpr) {
        // `X == null ? void 0 : X.p` is how compilers lower `X?.p`: not a guard, and it
        // behaves exactly like the optional chain it came from.
        let lowered = is_optional_chain_lowering(c);
        self.in_optional_chain_test += u32::from(lowered);
        c.test.visit_with(self);
        self.in_optional_chain_test -= u32::from(lowered);
        let (mut pos, mut neg) = (Vec::new(), Vec::new());
        always_read(&c.test, &mut pos);
        always_read(&c.test, &mut neg);
        positives(&c.test, &mut pos);
        negatives(&c.test, &mut neg);
        self.push_guards(&pos);
        let foreign = u32::from(self.foreign_test(&c.test));
        self.foreign_env += foreign;
        c.cons.visit_with(self);
        self.foreign_env -= foreign;
        self.pop_guards(&pos);
        self.push_guards(&neg);
        c.alt.visit_with(self);
        self.pop_guards(&neg);
    }

    fn visit_if_stmt(&mut self, s: &IfStmt) {
        s.test.visit_with(self);
        let (mut pos, mut neg) = (Vec::new(), Vec::new());
        always_read(&s.test, &mut pos);
        always_read(&s.test, &mut neg);
        positives(&s.test, &mut pos);
        negatives(&s.test, &mut neg);
        self.push_guards(&pos);
        let foreign = u32::from(self.foreign_test(&s.test));
        self.foreign_env += foreign;
        s.cons.visit_with(self);
        self.foreign_env -= foreign;
        self.pop_guards(&pos);
        if let Some(alt) = &s.alt {
            self.push_guards(&neg);
            alt.visit_with(self);
            self.pop_guards(&neg);
        }
    }

    fn visit_block_stmt(&mut self, b: &BlockStmt) {
        self.visit_stmt_list(&b.stmts);
    }

    fn visit_return_stmt(&mut self, r: &ReturnStmt) {
        if let Some(arg) = &r.arg {
            let c = self.cur();
            self.m.fns[c].returns.push(&**arg as *const Expr);
            arg.visit_with(self);
        }
    }

    fn visit_tpl(&mut self, t: &Tpl) {
        t.visit_children_with(self);
        for e in &t.exprs {
            if !matches!(unparen(e), Expr::Lit(_)) {
                self.add_sink(
                    t.span,
                    "template literal",
                    vec![&**e as *const Expr],
                    vec![],
                );
            }
        }
    }

    fn visit_tagged_tpl(&mut self, t: &TaggedTpl) {
        // A tag receives the values, not their text.
        t.tag.visit_with(self);
        t.tpl.visit_children_with(self);
    }

    fn visit_call_expr(&mut self, c: &CallExpr) {
        let Callee::Expr(callee) = &c.callee else {
            c.visit_children_with(self);
            return;
        };
        let cur = self.cur();
        let callee_u = unparen(callee);
        let args: Vec<*const Expr> = c.args.iter().map(|a| &*a.expr as *const Expr).collect();
        // How the functions written here get invoked.
        let fn_ptr = |e: &Expr| -> Option<usize> {
            match unparen(e) {
                Expr::Fn(f) => Some(&*f.function as *const Function as usize),
                Expr::Arrow(a) => Some(a as *const ArrowExpr as usize),
                _ => None,
            }
        };
        let mut iife_target = fn_ptr(callee_u);
        let mut shift = 0;
        if let Expr::Member(m) = callee_u {
            if let Some(p) = prop_name(&m.prop) {
                if p == "call" || p == "apply" {
                    if let Some(ptr) = fn_ptr(&m.obj) {
                        iife_target = Some(ptr);
                        shift = 1;
                    }
                }
            }
        }
        if let Some(ptr) = iife_target {
            self.pending_invocation.insert(ptr, Invocation::Iife);
        }
        for a in &c.args {
            if let Some(ptr) = fn_ptr(&a.expr) {
                self.pending_invocation.insert(ptr, Invocation::Callback);
            }
        }
        // Call sites for parameter flow.
        match callee_u {
            Expr::Ident(i) => {
                self.m.fns[cur].calls.push(i.to_id());
                self.m
                    .calls_by_name
                    .entry(i.to_id())
                    .or_default()
                    .push(CallSite {
                        args: args.clone(),
                        shift: 0,
                    });
            }
            Expr::Member(m) if shift == 0 => {
                if let (Some(p), Expr::Ident(i)) = (prop_name(&m.prop), unparen(&m.obj)) {
                    if p == "call" {
                        self.m
                            .calls_by_name
                            .entry(i.to_id())
                            .or_default()
                            .push(CallSite {
                                args: args.clone(),
                                shift: 1,
                            });
                    }
                }
            }
            _ => {}
        }
        // Sinks.
        let un = self.m.unresolved;
        match callee_u {
            Expr::Member(m) => {
                let p = prop_name(&m.prop);
                match p.as_deref() {
                    Some("toString") if c.args.is_empty() => {
                        self.add_sink(
                            c.span,
                            "`.toString()`",
                            vec![&*m.obj as *const Expr],
                            vec![],
                        );
                    }
                    Some("createObjectURL") if matches!(unparen(&m.obj), Expr::Ident(i) if i.sym == "URL" && i.ctxt == un) =>
                    {
                        self.add_sink(c.span, "`URL.createObjectURL`", args.clone(), vec![]);
                    }
                    Some("call") => {
                        // Function.prototype.toString.call(f)
                        if let Expr::Member(inner) = unparen(&m.obj) {
                            if prop_name(&inner.prop).as_deref() == Some("toString") {
                                if let Some(a) = c.args.first() {
                                    self.add_sink(
                                        c.span,
                                        "`Function.prototype.toString.call`",
                                        vec![&*a.expr as *const Expr],
                                        vec![],
                                    );
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
            Expr::Ident(i) if i.ctxt == un => match &*i.sym {
                "String" if c.args.len() == 1 => {
                    self.add_sink(c.span, "`String(...)`", args.clone(), vec![])
                }
                "eval" => self.add_sink(c.span, "`eval`", args.clone(), vec![]),
                "Function" => self.add_sink(c.span, "`Function(...)`", args.clone(), vec![]),
                "importScripts" => self.add_sink(c.span, "`importScripts`", args.clone(), vec![]),
                _ => {}
            },
            _ => {}
        }
        if let Some(ptr) = iife_target {
            // Keep the call site for parameter flow once the function has an id.
            callee.visit_with(self);
            if let Some(&fid) = self.m.fn_by_ptr.get(&ptr) {
                self.m
                    .calls_by_fn
                    .entry(fid)
                    .or_default()
                    .push(CallSite { args, shift });
            }
            c.args.visit_with(self);
        } else {
            c.visit_children_with(self);
        }
    }

    fn visit_new_expr(&mut self, n: &NewExpr) {
        let un = self.m.unresolved;
        if let Some(args) = &n.args {
            for a in args {
                if let Expr::Fn(f) = unparen(&a.expr) {
                    self.pending_invocation.insert(
                        &*f.function as *const Function as usize,
                        Invocation::Callback,
                    );
                }
                if let Expr::Arrow(f) = unparen(&a.expr) {
                    self.pending_invocation
                        .insert(f as *const ArrowExpr as usize, Invocation::Callback);
                }
            }
        }
        if self.is_global(&n.callee, "Worker") || self.is_global(&n.callee, "SharedWorker") {
            let c = self.cur();
            self.m.fns[c].thread_marker = true;
        }
        if let (Expr::Ident(i), Some(args)) = (unparen(&n.callee), &n.args) {
            if i.ctxt == un {
                let mut exprs: Vec<*const Expr> = Vec::new();
                let kind = match &*i.sym {
                    "Blob" => {
                        if let Some(first) = args.first() {
                            match unparen(&first.expr) {
                                Expr::Array(arr) => exprs.extend(
                                    arr.elems.iter().flatten().map(|e| &*e.expr as *const Expr),
                                ),
                                e => exprs.push(e as *const Expr),
                            }
                        }
                        Some("`new Blob`")
                    }
                    "Worker" | "SharedWorker" => {
                        exprs.extend(args.first().map(|a| &*a.expr as *const Expr));
                        Some("`new Worker`")
                    }
                    "Function" => {
                        exprs.extend(args.iter().map(|a| &*a.expr as *const Expr));
                        Some("`new Function`")
                    }
                    _ => None,
                };
                if let Some(kind) = kind {
                    self.add_sink(n.span, kind, exprs, vec![]);
                }
            }
        }
        n.visit_children_with(self);
    }
}
