//! `serialized-closure` (error): a function whose source text leaves its scope reads a
//! binding of an enclosing scope without a `typeof` guard.
//!
//! A function's text leaves its scope through `f.toString()`, `String(f)`, `'' + f`,
//! `` `${f}` ``, or by flowing into `new Blob`, `new Worker`, `URL.createObjectURL`, `eval`,
//! `new Function` or `importScripts`. Where that text runs (a worker, an eval), only the
//! function itself exists: every name it took from around it is undeclared there, and
//! reading one throws `ReferenceError`. The function is found through plain data flow:
//! bindings, re-assignments, IIFE return values, sequence expressions, object properties
//! and CommonJS `module.exports` inside bundle wrappers. Only code that runs when the
//! function is called is checked: its body, the IIFEs and callbacks in it and the inner
//! functions it calls by name.
//!
//! Bad:
//! ```js
//! const scale = 2;
//! function work(x) { return x * scale; }           // `scale` is not defined in the worker
//! new Worker(URL.createObjectURL(new Blob([`onmessage = e => postMessage((${work})(e.data))`])));
//! ```
//!
//! Good:
//! ```js
//! function work(x) { return x * (typeof scale !== "undefined" ? scale : 2); }
//! new Worker(URL.createObjectURL(new Blob([`onmessage = e => postMessage((${work})(e.data))`])));
//! ```

use super::super::model::{Def, Model};
use super::super::RawFinding;
use crate::diagnostic::{RuleMeta, Severity};
use std::collections::HashSet;

pub const META: RuleMeta = RuleMeta {
    id: "serialized-closure",
    severity: Severity::Error,
    summary: "A function whose source text is sent elsewhere (worker, Blob, eval) reads a variable of an enclosing scope without a typeof guard.",
    help: "guard the read with `typeof NAME !== \"undefined\"` (and keep it: minify with guardmin or terser `compress.typeofs: false`), or pass the value in as an argument or message",
};

pub fn check(model: &Model, out: &mut Vec<RawFinding>) {
    // Names another rule already reported (emscripten-script-dir): one report per bug.
    let already: HashSet<String> = out.iter().map(|f| f.name.clone()).collect();
    let by_fn = model.refs_by_fn();
    for (f, sink_idx) in model.serialized() {
        let sink = &model.sinks[sink_idx];
        let info = &model.fns[f];
        let mut reported = HashSet::new();
        let mut executed: Vec<_> = model.executed(f).into_iter().collect();
        executed.sort_unstable();
        let mut candidates: Vec<usize> = executed
            .iter()
            .flat_map(|g| by_fn[*g].iter().copied())
            .collect();
        candidates.sort_unstable();
        for ri in candidates {
            let r = &model.refs[ri];
            if r.in_typeof
                || r.guarded
                || r.foreign_env
                || model.is_unresolved(&r.id)
                || already.contains(&*r.id.0)
            {
                continue;
            }
            let Some(b) = model.bindings.get(&r.id) else {
                continue;
            };
            if b.decl_fn == usize::MAX || model.is_within(b.decl_fn, f) {
                continue;
            }
            if sink.provided.contains(&r.id.0) || info.own_name.as_ref() == Some(&r.id) {
                continue;
            }
            // The function's own declared name: its text declares it.
            if b.defs.iter().any(|d| matches!(d, Def::Fn(g) if *g == f)) {
                continue;
            }
            if !reported.insert(r.id.clone()) {
                continue;
            }
            out.push(RawFinding {
                rule: META.id,
                severity: META.severity,
                span: r.span,
                name: r.id.0.to_string(),
                message: format!(
                    "`{}` is declared outside a function whose source text is sent elsewhere ({}); where that text runs, `{}` is not defined and this read throws ReferenceError",
                    r.id.0, sink.kind, r.id.0
                ),
                help: META.help.replace("NAME", &r.id.0),
            });
        }
    }
}
