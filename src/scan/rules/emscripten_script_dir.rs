//! `emscripten-script-dir` (error): an Emscripten MODULARIZE factory with pthreads reads
//! its script-directory variable without a `typeof` guard.
//!
//! Emscripten glue saves the script's URL in a variable around the factory (`_scriptDir` up
//! to 3.1.57, `_scriptName` from 3.1.58; set from `document.currentScript` or
//! `import.meta.url`) and returns the factory. Threaded builds rebuild the factory in each
//! worker from its source text (tfjs: `'var M = ' + factory.toString()`), where that
//! variable does not exist. The glue guards the read with `typeof`; minifiers that know the
//! variable is declared rewrite the guard to `void 0 !== e` and the workers throw
//! `ReferenceError: e is not defined`. The rule recognises the variable by its initialiser
//! (mangled or not) and checks the code that runs when the factory is called. It fires even
//! when no `.toString()` is visible in the file: glue is often stringified from another chunk.
//! A factory counts as threaded when it creates workers or uses `SharedArrayBuffer` or
//! `Atomics`, or when its text is seen leaving its scope.
//!
//! Bad (terser defaults, swc, oxc):
//! ```js
//! var M=(()=>{var e="undefined"!=typeof document&&document.currentScript?document.currentScript.src:void 0;
//! return function(t){void 0!==e&&e&&(r=e); /* ... new Worker(...) ... */}})();
//! ```
//!
//! Good (guardmin, terser with `typeofs: false`, esbuild):
//! ```js
//! var M=(()=>{var e="undefined"!=typeof document&&document.currentScript?document.currentScript.src:void 0;
//! return function(t){typeof e<"u"&&e&&(r=e); /* ... new Worker(...) ... */}})();
//! ```

use super::super::model::Model;
use super::super::RawFinding;
use crate::diagnostic::{RuleMeta, Severity};

pub const META: RuleMeta = RuleMeta {
    id: "emscripten-script-dir",
    severity: Severity::Error,
    summary: "An Emscripten pthreads factory whose text is sent to its workers reads _scriptDir/_scriptName without the typeof guard, so its workers throw ReferenceError.",
    help: "minify this file with `guardmin minify` (or terser with `compress: { typeofs: false }`), or repair it with `guardmin fix`; swc and oxc have no switch that keeps the guard",
};

pub fn check(model: &Model, out: &mut Vec<RawFinding>) {
    let (leaving, reads) = model.leaking_reads();
    for lr in reads {
        let r = &model.reads[lr.read];
        let Some(b) = r.binding else { continue };
        if !model.binding(b).script_dir {
            continue;
        }
        let sink = &model.sinks[leaving[lr.leaving].sink.index()];
        let name = &r.name;
        let message = format!(
            "`{name}` (Emscripten's script directory, set from document.currentScript / import.meta.url) is read without its typeof guard in a factory whose source text is sent to its workers ({}); there `{name}` is not defined: every worker throws ReferenceError",
            sink.kind
        );
        out.push(RawFinding {
            rewritten_guard: r.guard_shape,
            sink: Some(sink.span),
            ..RawFinding::new(&META, r.span, name.as_str(), message, META.help.to_string())
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::scan::findings;

    fn rule(code: &str) -> Vec<(u32, u32)> {
        findings(code)
            .into_iter()
            .filter(|f| f.0 == "emscripten-script-dir")
            .map(|f| (f.1, f.2))
            .collect()
    }

    const MINIFIED_BAD: &str = "var M=(()=>{var e=\"undefined\"!=typeof document&&document.currentScript?document.currentScript.src:void 0;\nreturn function(t){var r=\"\";void 0!==e&&e&&(r=e);t.w=function(){return new Worker(r)};return t}})();\nnew Worker(URL.createObjectURL(new Blob([\"var M = \"+M.toString()])));\n";

    #[test]
    fn bad_minified_shape() {
        assert_eq!(rule(MINIFIED_BAD), vec![(2, 38)]);
    }

    #[test]
    fn good_shapes() {
        let guarded = MINIFIED_BAD.replace("void 0!==e", "typeof e<\"u\"");
        assert!(rule(&guarded).is_empty());
        let readable = "var M = (function () {\n  var _scriptDir = typeof document !== 'undefined' && document.currentScript ? document.currentScript.src : undefined;\n  if (typeof __filename !== 'undefined') _scriptDir = _scriptDir || __filename;\n  return (function (M) {\n    var dir = '';\n    if (typeof _scriptDir !== \"undefined\" && _scriptDir) { dir = _scriptDir; }\n    var PThread = { spawn: function () { return new Worker(M.url || _scriptDir); } };\n    return PThread;\n  });\n})();\n";
        assert!(rule(readable).is_empty(), "{:?}", rule(readable));
    }

    #[test]
    fn every_generation_is_recognised() {
        // _scriptName, optional chaining, globalThis.document, import.meta.url, async factory.
        for init in [
            "typeof document != 'undefined' ? document.currentScript?.src : undefined",
            "globalThis.document?.currentScript?.src",
            "import.meta.url",
        ] {
            let code = format!("var M = (() => {{\n  var _scriptName = {init};\n  return async function (moduleArg = {{}}) {{\n    var d = '';\n    if (_scriptName) d = new URL('.', _scriptName).href;\n    new Worker(d);\n  }};\n}})();\nnew Blob(['var M = ' + M.toString()]);\nexport default M;\n");
            assert_eq!(rule(&code), vec![(5, 9)], "{init}");
        }
    }

    #[test]
    fn webpack_filename_fallback_shape() {
        // webpack + terser: `__filename` became "/index.js", and the declaration a sequence.
        let code = "var r={1(e,t,n){var a,r=(a=(a=\"undefined\"!=typeof document&&document.currentScript?document.currentScript.src:void 0)||\"/index.js\",function(e){var t=\"\";void 0!==a&&a&&(t=a);new Worker(t);return e});e.exports=r}};\nvar f=function(n){var m={exports:{}};r[n](m,m.exports,f);return m.exports};new Blob([\"var M=\"+f(1).toString()]);\n";
        assert_eq!(
            rule(code),
            vec![(1, 162)],
            "{:?}",
            crate::scan::findings(code)
        );
    }

    #[test]
    fn non_threaded_factories_are_not_flagged() {
        // No workers, no SharedArrayBuffer, text never sent anywhere: the glue runs where it was loaded.
        let code = "var M=(()=>{var e=\"undefined\"!=typeof document&&document.currentScript?document.currentScript.src:void 0;\nreturn function(t){var r=\"\";e&&(r=e);return t}})();\n";
        assert!(rule(code).is_empty());
    }
}
