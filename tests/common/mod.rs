//! Helpers shared by the integration tests that drive the binary and node (each test file is
//! its own crate; `mod common;` pulls these in, and not every file uses every helper).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn guardmin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_guardmin"))
}

/// `target/npm/node_modules`, after checking that each of `packages` is installed there.
pub fn node_modules(packages: &[&str]) -> PathBuf {
    let nm = root().join("target/npm/node_modules");
    for pkg in packages {
        if !nm.join(pkg).join("package.json").is_file() {
            panic!(
                "{} is missing {pkg}: run scripts/install-npm.sh first (it installs the pinned npm \
                 packages these tests use)",
                nm.display()
            );
        }
    }
    nm
}

pub fn node() -> Command {
    let mut c = Command::new("node");
    c.current_dir(root());
    c
}

pub fn run(mut cmd: Command, what: &str) -> Output {
    match cmd.output() {
        Ok(o) => o,
        Err(e) => panic!("could not run {what} ({cmd:?}): {e}; is it installed and on PATH?"),
    }
}

pub fn show(o: &Output) -> String {
    format!(
        "{}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub fn tmp(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(prefix).tempdir().unwrap()
}

/// `guardmin minify IN -o OUT EXTRA...`, which must succeed and write OUT.
pub fn guardmin_minify(input: &Path, out: &Path, extra: &[&str]) {
    let mut c = guardmin();
    c.arg("minify").arg(input).arg("-o").arg(out).args(extra);
    let o = run(c, "guardmin");
    assert!(
        o.status.success(),
        "guardmin minify {} failed:\n{}",
        input.display(),
        show(&o)
    );
    assert!(
        out.is_file(),
        "guardmin minify {} exited 0 but wrote no {}",
        input.display(),
        out.display()
    );
}

/// terser 5.51.2 with its defaults (`compress: {}`, `mangle: true`, `module` for .mjs).
pub fn terser_defaults(input: &Path, out: &Path) {
    let terser = node_modules(&["terser"]).join("terser");
    let manifest = std::fs::read_to_string(terser.join("package.json")).unwrap();
    assert!(
        manifest.contains("\"version\": \"5.51.2\""),
        "target/npm has another terser than the pinned 5.51.2; run scripts/install-npm.sh"
    );
    let script = r#"
        const terser = require(process.env.TERSER);
        const fs = require('fs');
        const input = process.env.IN;
        terser
          .minify(fs.readFileSync(input, 'utf8'), { compress: {}, mangle: true, module: input.endsWith('.mjs') })
          .then((r) => fs.writeFileSync(process.env.OUT, r.code))
          .catch((e) => { console.error(e); process.exit(1); });
    "#;
    let mut c = node();
    c.arg("-e")
        .arg(script)
        .env("TERSER", &terser)
        .env("IN", input)
        .env("OUT", out);
    let o = run(c, "node");
    assert!(
        o.status.success(),
        "terser failed on {}:\n{}",
        input.display(),
        show(&o)
    );
}

/// Runs a node script that prints one JSON value; CODE is on its stdin.
pub fn node_json(script: &str, code: &str) -> serde_json::Value {
    use std::io::Write;
    use std::process::Stdio;
    let mut c = node();
    c.arg("-e")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("could not run node");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(code.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "node helper failed:\n{}", show(&o));
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("node helper printed no JSON ({e}):\n{}", show(&o)))
}
