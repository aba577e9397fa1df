//! guardmin on the real thing: `@tensorflow/tfjs-backend-wasm@4.22.0` (installed by
//! `scripts/install-npm.sh` into `target/npm`), plus determinism across thread counts and
//! the handling of a directory with a broken file.
//!
//! - `dist/tf-backend-wasm.js` (the UMD bundle, glue inlined twice) and
//!   `wasm-out/tfjs-backend-wasm-threaded-simd.js` (the glue on its own) are minified with
//!   guardmin. In the output, the variable initialised from `document.currentScript` (found by
//!   regex, whatever it was mangled to) must be tested with `typeof NAME` against
//!   "u"/"undefined" in the threaded factory's script-directory guard, and never compared
//!   with `void 0`. terser 5.51.2 with its defaults must fail the same check.
//! - The minified glue is run in `tests/node/worker-sim.mjs` as tfjs's pthread workers run
//!   it: `'var WasmBackendModuleThreadedSimd = ' + factory.toString()` in a fresh realm, then
//!   `WasmBackendModuleThreadedSimd(Module)` with the Module a tfjs pthread worker passes
//!   (`ENVIRONMENT_IS_PTHREAD`, a shared `wasmMemory`, its `instantiateWasm`). There is no
//!   .wasm to run, so the simulation stops the glue on purpose where it would go on to the
//!   binary: the config's `instantiateWasm` and the worker script's `startWorker` call
//!   `__workerSimStop`, and a run that ends there counts as passing. The script-directory
//!   guard runs long before either. Anything else thrown fails the test. With terser's output
//!   the run must end in `ReferenceError: NAME is not defined`, NAME being terser's name
//!   for `_scriptDir`.
//! - Issue 15: `dist/tf-backend-wasm.js` minified by terser's defaults, @swc/core and
//!   oxc-minify (`scripts/peers.mjs`), then `guardmin fix`: the output is the input with each
//!   reported `void 0` comparison replaced by `typeof X<"u"` and nothing else, at most 16 bytes
//!   more per repaired read, and it scans clean.
//! - `-j1` and `-j2` produce byte-identical trees over all fixtures and the two tfjs files.
//! - `guardmin minify fixtures/broken --out-dir T` exits 1, names the broken file with line
//!   and column, writes the two good files and nothing else.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod common;
use common::{guardmin, node, node_json, root, run, show, terser_defaults};

fn node_modules() -> PathBuf {
    common::node_modules(&["terser", "@tensorflow/tfjs-backend-wasm"])
}

fn tmp() -> tempfile::TempDir {
    common::tmp("guardmin-tfjs-")
}

fn guardmin_minify(input: &Path, out: &Path) {
    common::guardmin_minify(input, out, &[])
}

fn tfjs_file(rel: &str) -> PathBuf {
    let pkg = node_modules().join("@tensorflow/tfjs-backend-wasm");
    let manifest = std::fs::read_to_string(pkg.join("package.json")).unwrap();
    assert!(
        manifest.contains("\"version\": \"4.22.0\""),
        "target/npm has another @tensorflow/tfjs-backend-wasm than the pinned 4.22.0; run scripts/install-npm.sh"
    );
    pkg.join(rel)
}

const DIST: &str = "dist/tf-backend-wasm.js";
const GLUE: &str = "wasm-out/tfjs-backend-wasm-threaded-simd.js";

// ------------------------------------------------------------------------------------------
// The script-directory variable in minified output

/// One variable assigned `<typeof document test> && document.currentScript ...`.
#[derive(Debug)]
struct ScriptDirVar {
    name: String,
    /// `typeof NAME` compared with "u"/"undefined" between the assignment and the factory's
    /// `"blob:"` test, i.e. in the script-directory block of the factory it wraps.
    typeof_guards: Vec<String>,
    /// `void 0 !== NAME`, `NAME === void 0` and the like in the same stretch.
    void_compares: Vec<String>,
}

/// Finds the script-directory variables (in source order) with a regex, so it works on any
/// minifier's output whatever the variable was renamed to.
fn script_dir_vars(code: &str) -> Vec<ScriptDirVar> {
    let script = r#"
        const code = require('fs').readFileSync(0, 'utf8');
        const esc = (s) => s.replace(/[$]/g, '\\$');
        const lit = `(?:"(?:undefined|u)"|'(?:undefined|u)')`;
        const op = '(?:[!=]==?|[<>])';
        const docTest = `(?:${lit}\\s*${op}\\s*typeof\\s*document|typeof\\s*document\\s*${op}\\s*${lit})`;
        const decl = new RegExp(
          `(?<![\\w$.])([A-Za-z_$][\\w$]*)\\s*=(?!=)\\s*\\(?\\s*${docTest}\\s*&&\\s*document\\.currentScript`, 'g');
        const out = [];
        for (const m of code.matchAll(decl)) {
          const name = m[1];
          const start = m.index + m[0].length;
          const blob = code.indexOf('"blob:"', start);
          if (blob < 0) throw new Error('no "blob:" test after the script-directory variable ' + name);
          const win = code.slice(start, blob);
          const n = esc(name);
          const typeofRe = new RegExp(
            `typeof\\s*${n}(?![\\w$])\\s*${op}\\s*${lit}|${lit}\\s*${op}\\s*typeof\\s*${n}(?![\\w$])`, 'g');
          const voidRe = new RegExp(
            `void 0\\s*[!=]==?\\s*${n}(?![\\w$])|(?<![\\w$.])${n}\\s*[!=]==?\\s*(?:void 0|undefined)(?![\\w$])`, 'g');
          out.push({ name, typeofGuards: win.match(typeofRe) || [], voidCompares: win.match(voidRe) || [] });
        }
        process.stdout.write(JSON.stringify(out));
    "#;
    let strs = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    node_json(script, code)
        .as_array()
        .unwrap()
        .iter()
        .map(|v| ScriptDirVar {
            name: v["name"].as_str().unwrap().to_string(),
            typeof_guards: strs(&v["typeofGuards"]),
            void_compares: strs(&v["voidCompares"]),
        })
        .collect()
}

/// The check on one minified file: `expect` is how many script-directory variables the file
/// has; the first belongs to the threaded factory, whose guard must stay a typeof test. Later
/// ones (the non-threaded glue in the UMD bundle reads its variable bare, unguarded, which is
/// fine where it never reaches a worker) must at least not be compared with void 0.
fn check_script_dir(code: &str, expect: usize) -> Result<String, String> {
    let vars = script_dir_vars(code);
    if vars.len() != expect {
        return Err(format!(
            "expected {expect} variable(s) initialised from `typeof document ... && document.currentScript`, found {}: {vars:?}",
            vars.len()
        ));
    }
    let threaded = &vars[0];
    if threaded.typeof_guards.is_empty() {
        return Err(format!(
            "the threaded factory's script-directory variable `{}` is not tested with `typeof {}` against \"u\"/\"undefined\" in its guard ({threaded:?})",
            threaded.name, threaded.name
        ));
    }
    for v in &vars {
        if !v.void_compares.is_empty() {
            return Err(format!(
                "the script-directory variable `{}` is compared with void 0: {:?} (workers throw ReferenceError: {} is not defined)",
                v.name, v.void_compares, v.name
            ));
        }
    }
    Ok(threaded.name.clone())
}

fn check_tfjs_file(rel: &str, expect: usize) {
    let input = tfjs_file(rel);
    let original = std::fs::read_to_string(&input).unwrap();
    assert_eq!(
        check_script_dir(&original, expect),
        Ok("_scriptDir".to_string()),
        "the check does not recognise the unminified {rel}"
    );

    let dir = tmp();
    let out = dir.path().join("guardmin.js");
    guardmin_minify(&input, &out);
    let min = std::fs::read_to_string(&out).unwrap();
    assert!(
        min.len() * 10 < original.len() * 8,
        "guardmin's output of {rel} ({} B) is not clearly smaller than the input ({} B)",
        min.len(),
        original.len()
    );
    if let Err(e) = check_script_dir(&min, expect) {
        panic!("guardmin's output of {rel}: {e}");
    }

    let bad = dir.path().join("terser.js");
    terser_defaults(&input, &bad);
    let terser = std::fs::read_to_string(&bad).unwrap();
    assert!(
        check_script_dir(&terser, expect).is_err(),
        "negative control: terser's defaults should turn the guard in {rel} into a void 0 test, \
         but the check passed its output"
    );
}

#[test]
fn dist_bundle_keeps_the_script_dir_guard() {
    check_tfjs_file(DIST, 2);
}

#[test]
fn threaded_glue_keeps_the_script_dir_guard() {
    check_tfjs_file(GLUE, 1);
}

/// Issue 14: the tfjs backend already broken by terser's defaults, given to `guardmin
/// minify`, is refused with exit 1 and the file, line and column of the rewritten guard
/// (where `void 0 !== NAME` reads the script directory); `--allow-broken-input` writes it.
#[test]
fn a_vendor_file_broken_by_terser_is_refused_with_its_position() {
    node_modules();
    let dir = tmp();
    let input = tfjs_file(DIST);
    let bad = dir.path().join("vendor.min.js");
    terser_defaults(&input, &bad);
    let code = std::fs::read_to_string(&bad).unwrap();
    // Where terser wrote the rewritten guards, found in the text, not from guardmin.
    let places: Vec<String> = script_dir_vars(&code)
        .iter()
        .filter_map(|v| {
            let at = code.find(&format!("void 0!=={}&&{}", v.name, v.name))?;
            let line = code[..at].matches('\n').count() + 1;
            let col = at - code[..at].rfind('\n').map_or(0, |i| i + 1) + "void 0!==".len() + 1;
            Some(format!("vendor.min.js:{line}:{col}:"))
        })
        .collect();
    assert!(
        !places.is_empty(),
        "terser's output has no rewritten script-directory guard"
    );
    let out = dir.path().join("out.js");
    let o = run(
        {
            let mut c = guardmin();
            c.arg("minify").arg(&bad).arg("-o").arg(&out);
            c
        },
        "guardmin minify",
    );
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        places.iter().any(|p| err.contains(p.as_str())),
        "expected one of {places:?} in:\n{err}"
    );
    assert!(err.contains("already broken"), "{err}");
    assert!(!out.exists(), "nothing may be written");
    let o = run(
        {
            let mut c = guardmin();
            c.arg("minify")
                .arg(&bad)
                .arg("-o")
                .arg(&out)
                .arg("--allow-broken-input");
            c
        },
        "guardmin minify --allow-broken-input",
    );
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(out.exists());
}

// ------------------------------------------------------------------------------------------
// The worker simulation on the glue

/// The Module a tfjs pthread worker passes to the factory (see
/// `wasm-out/tfjs-backend-wasm-threaded-simd.worker.js`), with `instantiateWasm` stopping
/// the run: past that point the glue needs the real .wasm.
const PTHREAD_CONFIG: &str =
    "(() => { const m = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true }); \
     return { ENVIRONMENT_IS_PTHREAD: true, wasmMemory: m, buffer: m.buffer, \
     instantiateWasm() { __workerSimStop('instantiateWasm'); } }; })()";
/// What the worker script defines before it calls the factory; the glue calls it last.
const PTHREAD_PRELUDE: &str = "self.startWorker = function () { __workerSimStop('startWorker'); };";

fn simulate_pthread(file: &Path) -> (bool, serde_json::Value, String) {
    let mut c = node();
    c.arg(root().join("tests/node/worker-sim.mjs"))
        .arg(file)
        .args([
            "--name",
            "WasmBackendModuleThreadedSimd",
            "--config",
            PTHREAD_CONFIG,
            "--prelude",
            PTHREAD_PRELUDE,
        ]);
    let o = run(c, "node");
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    let v: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap_or(""))
        .unwrap_or_else(|e| panic!("worker-sim printed no JSON line ({e}):\n{}", show(&o)));
    assert!(
        v.get("stage").is_none() && o.status.code() != Some(2),
        "worker-sim could not set up the run on {}:\n{}",
        file.display(),
        show(&o)
    );
    (v["ok"].as_bool().unwrap_or(false), v, show(&o))
}

#[test]
fn threaded_glue_runs_in_a_simulated_pthread_worker() {
    let input = tfjs_file(GLUE);
    let (ok, v, raw) = simulate_pthread(&input);
    assert!(
        ok && v["stopped"].is_string(),
        "the unminified glue should run up to the wasm:\n{raw}"
    );

    let dir = tmp();
    let out = dir.path().join("tfjs-backend-wasm-threaded-simd.js");
    guardmin_minify(&input, &out);
    let (ok, v, raw) = simulate_pthread(&out);
    assert!(
        ok && v["stopped"].is_string(),
        "guardmin's output of {GLUE} throws in a pthread worker:\n{raw}"
    );

    // Negative control.
    let bad = dir.path().join("terser.js");
    terser_defaults(&input, &bad);
    let name = script_dir_vars(&std::fs::read_to_string(&bad).unwrap())
        .first()
        .map(|v| v.name.clone())
        .expect("no script-directory variable in terser's output");
    let (ok, v, raw) = simulate_pthread(&bad);
    assert!(
        !ok && v["error"].as_str() == Some(&format!("ReferenceError: {name} is not defined")),
        "negative control: terser's output should throw ReferenceError: {name} is not defined:\n{raw}"
    );
}

// ------------------------------------------------------------------------------------------
// guardmin fix on the peers' outputs (issue 15)

/// `node scripts/peers.mjs target/peers` (stale outputs only) and the tfjs file of `config`.
fn peer_tfjs(config: &str) -> PathBuf {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        common::node_modules(&["terser", "@swc/core", "oxc-minify"]);
        let mut c = node();
        c.arg("scripts/peers.mjs").arg(root().join("target/peers"));
        let o = run(c, "node");
        assert!(
            o.status.success(),
            "scripts/peers.mjs failed:\n{}",
            show(&o)
        );
    });
    root()
        .join("target/peers")
        .join(config)
        .join("tfjs-backend-wasm.js")
}

/// Byte offset of a 1-based line and column (the line's prefix must be ASCII).
fn offset(text: &str, line: u64, column: u64) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line as usize - 1)
        .map(str::len)
        .sum();
    let prefix = &text[start..start + column as usize - 1];
    assert!(
        prefix.is_ascii(),
        "line {line} is not ASCII before column {column}"
    );
    start + prefix.len()
}

/// Must-show 1: tfjs minified by terser's defaults, @swc/core and oxc-minify, then `guardmin
/// fix`: the output is the input with each read `guardmin scan` reports, written
/// `void 0!==X` or `X!==void 0` there, replaced by `typeof X<"u"` (built here from the text,
/// not by guardmin), nothing else; at most 16 bytes more per repaired read; and it scans
/// clean.
#[test]
fn fix_changes_tfjs_only_at_the_repaired_reads() {
    let dir = tmp();
    for config in ["terser", "swc", "oxc"] {
        let input = peer_tfjs(config);
        let text = std::fs::read_to_string(&input).unwrap();
        let mut c = guardmin();
        c.args(["scan", "--format", "json"]).arg(&input);
        let o = run(c, "guardmin scan");
        assert_eq!(o.status.code(), Some(1), "{config}: {}", show(&o));
        let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let mut edits: Vec<(usize, usize, String)> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "error")
            .map(|f| {
                let at = offset(
                    &text,
                    f["line"].as_u64().unwrap(),
                    f["column"].as_u64().unwrap(),
                );
                let len = text[at..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
                    .unwrap();
                let name = &text[at..at + len];
                let repaired = format!("typeof {name}<\"u\"");
                if text[..at].ends_with("void 0!==") {
                    (at - "void 0!==".len(), at + len, repaired)
                } else if text[at + len..].starts_with("!==void 0") {
                    (at, at + len + "!==void 0".len(), repaired)
                } else {
                    panic!("{config}: {f} is not at a `void 0` comparison")
                }
            })
            .collect();
        assert!(!edits.is_empty(), "{config}: no finding to repair");
        edits.sort();
        let mut want = String::new();
        let mut at = 0;
        for (lo, hi, new) in &edits {
            want.push_str(&text[at..*lo]);
            want.push_str(new);
            at = *hi;
        }
        want.push_str(&text[at..]);

        let out = dir.path().join(format!("{config}.js"));
        let mut c = guardmin();
        c.arg("fix").arg(&input).arg("-o").arg(&out);
        let o = run(c, "guardmin fix");
        assert_eq!(o.status.code(), Some(0), "{config}: {}", show(&o));
        let got = std::fs::read_to_string(&out).unwrap();
        assert!(
            got == want,
            "{config}: the fixed file differs from the input elsewhere than at the repaired reads"
        );
        let grew = got.len() - text.len();
        assert!(
            grew <= 16 * edits.len(),
            "{config}: {grew} bytes more for {} repaired reads",
            edits.len()
        );
        let changed: usize = edits.iter().map(|(lo, hi, _)| hi - lo).sum();
        eprintln!(
            "{config}: {} repaired read(s), {changed} bytes replaced, {grew} bytes more ({} -> {})",
            edits.len(),
            text.len(),
            got.len()
        );
        let mut c = guardmin();
        c.arg("scan").arg(&out);
        let o = run(c, "guardmin scan");
        assert_eq!(
            o.status.code(),
            Some(0),
            "{config}: the fixed file: {}",
            show(&o)
        );
    }
}

// ------------------------------------------------------------------------------------------
// Determinism across thread counts

/// Every file under DIR: relative path -> bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out
}

#[test]
fn thread_count_does_not_change_output() {
    let mut inputs: Vec<PathBuf> = ["glue", "guards", "example", "esm", "cjs", "license"]
        .iter()
        .map(|d| root().join("fixtures").join(d))
        .collect();
    inputs.push(tfjs_file(DIST));
    inputs.push(tfjs_file(GLUE));

    let dir = tmp();
    let mut trees = Vec::new();
    let mut runs = Vec::new();
    for j in ["1", "2"] {
        let out = dir.path().join(format!("j{j}"));
        let mut c = guardmin();
        c.arg("minify")
            .args(&inputs)
            .arg("--out-dir")
            .arg(&out)
            .args(["-j", j, "--quiet"]);
        runs.push(run(c, "guardmin"));
        trees.push(tree(&out));
    }
    let (one, two) = (&trees[0], &trees[1]);
    // Compared first, so determinism is checked even while some file fails.
    assert_eq!(
        runs[0].status.code(),
        runs[1].status.code(),
        "-j1 and -j2 exit differently:\n-j1: {}\n-j2: {}",
        show(&runs[0]),
        show(&runs[1])
    );
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        two.keys().collect::<Vec<_>>(),
        "-j1 and -j2 wrote different sets of files"
    );
    let differ: Vec<&String> = one
        .iter()
        .filter(|(k, v)| two.get(*k) != Some(v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        differ.is_empty(),
        "-j1 and -j2 wrote different bytes for {differ:?}"
    );
    assert!(
        runs[0].status.success(),
        "guardmin minify ... --out-dir -j 1 failed:\n{}",
        show(&runs[0])
    );
    for want in [
        "a-emscripten-3.0-function.js",
        "e-emscripten-export-es6.mjs",
        "guards.js",
        "photo-filter.js",
        "scheduler.mjs",
        "config-loader.cjs",
        "licensed.js",
        "tf-backend-wasm.js",
        "tfjs-backend-wasm-threaded-simd.js",
    ] {
        assert!(
            one.contains_key(want),
            "-j1 did not write {want}; wrote {:?}",
            one.keys().collect::<Vec<_>>()
        );
    }
}

// ------------------------------------------------------------------------------------------
// A directory with a broken file

#[test]
fn broken_file_fails_alone() {
    let dir = tmp();
    let out = dir.path().join("out");
    let mut c = guardmin();
    c.arg("minify")
        .arg(root().join("fixtures/broken"))
        .arg("--out-dir")
        .arg(&out);
    let o = run(c, "guardmin");
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(
        o.status.code(),
        Some(1),
        "a directory with one broken file should exit 1:\n{}",
        show(&o)
    );

    // The syntax error is the `=` at line 4, column 19 (1-based) of broken.js.
    let names_position = stderr.lines().any(|l| {
        l.contains("broken.js")
            && (l.contains("broken.js:4:19")
                || (l.contains("line 4") && l.contains("column 19"))
                || l.contains("4:19"))
    });
    assert!(
        names_position,
        "stderr should name broken.js with its line and column (4:19) on one line:\n{}",
        show(&o)
    );
    assert!(
        !stderr.contains("alpha.js") && !stderr.contains("omega.js"),
        "stderr blames a good file:\n{}",
        show(&o)
    );

    let written: Vec<String> = tree(&out).into_keys().collect();
    assert_eq!(
        written,
        vec!["alpha.js".to_string(), "omega.js".to_string()],
        "--out-dir should hold the two good outputs and nothing else (no output for broken.js, no temporary files)"
    );
    for good in ["alpha.js", "omega.js"] {
        let code = std::fs::read_to_string(out.join(good)).unwrap();
        let mut c = node();
        c.arg("--check").arg(out.join(good));
        let o = run(c, "node");
        assert!(
            o.status.success(),
            "output {good} does not parse:\n{code}\n{}",
            show(&o)
        );
    }
}
