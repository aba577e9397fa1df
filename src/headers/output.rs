//! Rendering a [`Report`] for people; `--format json` is the `Report` serialized as is.

use super::check::{HeaderInfo, Outcome, Report};
use std::fmt::Write;

/// The human-readable report (what `guardmin headers check` prints by default).
pub fn human(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "page     {} (HTTP {})", r.final_url, r.status);
    header_line(&mut s, "COOP", &r.coop);
    header_line(&mut s, "COEP", &r.coep);
    if !r.secure_context {
        let _ = writeln!(s, "context  not secure (plain http): never isolated");
    }
    if r.deep {
        let _ = writeln!(s);
        let _ = writeln!(s, "resources ({} checked):", r.resources.len());
        for res in &r.resources {
            let tag = match res.outcome {
                Outcome::Ok => "ok",
                Outcome::Warning => "warning",
                Outcome::Blocked => "BLOCKED",
                Outcome::Error => "error",
            };
            let url = res.final_url.as_deref().unwrap_or(&res.url);
            let _ = writeln!(s, "  {tag:<8} {:<11} {url}: {}", res.kind.label(), res.note);
        }
    }
    for (title, list) in [
        ("problems", &r.problems),
        ("warnings", &r.warnings),
        ("notes", &r.notes),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(s);
        let _ = writeln!(s, "{title}:");
        for item in list {
            let _ = writeln!(s, "  - {item}");
        }
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "verdict: {}", verdict(r));
    s
}

fn header_line(s: &mut String, label: &str, h: &HeaderInfo) {
    let value = h.value.as_deref().unwrap_or("(missing)");
    let mark = if h.ok { "ok" } else { "NOT OK" };
    let _ = writeln!(s, "{label:<8} {value} [{mark}]: {}", h.meaning);
}

/// One sentence: isolated or not, and so whether the threaded path would be taken.
pub fn verdict(r: &Report) -> String {
    if r.threaded {
        let scope = if r.deep {
            "and nothing it loads is blocked"
        } else {
            "(resources not checked; add --deep)"
        };
        format!(
            "cross-origin isolated {scope}: self.crossOriginIsolated would be true, SharedArrayBuffer exists, and threaded WebAssembly would take its threaded path"
        )
    } else if r.cross_origin_isolated {
        let blocked = r
            .resources
            .iter()
            .filter(|x| x.outcome == Outcome::Blocked)
            .count();
        format!(
            "the page would be cross-origin isolated, but {blocked} resource(s) it loads would be blocked (see problems), so the threaded WebAssembly app would fail to start"
        )
    } else {
        "NOT cross-origin isolated: self.crossOriginIsolated would be false, SharedArrayBuffer is missing, and threaded WebAssembly (tfjs's threaded SIMD backend, Emscripten pthreads) silently falls back to one thread".to_string()
    }
}
