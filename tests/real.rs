//! The real-packages table (issues 13 and 14): eleven published npm packages with Emscripten
//! or worker glue (pinned in `scripts/real/package.json`, installed by
//! `scripts/install-real.sh` into `target/real`), each run in Debian's Chromium behind
//! COOP/COEP once per variant of its glue files (original, terser defaults, terser
//! `typeofs: false`, @swc/core, oxc-minify, esbuild, esbuild `keepNames`, guardmin), against
//! `guardmin scan --format json` of the same files. `tests/real/run.mjs` does the work and
//! writes `target/real/table.md` and `target/real/summary.json`; this test runs it and
//! requires:
//!
//! - no disagreement: a file that runs is scanned clean (else a false alarm), a file that
//!   breaks gets at least one error-severity finding (else a miss);
//! - guardmin never refuses a package's file, and its output never breaks where the published
//!   file runs;
//! - every published file runs (else the page or the harness is wrong, not a minifier).
//!
//! Needs: `scripts/install-real.sh`, `scripts/install-npm.sh` (the peer minifiers),
//! `scripts/install-e2e.sh` (Chromium, nginx, playwright-core). `scripts/test-real.sh` runs
//! all three and then this test. The binary under test is this build's guardmin, or
//! `GUARDMIN_BIN`. One run takes a few minutes on 2 cores (minified variants are cached under
//! `target/real/variants`).

use std::process::Command;

use serde_json::Value;

mod common;
use common::{root, run, show};

#[test]
// enabled once scan engine 2 lands
#[ignore]
fn real_packages_scan_agrees_with_chromium() {
    let root = root();
    for (what, path, hint) in [
        (
            "the real packages",
            "target/real/node_modules/.package-lock.json",
            "scripts/install-real.sh",
        ),
        (
            "the peer minifiers",
            "target/npm/node_modules/terser/package.json",
            "scripts/install-npm.sh",
        ),
        (
            "playwright-core",
            "target/e2e-deps/node_modules/playwright-core/package.json",
            "scripts/install-e2e.sh",
        ),
    ] {
        assert!(
            root.join(path).is_file(),
            "{what} are not installed ({path} is missing): run {hint} (scripts/test-real.sh runs all installs)"
        );
    }
    let bin = std::env::var_os("GUARDMIN_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_BIN_EXE_guardmin")));
    let out = root.join("target/real");
    let mut cmd = Command::new("node");
    cmd.current_dir(&root)
        .env("GUARDMIN_BIN", &bin)
        .arg("tests/real/run.mjs")
        .arg("--out")
        .arg(&out);
    let o = run(cmd, "node tests/real/run.mjs");
    let summary_path = out.join("summary.json");
    let summary: Value = match std::fs::read_to_string(&summary_path) {
        Ok(text) => serde_json::from_str(&text).unwrap_or(Value::Null),
        Err(_) => Value::Null,
    };
    let problems: Vec<String> = summary["problems"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert!(
        o.status.success() && problems.is_empty(),
        "the real-packages table has {} problem(s) (table: {}):\n  {}\n\n{}",
        problems.len(),
        out.join("table.md").display(),
        problems.join("\n  "),
        show(&o)
    );
    let results = summary["results"].as_array().map(Vec::len).unwrap_or(0);
    assert!(
        results >= 10 * 8,
        "expected at least 10 packages x 8 variants in {}, found {results} results",
        summary_path.display()
    );
}
