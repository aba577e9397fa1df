//! `--format sarif` against the official SARIF 2.1.0 JSON schema.
//!
//! The schema (`sarif-2.1.0-rtm.5.json`, from the pinned npm package `@microsoft/jest-sarif`)
//! and the validator (`ajv` + `ajv-draft-04` + `ajv-formats`, pinned) live in
//! `target/npm/node_modules`, installed by `scripts/install-npm.sh` (scripts/test.sh runs it
//! first). `tests/node/sarif-validate.mjs` does the validation and GitHub's own few extra
//! checks. Nothing is skipped: without node or the packages these tests fail and say so.
//!
//! - a report built through the library with every rule of `guardmin::scan::rules::ALL`,
//!   every severity, an original position, awkward paths (spaces, non-ASCII, absolute,
//!   Windows) and a hostile message is valid;
//! - the real binary's `scan --format sarif` on a small bundle is valid;
//! - broken logs (wrong version, a result without a message, an unencoded URI) are rejected,
//!   so the check can fail.

use guardmin::diagnostic::{CodeFrame, Finding, OriginalPosition, Severity};
use guardmin::report::{self, Format, ScanReport};
use guardmin::scan::rules::ALL;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

mod common;
use common::root;

/// Runs the validator; `Ok(stdout)` when valid, `Err(output)` when the log is rejected.
/// Panics (with what to do) when the validator itself cannot run.
fn validate(file: &Path) -> Result<String, String> {
    let script = root().join("tests/node/sarif-validate.mjs");
    let out = Command::new("node")
        .arg(&script)
        .arg(file)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run node ({e}): install Node.js 20+ and run scripts/install-npm.sh")
        });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    match out.status.code() {
        Some(0) => Ok(text),
        Some(1) => Err(text),
        _ => panic!(
            "sarif-validate could not run (run scripts/install-npm.sh to install the pinned \
             schema and validator into target/npm):\n{text}"
        ),
    }
}

fn frame(line: u32, text: &str, offset: usize, len: usize) -> CodeFrame {
    CodeFrame {
        lines: vec![
            (line.saturating_sub(1).max(1), "var e = 1;".into()),
            (line, text.into()),
        ],
        caret_line: line,
        caret_offset: offset,
        caret_len: len,
    }
}

/// One finding per rule of ALL, cycling through severities and awkward paths, plus a
/// finding for a rule id that ALL lacks.
fn findings() -> Vec<Finding> {
    let files = [
        "dist/tf-backend-wasm.min.js",
        "dist/with space/ünïcode #1.js",
        "/abs/path/bundle.js",
        "C:\\work\\out\\a,b;c.js",
        "./rel/../x%y.mjs",
    ];
    let severities = [Severity::Error, Severity::Warning, Severity::Info];
    let mut out: Vec<Finding> = ALL
        .iter()
        .enumerate()
        .map(|(i, meta)| Finding {
            rule: meta.id,
            severity: severities[i % 3],
            file: files[i % files.len()].to_string(),
            line: 10 + i as u32,
            column: 3 + i as u32,
            message: format!(
                "`_scriptDir` read for {}: \"quoted\" \x1b[31mred\x1b[0m\nnext line",
                meta.id
            ),
            help: meta.help.to_string(),
            original: (i % 2 == 0).then(|| OriginalPosition {
                file: if i == 0 {
                    "webpack://tfjs/./src/glue.js".into()
                } else {
                    "src/orig file.js".into()
                },
                line: 88,
                column: 9,
                name: (i == 0).then(|| "_scriptDir".to_string()),
            }),
            frame: (i % 3 != 2).then(|| frame(10 + i as u32, "  if (_scriptDir) go();", 6, 10)),
        })
        .collect();
    // The same line twice: fingerprints count occurrences.
    let dup = out[0].clone();
    out.push(dup);
    out.push(Finding {
        rule: "io-error",
        severity: Severity::Error,
        file: "unreadable.js".into(),
        line: 1,
        column: 1,
        message: "permission denied".into(),
        help: String::new(),
        original: None,
        frame: None,
    });
    out
}

fn sarif(findings: &[Finding]) -> Vec<u8> {
    let rep = ScanReport {
        files_scanned: 5,
        findings,
        rules: ALL,
        tool_version: guardmin::VERSION,
    };
    let mut buf = Vec::new();
    report::write(Format::Sarif, &rep, &mut buf, false).unwrap();
    buf
}

#[test]
fn library_report_is_valid_sarif() {
    let dir = tempfile::tempdir().unwrap();
    let fs = findings();
    let bytes = sarif(&fs);
    let path = dir.path().join("guardmin.sarif");
    std::fs::write(&path, &bytes).unwrap();
    if let Err(e) = validate(&path) {
        panic!(
            "guardmin's SARIF is not valid:\n{e}\n{}",
            String::from_utf8_lossy(&bytes)
        );
    }

    // And it says what it should.
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), ALL.len() + 1);
    for (r, meta) in rules.iter().zip(ALL) {
        assert_eq!(r["id"], meta.id);
        assert_eq!(r["shortDescription"]["text"], meta.summary);
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), fs.len());
    let levels: Vec<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert!(levels.contains(&"error") && levels.contains(&"warning") && levels.contains(&"note"));
    assert_eq!(
        results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "dist/with%20space/%C3%BCn%C3%AFcode%20%231.js"
    );
    let fp = |i: usize| {
        results[i]["partialFingerprints"]["primaryLocationLineHash"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let dup = ALL.len();
    assert_eq!(
        fp(0).split_once(':').unwrap().0,
        fp(dup).split_once(':').unwrap().0
    );
    assert!(fp(0).ends_with(":1") && fp(dup).ends_with(":2"));
    // Deterministic.
    assert_eq!(bytes, sarif(&fs));
}

#[test]
fn binary_scan_output_is_valid_sarif() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("dist dir");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(
        sub.join("worker.js"),
        "var base = \"x\";\n\
         function work() {\n  return base + 1;\n}\n\
         new Worker(URL.createObjectURL(new Blob([\"(\" + work.toString() + \")()\"])));\n\
         if (someGlobal === void 0) { console.log(1); }\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_guardmin"))
        .args(["scan", "dist dir", "--format", "sarif"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir.path().join("scan.sarif");
    std::fs::write(&path, &out.stdout).unwrap();
    if let Err(e) = validate(&path) {
        panic!(
            "`guardmin scan --format sarif` is not valid SARIF:\n{e}\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty(), "the scan found nothing");
    let loc = &results[0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(loc["uri"], "dist%20dir/worker.js");
    assert_eq!(loc["uriBaseId"], "%SRCROOT%");
}

#[test]
fn broken_sarif_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let good: Value = serde_json::from_slice(&sarif(&findings())).unwrap();
    type Break = fn(&mut Value);
    let breaks: [(&str, Break); 4] = [
        ("version 9", |v| v["version"] = "9".into()),
        ("result without message", |v| {
            v["runs"][0]["results"][0]
                .as_object_mut()
                .unwrap()
                .remove("message");
        }),
        ("unencoded uri", |v| {
            v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
                ["uri"] = "dist/with space.js".into();
        }),
        ("level not in the enum", |v| {
            v["runs"][0]["results"][0]["level"] = "fatal".into()
        }),
    ];
    for (what, f) in breaks {
        let mut bad = good.clone();
        f(&mut bad);
        let path = dir.path().join("bad.sarif");
        std::fs::write(&path, serde_json::to_vec(&bad).unwrap()).unwrap();
        match validate(&path) {
            Ok(out) => panic!("{what}: a broken log passed validation: {out}"),
            Err(out) => assert!(out.contains("schema:"), "{what}: {out}"),
        }
    }
    // GitHub's extra checks: a ruleIndex that points at another rule.
    let mut bad = good.clone();
    bad["runs"][0]["results"][0]["ruleIndex"] = 1.into();
    let path = dir.path().join("bad-index.sarif");
    std::fs::write(&path, serde_json::to_vec(&bad).unwrap()).unwrap();
    let err = validate(&path).expect_err("a wrong ruleIndex passed");
    assert!(err.contains("ruleIndex"), "{err}");
}
