//! ES modules (issue 16): the top-level names of a module (`.mjs`, `--module`, a batch
//! request with `"module": true`, as the Vite plugin sends for `es` chunks) are mangled,
//! except its exports and the names guardmin keeps for functions whose text runs in a worker;
//! the output imports and runs the same in node.
//!
//! Needs node.

mod common;
use common::{guardmin, run, show};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// A module: internal names (long, so that a kept one shows), exports of each kind, and a
/// factory stringified for a worker that reads a top-level name through a typeof guard.
const MODULE: &str = r#"
const internalTableOfValues = [3, 1, 4, 1, 5];
let internalCallCounter = 0;
function internalHelperFunction(x) {
  internalCallCounter++;
  return internalTableOfValues.map((v) => v * x + internalCallCounter);
}
class InternalAccumulator {
  constructor() { this.total = 0; }
  add(v) { this.total += v; return this; }
}
export function publicSum(x) {
  const acc = new InternalAccumulator();
  for (const v of internalHelperFunction(x)) acc.add(v);
  for (const v of internalHelperFunction(x + 1)) acc.add(-v);
  return acc.total + internalCallCounter;
}
export const publicVersion = "1.2." + internalTableOfValues.length;
function renamedExportImplementation() { return publicSum(2) * 2 + internalHelperFunction(1).length; }
export { renamedExportImplementation as publicDouble };
var scriptDirectoryForWorkers = import.meta.url;
function workerFactory() {
  return typeof scriptDirectoryForWorkers !== "undefined" ? "dir" : "none";
}
export const workerSource = "var M = " + workerFactory.toString();
export default function () { return publicVersion + internalHelperFunction(2).join(","); }
"#;

const INTERNAL: [&str; 5] = [
    "internalTableOfValues",
    "internalCallCounter",
    "internalHelperFunction",
    "InternalAccumulator",
    "renamedExportImplementation",
];

/// Imports a module in node and prints what its exports give, the worker's text run where
/// only that text exists (as tfjs runs its factory in a worker) included.
fn exports_of(file: &Path) -> String {
    let script = r#"
const m = await import(require('url').pathToFileURL(process.argv[1]).href);
const worker = new Function(m.workerSource + '; return M();')();
console.log(JSON.stringify([m.publicSum(3), m.publicSum(5), m.publicVersion, m.publicDouble(), m.default(), worker, Object.keys(m).sort()]));
"#;
    let wrapped = format!(
        "const require = (await import('module')).createRequire(import.meta.url);\n{script}"
    );
    let mut c = Command::new("node");
    c.args(["--input-type=module", "-e", &wrapped]).arg(file);
    let o = run(c, "node");
    assert!(o.status.success(), "{}: {}", file.display(), show(&o));
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

fn assert_mangled(code: &str) {
    for name in INTERNAL {
        assert!(!code.contains(name), "{name} kept in {code}");
    }
    for name in ["publicSum", "publicVersion", "publicDouble", "workerSource"] {
        assert!(code.contains(name), "export {name} lost: {code}");
    }
    // The worker reads this name from around its text: guardmin keeps the name and the guard.
    assert!(
        code.contains("typeof scriptDirectoryForWorkers"),
        "the worker's guard lost its name: {code}"
    );
}

#[test]
fn mjs_and_module_inputs_get_top_level_names_mangled_and_run_the_same() {
    let d = common::tmp("gm-modules");
    let orig = d.path().join("lib.mjs");
    std::fs::write(&orig, MODULE).unwrap();
    let want = exports_of(&orig);
    assert!(want.contains("\"none\""), "{want}");

    // .mjs: a module by its extension.
    let out = d.path().join("lib.min.mjs");
    common::guardmin_minify(&orig, &out, &["-q", "--no-cache"]);
    let code = std::fs::read_to_string(&out).unwrap();
    assert_mangled(&code);
    assert_eq!(exports_of(&out), want);

    // --module: a .js file (no package.json says what it is), forced.
    let js = d.path().join("lib.js");
    std::fs::write(&js, MODULE).unwrap();
    let out_js = d.path().join("lib.min.js");
    common::guardmin_minify(&js, &out_js, &["-q", "--no-cache", "--module"]);
    let code = std::fs::read_to_string(&out_js).unwrap();
    assert_mangled(&code);
    let as_mjs = d.path().join("lib.min2.mjs");
    std::fs::copy(&out_js, &as_mjs).unwrap();
    assert_eq!(exports_of(&as_mjs), want);

    // With a name cache the top level is named by guardmin's pass instead of swc's mangler:
    // the same names stay (exports, the worker's), and the cache records the others.
    let cache = d.path().join("names.json");
    let out_nc = d.path().join("lib.nc.mjs");
    common::guardmin_minify(
        &orig,
        &out_nc,
        &["-q", "--no-cache", "--name-cache", cache.to_str().unwrap()],
    );
    let code = std::fs::read_to_string(&out_nc).unwrap();
    assert_mangled(&code);
    assert_eq!(exports_of(&out_nc), want);
    let names: serde_json::Value = serde_json::from_slice(&std::fs::read(&cache).unwrap()).unwrap();
    let vars = names["vars"]["props"].as_object().unwrap();
    assert!(vars.contains_key("$internalHelperFunction"), "{names}");
    assert!(!vars.contains_key("$publicSum"), "{names}");
    assert!(!vars.contains_key("$scriptDirectoryForWorkers"), "{names}");
}

/// A module with no import or export (a Vite `es` entry chunk) looks like a script: only
/// `--module` (or the batch request's `"module": true`) lets its top level be renamed.
const CHUNK: &str = "const chunkConfigurationTable = { base: 40, step: 1 };\n\
function chunkStepFunction(n) { for (let i = 0; i < n; i++) chunkConfigurationTable.base += chunkConfigurationTable.step; return chunkConfigurationTable.base; }\n\
globalThis.chunkResult = [chunkStepFunction(1), chunkStepFunction(Math.min(1, globalThis.extraSteps || 1))];\n";

#[test]
fn a_chunk_without_imports_is_mangled_only_as_a_module() {
    let d = common::tmp("gm-chunk");
    let f = d.path().join("chunk.js");
    std::fs::write(&f, CHUNK).unwrap();
    let as_script = d.path().join("script.min.js");
    common::guardmin_minify(&f, &as_script, &["-q", "--no-cache"]);
    let as_module = d.path().join("module.min.js");
    common::guardmin_minify(&f, &as_module, &["-q", "--no-cache", "--module"]);
    let script = std::fs::read_to_string(&as_script).unwrap();
    let module = std::fs::read_to_string(&as_module).unwrap();
    assert!(script.contains("chunkStepFunction"), "{script}");
    assert!(!module.contains("chunkStepFunction"), "{module}");
    assert!(!module.contains("chunkConfigurationTable"), "{module}");
    let mjs = d.path().join("module.min.mjs");
    std::fs::copy(&as_module, &mjs).unwrap();
    let mut c = Command::new("node");
    c.args([
        "--input-type=module",
        "-e",
        "await import(process.argv[1]); console.log(JSON.stringify(globalThis.chunkResult));",
    ])
    .arg(format!("file://{}", mjs.display()));
    let o = run(c, "node");
    assert!(o.status.success(), "{}", show(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "[41,42]");

    // The same through `guardmin batch`, as the Vite plugin sends an `es` chunk.
    let mut child = guardmin()
        .args(["batch", "-j", "1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut stdin = child.stdin.take().unwrap();
        for (id, module) in [(1, serde_json::json!(true)), (2, serde_json::Value::Null)] {
            let mut req = serde_json::json!({"id": id, "name": "assets/index.js", "code": CHUNK});
            if !module.is_null() {
                req["module"] = module;
            }
            writeln!(stdin, "{req}").unwrap();
        }
    }
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", show(&o));
    let mut by_id = std::collections::HashMap::new();
    for line in String::from_utf8_lossy(&o.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        by_id.insert(
            v["id"].as_i64().unwrap(),
            v["code"].as_str().unwrap().to_string(),
        );
    }
    assert!(!by_id[&1].contains("chunkStepFunction"), "{}", by_id[&1]);
    assert!(by_id[&2].contains("chunkStepFunction"), "{}", by_id[&2]);
}
