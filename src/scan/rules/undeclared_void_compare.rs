//! `undeclared-void-compare` (warning): a global name that the file never declares is
//! compared with `void 0`, `undefined` or `null` without a `typeof` guard.
//!
//! Reading an undeclared name throws `ReferenceError`; only `typeof` may touch it. A
//! comparison like `process === void 0` is what minifiers leave after rewriting a guard, and
//! it throws wherever that global is missing (a worker has no `window`, a browser no
//! `process`). Names every JavaScript realm has (`Object`, `Array`, `Math`, `globalThis`, ...)
//! and names the file assigns itself are not reported, nor the shape compilers give an
//! optional chain (`X == null ? void 0 : X.p` for `X?.p`), which is no guard and behaves
//! exactly like the chain the author wrote.
//!
//! Bad:
//! ```js
//! if (process !== void 0 && process.env) { /* ... */ }
//! ```
//!
//! Good:
//! ```js
//! if (typeof process < "u" && process.env) { /* ... */ }
//! ```

use super::super::model::Model;
use super::super::RawFinding;
use crate::diagnostic::{RuleMeta, Severity};

pub const META: RuleMeta = RuleMeta {
    id: "undeclared-void-compare",
    severity: Severity::Warning,
    summary: "A global that may not exist is compared with void 0 / undefined / null instead of being tested with typeof.",
    help: "test it with `typeof NAME !== \"undefined\"` (or `typeof NAME < \"u\"`), which never throws",
};

/// Globals of every ECMAScript realm (ES2024), plus `globalThis`, plus the few host globals
/// that every realm a bundle runs in has (browsers, workers, Node.js, Deno, Bun): `console`,
/// timers, `URL`, text coding.
pub const REALM_GLOBALS: &[&str] = &[
    "AggregateError",
    "Array",
    "ArrayBuffer",
    "Atomics",
    "BigInt",
    "BigInt64Array",
    "BigUint64Array",
    "Boolean",
    "DataView",
    "Date",
    "Error",
    "EvalError",
    "FinalizationRegistry",
    "Float32Array",
    "Float64Array",
    "Function",
    "Infinity",
    "Int16Array",
    "Int32Array",
    "Int8Array",
    "Intl",
    "JSON",
    "Map",
    "Math",
    "NaN",
    "Number",
    "Object",
    "Promise",
    "Proxy",
    "RangeError",
    "ReferenceError",
    "Reflect",
    "RegExp",
    "Set",
    "SharedArrayBuffer",
    "String",
    "Symbol",
    "SyntaxError",
    "TypeError",
    "URIError",
    "Uint16Array",
    "Uint32Array",
    "Uint8Array",
    "Uint8ClampedArray",
    "WeakMap",
    "WeakRef",
    "WeakSet",
    "decodeURI",
    "decodeURIComponent",
    "encodeURI",
    "encodeURIComponent",
    "escape",
    "eval",
    "globalThis",
    "isFinite",
    "isNaN",
    "parseFloat",
    "parseInt",
    "undefined",
    "unescape",
    "arguments",
    // Host globals every realm a bundle runs in has.
    "console",
    "setTimeout",
    "clearTimeout",
    "setInterval",
    "clearInterval",
    "queueMicrotask",
    "structuredClone",
    "URL",
    "URLSearchParams",
    "TextEncoder",
    "TextDecoder",
    "AbortController",
    "atob",
    "btoa",
    "WebAssembly",
];

pub fn check(model: &Model, out: &mut Vec<RawFinding>) {
    for &vc in &model.void_compares {
        let r = &model.reads[vc];
        let name = &*r.name;
        if model.global_guarded(r)
            || REALM_GLOBALS.contains(&name)
            || model.assigned_globals.contains(&r.name)
        {
            continue;
        }
        let message = format!(
            "`{name}` is not declared in this file and is compared with void 0/undefined/null without typeof; where `{name}` does not exist this throws ReferenceError"
        );
        out.push(RawFinding::new(
            &META,
            r.span,
            name,
            message,
            META.help.replace("NAME", name),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::scan::findings;

    fn rule(code: &str) -> Vec<(u32, u32)> {
        findings(code)
            .into_iter()
            .filter(|f| f.0 == "undeclared-void-compare")
            .map(|f| (f.1, f.2))
            .collect()
    }

    #[test]
    fn bad() {
        assert_eq!(
            rule("if (process !== void 0 && process.env) {}\n"),
            vec![(1, 5)]
        );
        assert_eq!(rule("x = null == window;\n"), vec![(1, 13)]);
        assert_eq!(rule("if (self === undefined) {}\n"), vec![(1, 5)]);
    }

    #[test]
    fn good() {
        assert!(rule("if (typeof process < \"u\" && process.env) {}\n").is_empty());
        assert!(rule("if (typeof window !== 'undefined' && window !== null) {}\n").is_empty());
        // Declared names, realm globals, names the file assigns.
        assert!(rule("var p; if (p === void 0) {}\n").is_empty());
        assert!(rule("if (globalThis === undefined || Object == null) {}\n").is_empty());
        assert!(rule("if (console !== undefined) console.warn(1);\n").is_empty());
        // Lowered optional chains (`window?.matchMedia`) behave like the chain: not a guard.
        assert!(
            rule("x = window === null || window === void 0 ? void 0 : window.matchMedia;\n")
                .is_empty()
        );
        assert!(rule("x = null == window ? void 0 : window.matchMedia(q);\n").is_empty());
        assert!(rule("myGlobal = 1; if (myGlobal === undefined) {}\n").is_empty());
    }
}
