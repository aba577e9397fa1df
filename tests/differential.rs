//! Minified code must behave like the original: each of the eleven corpus bundles
//! (FINDINGS.md) is minified with the `guardmin` binary, then both copies are loaded in
//! node by `tests/node/differential.mjs`, which compares what they export (keys two levels
//! deep, `typeof`, function `length`) and, for lodash, moment, d3 (and a few more), the
//! results of real calls.
//!
//! Issue 15 (`guardmin fix`, must-show 3): the same bundles minified by terser's defaults,
//! @swc/core and oxc-minify (`scripts/peers.mjs`, into `target/peers`), then `guardmin fix`:
//! the harness gives the same results for the fixed files as for the files before the fix
//! (exports and real calls against the originals), and every file fix did not repair is
//! byte for byte the peer's output.
//!
//! Needs `scripts/install-npm.sh` (the bundles live in target/npm/node_modules) and node.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The corpus, as FINDINGS.md lists it.
const CORPUS: &[&str] = &[
    "antd/dist/antd.js",
    "d3/dist/d3.js",
    "echarts/dist/echarts.js",
    "jquery/dist/jquery.js",
    "lodash/lodash.js",
    "moment/moment.js",
    "react-dom/cjs/react-dom.development.js",
    "@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.js",
    "three/build/three.core.js",
    "typescript/lib/typescript.js",
    "vue/dist/vue.global.js",
];

mod common;
use common::{root, show};

fn npm(rel: &str) -> PathBuf {
    let p = root().join("target/npm/node_modules").join(rel);
    assert!(
        p.exists(),
        "{} is missing: run scripts/install-npm.sh first",
        p.display()
    );
    p
}

fn minify_corpus(out: &Path, extra: &[&str]) -> Vec<(PathBuf, PathBuf)> {
    let inputs: Vec<PathBuf> = CORPUS.iter().map(|r| npm(r)).collect();
    let o = Command::new(env!("CARGO_BIN_EXE_guardmin"))
        .arg("minify")
        .args(&inputs)
        .arg("--out-dir")
        .arg(out)
        .args(["--no-cache", "-q"])
        .args(extra)
        .output()
        .expect("run guardmin");
    assert_eq!(
        o.status.code(),
        Some(0),
        "guardmin minify failed:\n{}",
        show(&o)
    );
    inputs
        .into_iter()
        .map(|i| {
            let m = out.join(i.file_name().unwrap());
            assert!(m.is_file(), "no output for {}", i.display());
            (i, m)
        })
        .collect()
}

/// The harness's output on `pairs`, and whether every pair matched.
fn differential(pairs: &[(PathBuf, PathBuf)]) -> (bool, String) {
    let mut c = Command::new("node");
    c.arg(root().join("tests/node/differential.mjs"));
    for (a, b) in pairs {
        c.arg(a).arg(b);
    }
    let o = c
        .output()
        .expect("could not run node (Node.js 20+ is needed)");
    match o.status.code() {
        Some(0) => (true, String::from_utf8_lossy(&o.stdout).into_owned()),
        Some(1) => (false, String::from_utf8_lossy(&o.stdout).into_owned()),
        _ => panic!(
            "the differential harness could not load a bundle:\n{}",
            show(&o)
        ),
    }
}

fn compare_in_node(pairs: &[(PathBuf, PathBuf)]) -> String {
    match differential(pairs) {
        (true, out) => out,
        (false, out) => panic!("minified bundles behave differently from the originals:\n{out}"),
    }
}

#[test]
fn corpus_bundles_export_the_same_after_minify() {
    let d = tempfile::tempdir().unwrap();
    let pairs = minify_corpus(d.path(), &[]);
    let out = compare_in_node(&pairs);
    // Every bundle was compared, and the ones with real calls made them.
    for rel in CORPUS {
        let name = Path::new(rel).file_name().unwrap().to_str().unwrap();
        assert!(
            out.contains(&format!("ok {name}:")),
            "{name} not compared:\n{out}"
        );
    }
    for name in ["lodash.js", "moment.js", "d3.js"] {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("ok {name}:")))
            .unwrap();
        assert!(!line.ends_with(" 0 calls"), "{line}");
    }
    eprintln!("{out}");
}

/// The harness itself notices a difference (so a pass above means something).
#[test]
fn harness_detects_a_changed_export() {
    let d = tempfile::tempdir().unwrap();
    let orig = npm("lodash/lodash.js");
    let text = std::fs::read_to_string(&orig).unwrap();
    let needle = "function chunk(array, size, guard) {";
    assert!(text.contains(needle));
    let changed = text.replacen(needle, &format!("{needle} size = (size | 0) + 1;"), 1);
    let copy = d.path().join("lodash.js");
    std::fs::write(&copy, changed).unwrap();
    let o = Command::new("node")
        .arg(root().join("tests/node/differential.mjs"))
        .arg(&orig)
        .arg(&copy)
        .output()
        .expect("node");
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("call chunk:"),
        "{}",
        show(&o)
    );
}

/// The corpus by the names `scripts/peers.mjs` gives its outputs, in [`CORPUS`] order.
const PEER_NAMES: &[&str] = &[
    "antd",
    "d3",
    "echarts",
    "jquery",
    "lodash",
    "moment",
    "react-dom",
    "tfjs-backend-wasm",
    "three",
    "typescript",
    "vue",
];

/// `node scripts/peers.mjs target/peers` (it redoes stale outputs only).
fn peers() -> PathBuf {
    let _ = common::node_modules(&["terser", "@swc/core", "oxc-minify"]);
    let out = root().join("target/peers");
    let mut c = Command::new("node");
    c.current_dir(root()).arg("scripts/peers.mjs").arg(&out);
    let o = common::run(c, "node");
    assert!(
        o.status.success(),
        "node scripts/peers.mjs target/peers failed:\n{}",
        show(&o)
    );
    out
}

#[test]
fn corpus_behaves_the_same_after_fix() {
    let peers = peers();
    let d = tempfile::tempdir().unwrap();
    for config in ["terser", "swc", "oxc"] {
        let minified: Vec<PathBuf> = PEER_NAMES
            .iter()
            .map(|n| peers.join(config).join(format!("{n}.js")))
            .collect();
        let out = d.path().join(config);
        let o = Command::new(env!("CARGO_BIN_EXE_guardmin"))
            .arg("fix")
            .args(&minified)
            .arg("--out-dir")
            .arg(&out)
            .args(["--format", "json"])
            .output()
            .expect("run guardmin");
        assert_eq!(o.status.code(), Some(0), "{config}: {}", show(&o));
        let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let mut repaired = Vec::new();
        for f in report["files"].as_array().unwrap() {
            if f["status"] == "repaired" {
                repaired.push(f["file"].as_str().unwrap().to_string());
            }
        }
        // tfjs's script-directory guard is the corpus's only broken one.
        assert!(
            repaired.len() == 1 && repaired[0].ends_with("tfjs-backend-wasm.js"),
            "{config}: repaired {repaired:?}"
        );
        let fixed: Vec<PathBuf> = minified
            .iter()
            .map(|m| out.join(m.file_name().unwrap()))
            .collect();
        for (m, f) in minified.iter().zip(&fixed) {
            let (a, b) = (std::fs::read(m).unwrap(), std::fs::read(f).unwrap());
            if !m.ends_with("tfjs-backend-wasm.js") {
                assert!(a == b, "{config}: fix changed {}", m.display());
            } else {
                assert!(a != b, "{config}: fix did not change {}", m.display());
            }
        }
        let originals: Vec<PathBuf> = CORPUS.iter().map(|r| npm(r)).collect();
        let pair = |files: &[PathBuf]| -> Vec<(PathBuf, PathBuf)> {
            originals
                .iter()
                .cloned()
                .zip(files.iter().cloned())
                .collect()
        };
        let before = differential(&pair(&minified));
        let after = differential(&pair(&fixed));
        assert_eq!(
            before, after,
            "{config}: the fixed bundles behave differently from the bundles before the fix"
        );
        eprintln!("{config}, fixed:\n{}", after.1);
    }
}
