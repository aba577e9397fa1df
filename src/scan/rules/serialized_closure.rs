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

use super::super::model::Model;
use super::super::RawFinding;
use crate::diagnostic::{RuleMeta, Severity};

pub const META: RuleMeta = RuleMeta {
    id: "serialized-closure",
    severity: Severity::Error,
    summary: "A function whose source text is sent elsewhere (worker, Blob, eval) reads a variable of an enclosing scope without a typeof guard.",
    help: "guard the read with `typeof NAME !== \"undefined\"` (and keep it: minify with guardmin or terser `compress.typeofs: false`), or pass the value in as an argument or message",
};

pub fn check(model: &Model, out: &mut Vec<RawFinding>) {
    let (leaving, reads) = model.leaking_reads();
    // Text that calls a name nothing shipped declares any more (`String(f) + 'main();'`
    // after a minifier renamed `main`): reported once per sink.
    let mut seen_sinks = std::collections::HashSet::new();
    for l in &leaving {
        if l.undeclared_calls.is_empty() || !seen_sinks.insert(l.sink) {
            continue;
        }
        let sink = &model.sinks[l.sink.index()];
        let names = l
            .undeclared_calls
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let message = format!(
            "the code text sent elsewhere here ({}) calls {names}, which neither the function text shipped with it nor the rest of the text declares, and which is no global of a worker; where it runs this throws ReferenceError (was a function renamed by a minifier?)",
            sink.kind
        );
        let help = "keep the names the shipped text relies on (minify with guardmin, which keeps them), or build the text from the function's current name (`'var ' + f.name + ' = ' + f`)";
        out.push(RawFinding {
            rewritten_guard: true, // a sure break, whatever the flow merged
            sink: Some(sink.span),
            ..RawFinding::new(
                &META,
                sink.span,
                l.undeclared_calls[0].as_str(),
                message,
                help.to_string(),
            )
        });
    }
    for lr in reads {
        let r = &model.reads[lr.read];
        let Some(b) = r.binding else { continue };
        if model.binding(b).script_dir {
            continue; // emscripten-script-dir reports it
        }
        let l = &leaving[lr.leaving];
        let sink = &model.sinks[l.sink.index()];
        let name = &r.name;
        let joined = if l.prelude.is_empty() {
            String::new()
        } else {
            format!(
                "; the text it is joined with declares {}, not `{name}` (was the binding renamed by a minifier?)",
                l.prelude.iter().map(|d| format!("`{d}`")).collect::<Vec<_>>().join(", ")
            )
        };
        let message = format!(
            "`{name}` is declared outside a function whose source text is sent elsewhere ({}); where that text runs, `{name}` is not defined and this read throws ReferenceError{joined}",
            sink.kind
        );
        out.push(RawFinding {
            rewritten_guard: r.guard_shape,
            sink: Some(sink.span),
            ..RawFinding::new(
                &META,
                r.span,
                name.as_str(),
                message,
                META.help.replace("NAME", name),
            )
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::scan::findings;

    fn rule(code: &str) -> Vec<(u32, u32)> {
        findings(code)
            .into_iter()
            .filter(|f| f.0 == "serialized-closure")
            .map(|f| (f.1, f.2))
            .collect()
    }

    #[test]
    fn bad_example_from_docs() {
        let code = "const scale = 2;\nfunction work(x) { return x * scale; }\nnew Worker(URL.createObjectURL(new Blob([`onmessage = e => postMessage((${work})(e.data))`])));\n";
        assert_eq!(rule(code), vec![(2, 31)]);
    }

    #[test]
    fn good_example_from_docs() {
        let code = "function work(x) { return x * (typeof scale !== \"undefined\" ? scale : 2); }\nnew Worker(URL.createObjectURL(new Blob([`onmessage = e => postMessage((${work})(e.data))`])));\n";
        assert!(rule(code).is_empty());
    }

    #[test]
    fn every_way_text_leaves_its_scope() {
        let sinks = [
            "f.toString()",
            "String(f)",
            "'' + f",
            "f + ''",
            "`${f}`",
            "[f].join('')",
            "JSON.stringify(String(f))",
            "Function.prototype.toString.call(f)",
        ];
        for s in sinks {
            let code = format!(
                "var outer = 1;\nvar f = function () {{ return outer; }};\nvar t = {s};\nnew Blob([t]);\n"
            );
            assert_eq!(rule(&code), vec![(2, 30)], "sink {s}");
        }
    }

    #[test]
    fn data_flow_through_iife_sequence_reassignment_and_commonjs() {
        // IIFE return value.
        let iife = "var f = (function(){ var hidden = 1; return function(){ return hidden; }; })();\nnew Blob([f.toString()]);\n";
        assert_eq!(rule(iife).len(), 1);
        // Sequence expression and re-assignment.
        let seq =
            "var x = 1, g;\ng = (0, function(){ return x; });\nvar h = g;\neval(String(h));\n";
        assert_eq!(rule(seq).len(), 1);
        // CommonJS wrapper, as rollup emits it, plus an interop helper called for two modules.
        let cjs = "var top = 3;\nfunction interop(x) { return x && x.__esModule ? x['default'] : x; }\n\
var a$1 = { exports: {} };\n(function (module, exports) { module.exports = function () { return top; }; })(a$1, a$1.exports);\n\
var b$1 = { exports: {} };\n(function (module) { module.exports = function () { return top * 2; }; })(b$1);\n\
var a = interop(a$1.exports);\nvar b = interop(b$1.exports);\nnew Blob(['var M = ' + a.toString()]);\n";
        let got = rule(cjs);
        assert_eq!(got, vec![(4, 69)], "only module a is serialized: {got:?}");
        // Object method.
        let method = "var k = 1;\nvar o = { run() { return k; } };\nnew Worker(URL.createObjectURL(new Blob([o.run.toString()])));\n";
        assert_eq!(rule(method).len(), 1);
    }

    #[test]
    fn only_code_that_runs_counts() {
        // Inner function called by name and a callback: both run.
        let runs = "var a = 1, b = 2;\nfunction w() { function inner() { return a; } [1].forEach(function () { b; }); return inner(); }\neval('(' + w + ')()');\n";
        assert_eq!(rule(runs).len(), 2);
        // A method stored on an object only runs if something calls it.
        let stored = "var a = 1;\nfunction w() { var api = { later: function () { return a; } }; return api; }\neval('(' + w + ')()');\n";
        assert!(rule(stored).is_empty());
        // Node-only branches never run in a worker.
        let node = "var fs = {};\nfunction w() { var IS_NODE = typeof process == 'object'; if (IS_NODE) { fs.x; } if (typeof window !== 'undefined' && window.document) fs.y; }\neval('(' + w + ')()');\n";
        assert!(rule(node).is_empty());
    }

    #[test]
    fn names_the_text_itself_provides_are_fine() {
        // 'var M = ' + f: M exists where the text runs; a function's own name too.
        let code =
            "var M = 1;\nfunction f() { return [M, f]; }\nnew Blob(['var M = ' + f.toString()]);\n";
        assert!(rule(code).is_empty(), "{:?}", findings(code));
        // Locals and parameters of the function itself.
        let local = "function f(p) { var q = p; return q; }\nnew Blob([f.toString()]);\n";
        assert!(rule(local).is_empty());
    }

    #[test]
    fn guards_make_reads_safe() {
        for guard in [
            "typeof v !== 'undefined' && v",
            "\"undefined\" != typeof v && v",
            "typeof v < \"u\" && v",
            "\"u\" > typeof v && v",
            "typeof v < `u` && v",
            "typeof v === 'undefined' || v",
            "typeof v === 'function' ? v : 0",
        ] {
            let code = format!(
                "var v = 1;\nfunction f() {{ return {guard}; }}\nnew Blob([f.toString()]);\n"
            );
            assert!(rule(&code).is_empty(), "{guard}");
        }
        // A sequence is as true as its last expression (swc merges `if (a) x; if (guard) y`).
        let seq = "var v = 1, w;\nfunction f() { if ((w = 1), typeof v < \"u\" && v) return v; }\nnew Blob([f.toString()]);\n";
        assert!(rule(seq).is_empty());
        let early = "var v = 1;\nfunction f() { if (typeof v === 'undefined') return 0; return v; }\nnew Blob([f.toString()]);\n";
        assert!(rule(early).is_empty());
        // A rewritten guard is a finding, reported once.
        let broken = "var v = 1;\nfunction f() { return void 0 !== v && v && v; }\nnew Blob([f.toString()]);\n";
        assert_eq!(rule(broken), vec![(2, 34)]);
    }

    #[test]
    fn functions_shipped_together_define_each_other() {
        // helper travels with work, so it exists where work runs; `limit` does not.
        let code = "var limit = 3;\nfunction helper(x) { return x + 1; }\nfunction work() { return helper(limit); }\nnew Blob([helper.toString(), work.toString(), 'work()']);\n";
        assert_eq!(rule(code), vec![(3, 33)]);
        let tpl = "var limit = 3;\nfunction helper(x) { return x + 1; }\nfunction work() { return helper(1); }\nnew Worker(URL.createObjectURL(new Blob([`${helper}\\n(${work})()`])));\n";
        assert!(rule(tpl).is_empty(), "{:?}", findings(tpl));
        // Code in the strings defines names too.
        let strs = "var k = 2;\nfunction work() { return k; }\nnew Blob(['const k = 2;\\n', '(' + work + ')()']);\n";
        assert!(rule(strs).is_empty());
    }

    #[test]
    fn longer_concatenations_and_commonjs_exports() {
        let code = "var n = 1;\nfunction work() { return n; }\nvar src = 'self.onmessage = ' + 'function(){}; (' + work + ')()';\neval(src);\n";
        assert_eq!(rule(code).len(), 1);
        let cjs = "var n = 1;\nexports.work = function () { return n; };\nmodule.exports.other = { run: () => n };\nnew Blob([exports.work.toString()]);\n";
        assert_eq!(rule(cjs), vec![(2, 37)]);
        let short = "var n = 1;\nfunction work() { return n; }\nvar api = { work };\nnew Blob([api.work.toString()]);\n";
        assert_eq!(rule(short).len(), 1);
    }

    #[test]
    fn no_sink_no_finding() {
        assert!(rule("var a = 1;\nfunction f() { return a; }\nf();\n").is_empty());
    }
}
