//! End-to-end checks that guardmin's output still works where Emscripten-style glue sends a
//! factory's source text to a worker, with terser's defaults as the negative control.
//!
//! For every fixture in `fixtures/glue/` (one per Emscripten glue generation, see its
//! README):
//! - the unminified file runs in `tests/node/worker-sim.mjs` (the factory's text, rebuilt
//!   as `'var NAME = ' + factory.toString()` in a fresh realm, is called without error);
//! - `guardmin minify` output runs there too, both when the harness builds the text (as
//!   tfjs does) and through the file's own `createWorkerBlob()` hand-off, and resolves to
//!   the same Module summary as the original;
//! - terser 5.51.2 with its defaults produces output that throws `ReferenceError` there,
//!   which proves the simulation can fail; `guardmin fix` repairs that output (issue 15), and
//!   the repaired file runs and resolves to the original's Module summary.
//!
//! Also: `fixtures/guards` (every guard spelling, a generic function sent to a worker through
//! a Blob URL), `fixtures/example` (the README's example bundle), `fixtures/esm` and
//! `fixtures/cjs`.
//!
//! Needs Node.js 20+ and `scripts/install-npm.sh` (terser in `target/npm`).

use std::path::{Path, PathBuf};

mod common;
use common::{guardmin, guardmin_minify, node, node_json, run, show, terser_defaults};

fn tmp() -> tempfile::TempDir {
    common::tmp("guardmin-glue-")
}

fn root() -> PathBuf {
    common::root()
}

#[derive(Debug)]
struct Sim {
    ok: bool,
    error: Option<String>,
    result: serde_json::Value,
    raw: String,
}

/// Runs tests/node/worker-sim.mjs on FILE with ARGS and parses its one JSON line.
fn worker_sim(file: &Path, args: &[&str]) -> Sim {
    let mut c = node();
    c.arg(root().join("tests/node/worker-sim.mjs"))
        .arg(file)
        .args(args);
    let o = run(c, "node");
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    let line = stdout.lines().last().unwrap_or("");
    let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| {
        panic!(
            "worker-sim on {} printed no JSON line ({e}):\n{}",
            file.display(),
            show(&o)
        )
    });
    let ok = v["ok"].as_bool().unwrap_or(false);
    let code = o.status.code();
    if v.get("stage").is_some() || code == Some(2) {
        panic!(
            "worker-sim could not set up the run on {} (not a verdict on the code under test):\n{}",
            file.display(),
            show(&o)
        );
    }
    assert_eq!(
        code,
        Some(if ok { 0 } else { 1 }),
        "worker-sim exit code does not match its verdict:\n{}",
        show(&o)
    );
    Sim {
        ok,
        error: v["error"].as_str().map(str::to_owned),
        result: v["result"].clone(),
        raw: format!(
            "{line}\n--- worker-sim stderr ---\n{}",
            String::from_utf8_lossy(&o.stderr)
        ),
    }
}

fn expect_ok(sim: &Sim, what: &str) {
    assert!(
        sim.ok,
        "{what}: the worker run threw: {}\n{}",
        sim.error.as_deref().unwrap_or("?"),
        sim.raw
    );
}

fn expect_reference_error(sim: &Sim, what: &str) {
    assert!(
        !sim.ok
            && sim
                .error
                .as_deref()
                .is_some_and(|e| e.starts_with("ReferenceError:")),
        "{what}: expected a ReferenceError (negative control: the simulation must be able to \
         fail), got:\n{}",
        sim.raw
    );
}

fn file_name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

// ------------------------------------------------------------------------------------------
// fixtures/glue

/// (file, factory name). Kept in step with the directory by `glue_table_lists_every_fixture`.
const GLUE: &[(&str, &str)] = &[
    ("a-emscripten-3.0-function.js", "SpinnerModule"),
    ("b-emscripten-3.1.0-arrow.js", "LatticeModule"),
    ("c-emscripten-3.1.42-modulearg.js", "PrismModule"),
    ("d-emscripten-3.1.57-optional-chain.js", "QuillModule"),
    ("e-emscripten-export-es6.mjs", "OrbitModule"),
    ("f-emscripten-3.1.58-scriptname.js", "EmberModule"),
    ("g-emscripten-4.0.8-url.js", "GlyphModule"),
    ("h-emscripten-4.0.12-async.js", "CometModule"),
];

fn check_glue(file: &str) {
    let name = GLUE
        .iter()
        .find(|(f, _)| *f == file)
        .map(|(_, n)| *n)
        .unwrap();
    let input = root().join("fixtures/glue").join(file);
    let dir = tmp();
    let ways: [(&str, &[&str]); 2] = [
        ("factory text built as tfjs does", &["--name", name]),
        (
            "the file's own createWorkerBlob()",
            &["--name", name, "--handoff", "createWorkerBlob"],
        ),
    ];

    // The unminified glue works in a worker.
    let mut original = Vec::new();
    for (how, args) in ways {
        let sim = worker_sim(&input, args);
        expect_ok(&sim, &format!("{file} unminified, {how}"));
        original.push(sim.result);
    }

    // guardmin's output works too, and computes the same Module summary.
    let out = dir.path().join(file);
    guardmin_minify(&input, &out, &[]);
    let (in_len, out_len) = (
        std::fs::metadata(&input).unwrap().len(),
        std::fs::metadata(&out).unwrap().len(),
    );
    assert!(
        out_len * 10 < in_len * 8,
        "{file}: guardmin's output ({out_len} B) is not clearly smaller than the input ({in_len} B): \
         did it minify at all?"
    );
    for ((how, args), want) in ways.into_iter().zip(&original) {
        let sim = worker_sim(&out, args);
        expect_ok(&sim, &format!("{file} minified by guardmin, {how}"));
        assert_eq!(
            &sim.result, want,
            "{file}: guardmin's output resolves to another Module than the original ({how})"
        );
    }

    // Negative control: terser's defaults break it.
    let bad = dir.path().join(format!("terser-{file}"));
    terser_defaults(&input, &bad);
    for (how, args) in ways {
        let sim = worker_sim(&bad, args);
        expect_reference_error(&sim, &format!("{file} minified by terser defaults, {how}"));
    }

    // `guardmin fix` repairs terser's output: it runs again, with the original's result.
    let fixed = dir.path().join(format!("fixed-{file}"));
    let mut c = guardmin();
    c.arg("fix").arg(&bad).arg("-o").arg(&fixed);
    let o = run(c, "guardmin");
    assert_eq!(
        o.status.code(),
        Some(0),
        "guardmin fix {file}:\n{}",
        show(&o)
    );
    let grew = std::fs::metadata(&fixed).unwrap().len() as i64
        - std::fs::metadata(&bad).unwrap().len() as i64;
    assert!(
        (1..=16).contains(&grew),
        "{file}: fix added {grew} bytes for its repair"
    );
    for ((how, args), want) in ways.into_iter().zip(&original) {
        let sim = worker_sim(&fixed, args);
        expect_ok(
            &sim,
            &format!("{file} minified by terser, then fixed, {how}"),
        );
        assert_eq!(
            &sim.result, want,
            "{file}: the fixed output resolves to another Module than the original ({how})"
        );
    }
}

macro_rules! glue_tests {
    ($($test:ident => $file:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check_glue($file);
            }
        )*
    };
}

glue_tests! {
    glue_a_emscripten_3_0_function => "a-emscripten-3.0-function.js",
    glue_b_emscripten_3_1_0_arrow => "b-emscripten-3.1.0-arrow.js",
    glue_c_emscripten_3_1_42_modulearg => "c-emscripten-3.1.42-modulearg.js",
    glue_d_emscripten_3_1_57_optional_chain => "d-emscripten-3.1.57-optional-chain.js",
    glue_e_emscripten_export_es6 => "e-emscripten-export-es6.mjs",
    glue_f_emscripten_3_1_58_scriptname => "f-emscripten-3.1.58-scriptname.js",
    glue_g_emscripten_4_0_8_url => "g-emscripten-4.0.8-url.js",
    glue_h_emscripten_4_0_12_async => "h-emscripten-4.0.12-async.js",
}

#[test]
fn glue_table_lists_every_fixture() {
    let mut on_disk: Vec<String> = std::fs::read_dir(root().join("fixtures/glue"))
        .unwrap()
        .map(|e| file_name(&e.unwrap().path()))
        .filter(|n| n.ends_with(".js") || n.ends_with(".mjs") || n.ends_with(".cjs"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = GLUE.iter().map(|(f, _)| f.to_string()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "tests/glue.rs GLUE and fixtures/glue/ disagree"
    );
}

// ------------------------------------------------------------------------------------------
// fixtures/guards

/// `typeof X` compared with "undefined" or "u" in any spelling and order; and equality
/// comparisons with `void 0`.
fn count_guards(code: &str) -> (u64, u64) {
    let script = r#"
        const s = require('fs').readFileSync(0, 'utf8');
        const id = String.raw`[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*`;
        const op = String.raw`(?:[!=]==?|[<>])`;
        const lit = String.raw`(?:"(?:undefined|u)"|'(?:undefined|u)'|\`(?:undefined|u)\`)`;
        const n = (re) => (s.match(new RegExp(re, 'g')) || []).length;
        const typeofs = n(String.raw`typeof\s*\(?\s*${id}\s*\)?\s*${op}\s*${lit}`) +
          n(String.raw`${lit}\s*${op}\s*typeof\s*\(?\s*${id}`);
        const voids = n(String.raw`void 0\s*[!=]==?|[!=]==?\s*void 0\b`);
        process.stdout.write(JSON.stringify([typeofs, voids]));
    "#;
    let v = node_json(script, code);
    (v[0].as_u64().unwrap(), v[1].as_u64().unwrap())
}

/// typeof-undefined guards written in fixtures/guards/guards.js (counted by hand).
const GUARDS_IN_FIXTURE: u64 = 24;

#[test]
fn guards_every_spelling_stays_a_typeof_test() {
    let input = root().join("fixtures/guards/guards.js");
    let dir = tmp();
    let out = dir.path().join("guards.js");
    guardmin_minify(&input, &out, &[]);
    let src = std::fs::read_to_string(&input).unwrap();
    let min = std::fs::read_to_string(&out).unwrap();
    let ((want, _), (got, voids)) = (count_guards(&src), count_guards(&min));
    assert_eq!(
        want, GUARDS_IN_FIXTURE,
        "the guard counter miscounts fixtures/guards/guards.js"
    );
    assert_eq!(
        got, want,
        "fixtures/guards/guards.js has {want} typeof-undefined guards, all live; guardmin's output has \
         {got}:\n{min}"
    );
    assert_eq!(
        voids, 0,
        "guardmin's output of fixtures/guards/guards.js compares something with void 0 (every \
         undefined test there is a typeof guard):\n{min}"
    );
}

#[test]
fn guards_function_sent_to_a_blob_worker() {
    let input = root().join("fixtures/guards/guards.js");
    let dir = tmp();
    let args = ["--start", "startWorker"];

    let original = worker_sim(&input, &args);
    expect_ok(
        &original,
        "guards.js unminified, workerMain in a Blob worker",
    );
    assert!(
        original.result.as_array().is_some_and(|a| a.len() == 1),
        "the worker should post one report, got {}",
        original.raw
    );

    let out = dir.path().join("guards.js");
    guardmin_minify(&input, &out, &[]);
    let sim = worker_sim(&out, &args);
    expect_ok(
        &sim,
        "guards.js minified by guardmin, workerMain in a Blob worker",
    );
    assert_eq!(
        sim.result, original.result,
        "the worker's report differs after guardmin"
    );

    let bad = dir.path().join("terser-guards.js");
    terser_defaults(&input, &bad);
    expect_reference_error(
        &worker_sim(&bad, &args),
        "guards.js minified by terser defaults",
    );
}

// ------------------------------------------------------------------------------------------
// fixtures/example, fixtures/esm, fixtures/cjs

#[test]
fn example_bundle_kernel_hand_off() {
    let input = root().join("fixtures/example/photo-filter.js");
    let dir = tmp();
    let args = ["--name", "FilterKernel", "--handoff", "createWorkerBlob"];

    let original = worker_sim(&input, &args);
    expect_ok(&original, "photo-filter.js unminified");

    let out = dir.path().join("photo-filter.js");
    guardmin_minify(&input, &out, &[]);
    let min = std::fs::read_to_string(&out).unwrap();
    assert!(
        min.contains("photo-filter 1.4.2") && min.contains("MIT License"),
        "guardmin dropped the example's /*! license banner:\n{}",
        &min[..min.len().min(400)]
    );
    let sim = worker_sim(&out, &args);
    expect_ok(&sim, "photo-filter.js minified by guardmin");
    assert_eq!(
        sim.result, original.result,
        "the kernel resolves to another Module after guardmin"
    );

    let bad = dir.path().join("terser-photo-filter.js");
    terser_defaults(&input, &bad);
    expect_reference_error(
        &worker_sim(&bad, &args),
        "photo-filter.js minified by terser defaults",
    );
}

#[test]
fn esm_module_worker_helper() {
    let input = root().join("fixtures/esm/scheduler.mjs");
    let dir = tmp();
    let args = ["--start", "spawnHelper"];

    let original = worker_sim(&input, &args);
    expect_ok(&original, "scheduler.mjs unminified");

    let out = dir.path().join("scheduler.mjs");
    guardmin_minify(&input, &out, &[]);
    let sim = worker_sim(&out, &args);
    expect_ok(&sim, "scheduler.mjs minified by guardmin");
    assert_eq!(
        sim.result, original.result,
        "the helper worker's report differs after guardmin"
    );

    // The module still loads and its exports behave.
    let script = r#"
        import(process.env.FILE).then(async (m) => {
          const q = new m.default(2);
          q.push(async () => 1).push(async () => 2, 5).push(async () => 3);
          const r = await q.drain();
          process.stdout.write(JSON.stringify([r, m.schedulerSettings, m.TaskQueue === m.default, typeof m.describe()]));
        });
    "#;
    let exports_of = |f: &Path| {
        let mut c = node();
        c.arg("--input-type=commonjs")
            .arg("-e")
            .arg(script)
            .env("FILE", f);
        let o = run(c, "node");
        assert!(
            o.status.success(),
            "importing {} failed:\n{}",
            f.display(),
            show(&o)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    assert_eq!(
        exports_of(&out),
        exports_of(&input),
        "scheduler.mjs behaves differently after guardmin"
    );

    let bad = dir.path().join("terser-scheduler.mjs");
    terser_defaults(&input, &bad);
    expect_reference_error(
        &worker_sim(&bad, &args),
        "scheduler.mjs minified by terser defaults",
    );
}

#[test]
fn cjs_file_keeps_working() {
    let input = root().join("fixtures/cjs/config-loader.cjs");
    let dir = tmp();
    let out = dir.path().join("config-loader.cjs");
    guardmin_minify(&input, &out, &[]);
    let script = r#"
        const m = require(process.env.FILE);
        const parsed = m.parseEnvText('# comment\nA=1\nB = true\nC=hello\n\nD=false\nE=\n');
        process.stdout.write(JSON.stringify([parsed, m.encode(parsed), m.isBrowser,
          require('path').basename(m.resolveConfigPath()), m.default === m]));
    "#;
    let behaviour = |f: &Path| {
        let mut c = node();
        c.arg("-e").arg(script).env("FILE", f);
        let o = run(c, "node");
        assert!(
            o.status.success(),
            "requiring {} failed:\n{}",
            f.display(),
            show(&o)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    assert_eq!(
        behaviour(&out),
        behaviour(&input),
        "config-loader.cjs behaves differently after guardmin"
    );
}

/// Files guardmin creates are readable like any other file the user creates there (the
/// umask decides), not private 0600 temporary files.
#[cfg(unix)]
#[test]
fn output_file_permissions_follow_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tmp();
    let reference = dir.path().join("reference.txt");
    std::fs::write(&reference, "x").unwrap();
    let want = std::fs::metadata(&reference).unwrap().permissions().mode() & 0o777;
    let out = dir.path().join("out.js");
    guardmin_minify(&root().join("fixtures/broken/alpha.js"), &out, &[]);
    let got = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        format!("{got:o}"),
        format!("{want:o}"),
        "guardmin's output {} has mode {got:o}; a file created normally there gets {want:o}",
        out.display()
    );
}

// ------------------------------------------------------------------------------------------
// guardmin scan on the same outputs

/// `guardmin scan FILE --format json`: (exit code, findings with severity "error").
fn scan_errors(file: &Path) -> (Option<i32>, Vec<serde_json::Value>, String) {
    let mut c = guardmin();
    c.arg("scan").arg(file).args(["--format", "json"]);
    let o = run(c, "guardmin");
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "guardmin scan {} --format json printed no JSON report ({e}):\n{}",
            file.display(),
            show(&o)
        )
    });
    assert_eq!(report["version"], 1, "scan report version:\n{}", show(&o));
    assert_eq!(
        report["files_scanned"],
        1,
        "scan report files_scanned:\n{}",
        show(&o)
    );
    let errors = report["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("scan report has no findings array:\n{}", show(&o)))
        .iter()
        .filter(|f| f["severity"] == "error")
        .cloned()
        .collect();
    (o.status.code(), errors, show(&o))
}

/// The scanner tells the broken outputs from the working ones: no error on the fixtures or
/// on guardmin's output, an error on terser's (the same outputs the worker simulation throws
/// on).
#[test]
fn scan_flags_terser_output_and_passes_guardmin_output() {
    let dir = tmp();
    let mut files: Vec<PathBuf> = GLUE
        .iter()
        .map(|(f, _)| root().join("fixtures/glue").join(f))
        .collect();
    files.push(root().join("fixtures/guards/guards.js"));
    files.push(root().join("fixtures/example/photo-filter.js"));
    files.push(root().join("fixtures/esm/scheduler.mjs"));
    let mut problems = Vec::new();
    for input in &files {
        let name = file_name(input);
        let (code, errors, raw) = scan_errors(input);
        if code != Some(0) || !errors.is_empty() {
            problems.push(format!(
                "scan of the unminified {name} should be clean:\n{raw}"
            ));
        }
        let good = dir.path().join(format!("guardmin-{name}"));
        let mut c = guardmin();
        c.arg("minify").arg(input).arg("-o").arg(&good);
        if run(c, "guardmin").status.success() {
            let (code, errors, raw) = scan_errors(&good);
            if code != Some(0) || !errors.is_empty() {
                problems.push(format!(
                    "scan of guardmin's output of {name} should be clean:\n{raw}"
                ));
            }
        } // (a failing minify is reported by the tests above)
        let bad = dir.path().join(format!("terser-{name}"));
        terser_defaults(input, &bad);
        let (code, errors, raw) = scan_errors(&bad);
        if code != Some(1) || errors.is_empty() {
            problems.push(format!(
                "scan of terser's output of {name} should report an error and exit 1:\n{raw}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
