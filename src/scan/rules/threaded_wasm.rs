//! `threaded-wasm` (info): the bundle contains threaded WebAssembly glue, which only runs
//! threaded on a cross-origin isolated page.
//!
//! `SharedArrayBuffer` exists only when the page is served with
//! `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`
//! (or `credentialless`). Without them glue like tfjs's silently falls back from the threaded
//! SIMD binary to a slower one, with no error. This note points at
//! `guardmin headers check URL`, which checks a deployment. It never changes the exit code.
//!
//! Noted:
//! ```js
//! var memory = new WebAssembly.Memory({ initial: 16, maximum: 1024, shared: true });
//! if (!(memory.buffer instanceof SharedArrayBuffer)) throw new Error("no threads");
//! ```
//!
//! Not noted: WebAssembly without shared memory, or `SharedArrayBuffer` without WebAssembly.

use super::super::model::Model;
use super::super::RawFinding;
use crate::diagnostic::{RuleMeta, Severity};

pub const META: RuleMeta = RuleMeta {
    id: "threaded-wasm",
    severity: Severity::Info,
    summary: "The bundle contains threaded WebAssembly glue: it runs threaded only on a cross-origin isolated page.",
    help: "serve the page with `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`; check a deployment with `guardmin headers check URL` (snippets: `guardmin headers print --for nginx`)",
};

pub fn check(model: &Model, out: &mut Vec<RawFinding>) {
    let (Some(span), true) = (model.shared_memory_at, model.uses_wasm) else {
        return;
    };
    let message = "threaded WebAssembly glue (WebAssembly with SharedArrayBuffer): without cross-origin isolation the page has no SharedArrayBuffer and the glue falls back to a slower, unthreaded path without an error";
    out.push(RawFinding::new(
        &META,
        span,
        "SharedArrayBuffer",
        message.to_string(),
        META.help.to_string(),
    ));
}

#[cfg(test)]
mod tests {
    use crate::scan::findings;

    fn rule(code: &str) -> usize {
        findings(code)
            .into_iter()
            .filter(|f| f.0 == "threaded-wasm")
            .count()
    }

    #[test]
    fn noted_once_for_threaded_glue() {
        let code = "var m = new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true });\nif (!(m.buffer instanceof SharedArrayBuffer)) throw 1;\nAtomics.wait;\n";
        assert_eq!(rule(code), 1);
    }

    #[test]
    fn not_noted_without_both() {
        assert_eq!(rule("WebAssembly.instantiate(bytes);\n"), 0);
        assert_eq!(rule("new SharedArrayBuffer(8);\n"), 0);
    }
}
