//! The serialized-closure corpus (issue 13): `tests/serialized/run.mjs` minifies every case in
//! `tests/serialized/cases/` with terser (defaults and `typeofs: false`), swc, oxc, esbuild
//! (with and without `keepNames`) and guardmin, runs each output in a simulated page plus a
//! fresh realm per worker (`tests/serialized/sim.mjs`) to get the runtime truth, and compares
//! that with `guardmin scan`. The harness runs once per test binary; its JSON summary is
//! shared by the tests below.
//!
//! - `scan_agrees_with_runtime_truth`: no output throws while scan is clean (a miss), none runs
//!   while scan reports an error (a false alarm); every original behaves as its header's
//!   `// expect:` line says; every peer minifier produced an output.
//! - `guardmin_output_behaves_as_original` (issue 14): every guardmin output has the same
//!   verdict and the same observed results as its original.
//!
//! Needs Node.js 20+ and `scripts/install-npm.sh`. The table is written to
//! `target/serialized/table.md`.

use std::sync::OnceLock;

mod common;
use common::{node, node_modules, run, show};

fn summary() -> &'static serde_json::Value {
    static SUMMARY: OnceLock<serde_json::Value> = OnceLock::new();
    SUMMARY.get_or_init(|| {
        node_modules(&["terser", "@swc/core", "oxc-minify", "esbuild"]);
        let mut c = node();
        c.arg("tests/serialized/run.mjs")
            .arg("--json")
            .env("GUARDMIN_BIN", env!("CARGO_BIN_EXE_guardmin"));
        let o = run(c, "node");
        // 0: all clear, 1: some check failed (the summary says which); anything else is a
        // harness or setup failure.
        assert!(
            matches!(o.status.code(), Some(0) | Some(1)),
            "tests/serialized/run.mjs could not run:\n{}",
            show(&o)
        );
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
            panic!(
                "tests/serialized/run.mjs printed no JSON summary ({e}):\n{}",
                show(&o)
            )
        })
    })
}

fn list(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|x| x.to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn corpus_is_large_enough_and_covers_every_minifier() {
    let s = summary();
    assert!(
        s["cases"].as_u64().unwrap_or(0) >= 45,
        "fewer than 45 cases: {}",
        s["cases"]
    );
    let minifiers: Vec<&str> = s["minifiers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m.as_str())
        .collect();
    for m in [
        "original",
        "terser",
        "terser-typeofs-false",
        "swc",
        "oxc",
        "esbuild",
        "esbuild-keepnames",
        "guardmin",
    ] {
        assert!(minifiers.contains(&m), "{m} missing from {minifiers:?}");
    }
    let corpus = list(&s["corpus"]);
    assert!(
        corpus.is_empty(),
        "cases whose original does not behave as their `// expect:` line says (the corpus or \
         the simulation is wrong, not the scan):\n{}",
        corpus.join("\n")
    );
    let failures = list(&s["minifyErrors"]);
    assert!(
        failures.is_empty(),
        "peer minifiers failed:\n{}",
        failures.join("\n")
    );
}

#[test]
fn scan_agrees_with_runtime_truth() {
    let s = summary();
    let d = list(&s["disagreements"]);
    assert!(
        d.is_empty(),
        "{} outputs where `guardmin scan` disagrees with the runtime truth (see \
         target/serialized/table.md):\n{}",
        d.len(),
        d.join("\n")
    );
}

#[test]
fn guardmin_output_behaves_as_original() {
    let s = summary();
    let p = list(&s["parity"]);
    assert!(
        p.is_empty(),
        "{} cases where guardmin's output does not behave as the original:\n{}",
        p.len(),
        p.join("\n")
    );
}
