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

use super::super::model::{FnId, Invocation, Model};
use super::super::RawFinding;
use crate::diagnostic::{RuleMeta, Severity};
use std::collections::HashSet;

pub const META: RuleMeta = RuleMeta {
    id: "emscripten-script-dir",
    severity: Severity::Error,
    summary: "An Emscripten pthreads factory reads _scriptDir/_scriptName without the typeof guard, so its workers throw ReferenceError.",
    help: "minify this file with `guardmin minify` (or terser with `compress: { typeofs: false }`); swc and oxc have no switch that keeps the guard",
};

pub fn check(model: &Model, out: &mut Vec<RawFinding>) {
    let serialized: HashSet<FnId> = model.serialized().into_iter().map(|(f, _, _)| f).collect();
    let by_fn = model.refs_by_fn();
    let mut vars: Vec<_> = model
        .bindings
        .iter()
        .filter(|(_, b)| b.script_dir && b.decl_fn != usize::MAX)
        .collect();
    vars.sort_by_key(|(_, b)| b.span.lo);
    for (id, b) in vars {
        let g = b.decl_fn;
        // Factories: threaded or serialized functions inside the variable's scope that are
        // not invoked in place, outermost first.
        let is_factory = |f: FnId| {
            f != g
                && model.fns[f].invocation != Invocation::Iife
                && (serialized.contains(&f) || model.uses_threads(f))
        };
        let mut factories = Vec::new();
        for f in 1..model.fns.len() {
            if !model.is_within(f, g) || !is_factory(f) {
                continue;
            }
            let mut a = model.fns[f].parent;
            let mut nested = false;
            while let Some(p) = a {
                if p == g {
                    break;
                }
                if is_factory(p) {
                    nested = true;
                    break;
                }
                a = model.fns[p].parent;
            }
            if !nested {
                factories.push(f);
            }
        }
        for f in factories {
            let mut executed: Vec<_> = model.executed(f).into_iter().collect();
            executed.sort_unstable();
            let mut refs: Vec<usize> = executed
                .iter()
                .flat_map(|e| by_fn[*e].iter().copied())
                .collect();
            refs.sort_unstable();
            let first = refs
                .into_iter()
                .map(|i| &model.refs[i])
                .find(|r| &r.id == id && !r.in_typeof && !r.guarded && !r.foreign_env);
            if let Some(r) = first {
                out.push(RawFinding {
                    rule: META.id,
                    severity: META.severity,
                    span: r.span,
                    name: id.0.to_string(),
                    message: format!(
                        "`{}` (Emscripten's script directory, set from document.currentScript / import.meta.url) is read without its typeof guard in a pthreads factory; workers rebuild the factory from its source text, where `{}` is not defined: every worker throws ReferenceError",
                        id.0, id.0
                    ),
                    help: META.help.to_string(),
                });
            }
        }
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

    const MINIFIED_BAD: &str = "var M=(()=>{var e=\"undefined\"!=typeof document&&document.currentScript?document.currentScript.src:void 0;\nreturn function(t){var r=\"\";void 0!==e&&e&&(r=e);t.w=function(){return new Worker(r)};return t}})();\n";

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
            let code = format!("var M = (() => {{\n  var _scriptName = {init};\n  return async function (moduleArg = {{}}) {{\n    var d = '';\n    if (_scriptName) d = new URL('.', _scriptName).href;\n    new Worker(d);\n  }};\n}})();\nexport default M;\n");
            assert_eq!(rule(&code), vec![(5, 9)], "{init}");
        }
    }

    #[test]
    fn webpack_filename_fallback_shape() {
        // webpack + terser: `__filename` became "/index.js", and the declaration a sequence.
        let code = "var r={1(e,t,n){var a,r=(a=(a=\"undefined\"!=typeof document&&document.currentScript?document.currentScript.src:void 0)||\"/index.js\",function(e){var t=\"\";void 0!==a&&a&&(t=a);new Worker(t);return e});e.exports=r}};\n";
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
