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
//! - `fix_repairs_every_guard_shape` (issue 15): `guardmin fix` over every output. An output
//!   that ran comes back byte for byte; a repaired output runs, observes what its original
//!   observes (where the original runs) and scans clean; the outputs reported not
//!   repairable are exactly [`NOT_REPAIRABLE`] (each broken for a reason that is no guard
//!   shape), so every other output that throws was repaired.
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

/// The peer minifiers (every column but `original` and `guardmin`).
const PEERS: &[&str] = &[
    "terser",
    "terser-typeofs-false",
    "swc",
    "oxc",
    "esbuild",
    "esbuild-keepnames",
];
const EVERY: &[&str] = &[
    "original",
    "terser",
    "terser-typeofs-false",
    "swc",
    "oxc",
    "esbuild",
    "esbuild-keepnames",
    "guardmin",
];

/// The outputs that throw for a reason that is no guard shape, so that `guardmin fix` must
/// report them not repairable (and write nothing); every other output that throws must be
/// repaired and run.
const NOT_REPAIRABLE: &[(&str, &[&str], &str)] = &[
    (
        "guard-first-read",
        EVERY,
        "the original reads the name unguarded",
    ),
    (
        "text-unguarded",
        EVERY,
        "the original reads the name unguarded",
    ),
    (
        "names-by-declaration",
        PEERS,
        "the text calls a function by its original name, which the minifier renamed",
    ),
    (
        "flow-map-join",
        PEERS,
        "the text calls a function by its original name, which the minifier renamed",
    ),
    (
        "names-param-call",
        PEERS,
        "the text calls a function by its original name, which the minifier renamed",
    ),
    (
        "prelude-scriptdir",
        PEERS,
        "the binding was renamed away from `_scriptDir`, which the prelude declares",
    ),
    (
        "prelude-workerself",
        PEERS,
        "the binding was renamed away from `_workerSelf`, which the prelude declares",
    ),
    (
        "guard-enclosing-fn",
        &["terser"],
        "terser dropped the guard: the read stands in a member access",
    ),
    (
        "guard-enclosing-fn",
        &["esbuild-keepnames"],
        "esbuild's `__name` helper is called inside the shipped text",
    ),
    (
        "flow-object-prop",
        &["esbuild-keepnames"],
        "esbuild's `__name` helper is called inside the shipped text",
    ),
    (
        "flow-webpack4-array",
        &["esbuild-keepnames"],
        "esbuild's `__name` helper is called inside the shipped text",
    ),
    (
        "guard-callback",
        &["esbuild-keepnames"],
        "esbuild's `__name` helper is called inside the shipped text",
    ),
    (
        "guard-early-return",
        &["esbuild-keepnames"],
        "esbuild's `__name` helper is called inside the shipped text",
    ),
    (
        "guard-sibling-binding",
        &["esbuild-keepnames"],
        "esbuild's `__name` helper is called inside the shipped text",
    ),
    (
        "guard-uncalled-inner",
        &["esbuild-keepnames"],
        "esbuild's `__name` helper is called inside the shipped text",
    ),
    (
        "sink-data-url",
        &["esbuild-keepnames"],
        "esbuild's `__name` helper is called inside the shipped text",
    ),
    (
        "text-arrow",
        &["esbuild-keepnames"],
        "esbuild's `__name` helper is called inside the shipped text",
    ),
    (
        "text-inner-named",
        &["esbuild-keepnames"],
        "esbuild's `__name` helper is called inside the shipped text",
    ),
];

#[test]
fn fix_repairs_every_guard_shape() {
    let s = summary();
    let problems = list(&s["fixProblems"]);
    assert!(
        problems.is_empty(),
        "{} outputs where `guardmin fix` did not do what it must (see the fix table in \
         target/serialized/table.md):\n{}",
        problems.len(),
        problems.join("\n")
    );
    let mut want: std::collections::BTreeSet<(String, String)> = Default::default();
    for (case, minifiers, _why) in NOT_REPAIRABLE {
        for m in *minifiers {
            want.insert((case.to_string(), m.to_string()));
        }
    }
    let mut got = std::collections::BTreeSet::new();
    let (mut repaired, mut unchanged) = (0, 0);
    for (case, row) in s["fix"].as_object().expect("a fix table") {
        for (m, cell) in row.as_object().unwrap() {
            match cell["status"].as_str() {
                Some("not-repairable") => {
                    got.insert((case.clone(), m.clone()));
                }
                Some("repaired") => {
                    repaired += 1;
                    assert_eq!(cell["before"], "throws", "{case}/{m}: {cell}");
                    assert_eq!(cell["after"], "runs", "{case}/{m}: {cell}");
                }
                Some("unchanged") => {
                    unchanged += 1;
                    assert_eq!(cell["before"], "runs", "{case}/{m}: {cell}");
                }
                _ => panic!("{case}/{m}: {cell}"),
            }
        }
    }
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "not repairable, but should have been repaired: {extra:?}\nexpected not repairable, but \
         fix did something else: {missing:?}"
    );
    // The broken outputs of the common minifiers are mostly guard shapes.
    assert!(repaired >= 100, "only {repaired} outputs repaired");
    eprintln!(
        "fix: {unchanged} unchanged, {repaired} repaired, {} not repairable",
        got.len()
    );
}
