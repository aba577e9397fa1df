//! `guardmin scan` on what the peer minifiers really produce (pinned npm packages, installed by
//! `scripts/install-npm.sh` into `target/npm`; `scripts/peers.mjs` writes the outputs into
//! `target/peers/<config>/<bundle>.js` once, re-runs only redo stale files).
//!
//! - `@tensorflow/tfjs-backend-wasm@4.22.0` `dist/tf-backend-wasm.js` minified by terser
//!   (defaults), @swc/core (`compress.typeofs: false`) and oxc-minify: the threaded SIMD
//!   factory's script-directory guard `typeof _scriptDir !== "undefined" && _scriptDir` became
//!   `void 0!==n&&n` / `void 0!==l&&l` / `e!==void 0&&e`, which throws in tfjs's pthread
//!   workers. guardmin must report an error exactly there. The position is found here
//!   independently of guardmin, with acorn (a terser dependency) in node: the variable
//!   assigned `cond ? document.currentScript.src : ...` first in the file (the threaded
//!   factory comes first in the bundle), then, scope-aware, the first reference to that binding
//!   inside the first function after it that reads it (the factory tfjs stringifies).
//!   Position convention: 1-based line and column of that *identifier* (for `void 0!==n` the
//!   `n`, not the `v`; for oxc's `e!==void 0` both are the same), columns in UTF-16 code units
//!   (the prefix of the line is asserted to be ASCII, so bytes and characters agree).
//! - The same file unminified, minified by terser with `compress.typeofs: false`, and by
//!   esbuild `--minify` (guard kept as `typeof i<"u"`): no error.
//! - The other ten corpus bundles (antd, d3, echarts, jquery, lodash, moment, react-dom,
//!   three, typescript, vue) minified by terser, esbuild, swc and oxc (40 files): no finding at
//!   all, neither error nor warning. They contain `console!==void 0` (antd, from rc-util's
//!   `warning`), `null==window?void 0:window.matchMedia` (antd's Sider, TypeScript's
//!   downlevelled `window?.matchMedia`) and `typeof document>"u"||document===null`
//!   (react-dom), none of which is a minifier breaking a guard.
//! - The extra configs `terser-typeofs-false` and `esbuild-transform` (esbuild's transform API:
//!   no `process.env.NODE_ENV` define, so react-dom stays whole) over the same ten: no finding.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

mod common;
use common::{root, run, show};

fn node_modules() -> PathBuf {
    common::node_modules(&["terser", "acorn", "@tensorflow/tfjs-backend-wasm"])
}

/// The bundles, by the short names `scripts/peers.mjs` gives them.
const TFJS: &str = "tfjs-backend-wasm";
const TFJS_ORIGINAL: &str = "@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.js";
const OTHER_TEN: [&str; 10] = [
    "antd",
    "d3",
    "echarts",
    "jquery",
    "lodash",
    "moment",
    "react-dom",
    "three",
    "typescript",
    "vue",
];

/// `node scripts/peers.mjs target/peers`, once per test binary (the tests share it).
fn peers() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let _ = node_modules();
        let out = root().join("target/peers");
        let mut c = Command::new("node");
        c.current_dir(root()).arg("scripts/peers.mjs").arg(&out);
        let o = run(c, "node");
        assert!(
            o.status.success(),
            "node scripts/peers.mjs target/peers failed (if packages are missing, run \
             scripts/install-npm.sh):\n{}",
            show(&o)
        );
        eprintln!("{}", String::from_utf8_lossy(&o.stdout).trim_end());
        out
    })
}

fn peer(config: &str, bundle: &str) -> PathBuf {
    let p = peers().join(config).join(format!("{bundle}.js"));
    assert!(
        p.is_file(),
        "scripts/peers.mjs did not write {}",
        p.display()
    );
    p
}

/// `guardmin scan --format json FILES...`: (exit code, report). Checks the JSON shape.
fn scan(files: &[PathBuf]) -> (Option<i32>, Value) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_guardmin"));
    c.current_dir(root())
        .args(["scan", "--format", "json"])
        .args(files);
    let o = run(c, "guardmin");
    let report: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "guardmin scan --format json did not print a JSON report ({e}) for {files:?}:\n{}",
            show(&o)
        )
    });
    assert_eq!(report["version"], 1, "JSON report version:\n{report:#}");
    assert_eq!(
        report["files_scanned"].as_u64(),
        Some(files.len() as u64),
        "files_scanned should count every file named on the command line:\n{}",
        show(&o)
    );
    assert!(
        report["findings"].is_array(),
        "report has no findings array:\n{report:#}"
    );
    (o.status.code(), report)
}

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().unwrap()
}

fn errors(report: &Value) -> Vec<&Value> {
    findings(report)
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect()
}

fn pretty(v: &[&Value]) -> String {
    v.iter()
        .map(|f| serde_json::to_string(f).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

// ------------------------------------------------------------------------------------------
// The broken guard's position, found with acorn in node (independent of guardmin's parser).

/// Prints JSON: the first variable assigned `cond ? document.currentScript.src : ...` (name,
/// position), the first function after that assignment which reads the binding (the factory),
/// and the first reference to the binding inside it: identifier position, the comparison's
/// start when it is compared with `void 0`/`undefined`, and its kind (`void-compare`,
/// `typeof`, `bare`). Scopes: function (params, var, function declarations, `arguments`),
/// block (let, const, class), catch, for-let, class names.
const LOCATE_JS: &str = r#"
const { createRequire } = require('module');
const path = require('path');
const fs = require('fs');
const [nm, file] = process.argv.slice(1);
const acorn = createRequire(path.join(nm, 'noop.js'))('acorn');
const src = fs.readFileSync(file, 'utf8');
const ast = acorn.parse(src, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true });
const isFn = (n) => /^(FunctionDeclaration|FunctionExpression|ArrowFunctionExpression)$/.test(n.type);
const kids = (n) => { const out = []; for (const k in n) { const v = n[k]; if (Array.isArray(v)) { for (const c of v) if (c && typeof c.type === 'string') out.push([k, c]); } else if (v && typeof v.type === 'string') out.push([k, v]); } return out; };
function names(p, out) { if (!p) return out; switch (p.type) { case 'Identifier': out.push(p.name); break; case 'AssignmentPattern': names(p.left, out); break; case 'RestElement': names(p.argument, out); break; case 'ArrayPattern': p.elements.forEach((e) => names(e, out)); break; case 'ObjectPattern': p.properties.forEach((q) => names(q.type === 'RestElement' ? q : q.value, out)); break; } return out; }
function varNames(body, out) { (function w(n) { if (n.type === 'VariableDeclaration' && n.kind === 'var') n.declarations.forEach((d) => names(d.id, out)); if (n.type === 'FunctionDeclaration') { out.push(n.id.name); return; } if (isFn(n)) return; for (const [, c] of kids(n)) w(c); })(body); return out; }
function lexNames(stmts) { const out = []; for (const s of stmts || []) { if (s.type === 'VariableDeclaration' && s.kind !== 'var') s.declarations.forEach((d) => names(d.id, out)); if (s.type === 'ClassDeclaration') out.push(s.id.name); if (s.type === 'FunctionDeclaration') out.push(s.id.name); } return out; }
function fnScope(fn) { const s = new Set(); fn.params.forEach((p) => names(p, []).forEach((x) => s.add(x))); if (fn.type !== 'ArrowFunctionExpression') s.add('arguments'); if (fn.type === 'FunctionExpression' && fn.id) s.add(fn.id.name); if (fn.body.type === 'BlockStatement') { varNames(fn.body, []).forEach((x) => s.add(x)); lexNames(fn.body.body).forEach((x) => s.add(x)); } return s; }
function isRef(key, parent) {
  if (!parent) return true;
  if (parent.type === 'MemberExpression' && key === 'property' && !parent.computed) return false;
  if (/^(Property|MethodDefinition|PropertyDefinition)$/.test(parent.type) && key === 'key' && !parent.computed) return false;
  if (/^(LabeledStatement|BreakStatement|ContinueStatement)$/.test(parent.type)) return false;
  if ((isFn(parent) && (key === 'id' || key === 'params')) || (parent.type === 'VariableDeclarator' && key === 'id') || (parent.type === 'CatchClause' && key === 'param') || (/^Class/.test(parent.type) && key === 'id')) return false;
  return true;
}
// Calls visit(identifier, parent) for each reference to `name` in `root` that no scope inside `root` declares.
function freeRefs(root, name, visit) {
  const scopes = [];
  (function w(n, key, parent) {
    if (n.type === 'Identifier') { if (n.name === name && isRef(key, parent) && !scopes.some((s) => s.has(name))) visit(n, parent); return; }
    let pushed = 0;
    if (isFn(n)) { scopes.push(fnScope(n)); pushed++; }
    else if (n.type === 'BlockStatement' && !(parent && isFn(parent))) { scopes.push(new Set(lexNames(n.body))); pushed++; }
    else if (n.type === 'SwitchStatement') { scopes.push(new Set(lexNames(n.cases.flatMap((c) => c.consequent)))); pushed++; }
    else if (n.type === 'CatchClause' && n.param) { scopes.push(new Set(names(n.param, []))); pushed++; }
    else if ((n.type === 'ClassExpression' || n.type === 'ClassDeclaration') && n.id) { scopes.push(new Set([n.id.name])); pushed++; }
    else if (/^For(In|Of)?Statement$/.test(n.type)) { const d = n.init || n.left; if (d && d.type === 'VariableDeclaration' && d.kind !== 'var') { scopes.push(new Set(d.declarations.flatMap((x) => names(x.id, [])))); pushed++; } }
    for (const [k, c] of kids(n)) w(c, k, n);
    while (pushed--) scopes.pop();
  })(root, null, null);
}
const isCurrentScriptSrc = (e) => e && e.type === 'MemberExpression' && !e.computed && e.property.name === 'src' && e.object.type === 'MemberExpression' && !e.object.computed && e.object.property.name === 'currentScript' && e.object.object.type === 'Identifier' && e.object.object.name === 'document';
let decl = null;
(function w(n, parents) {
  if (decl) return;
  let name = null, rhs = null;
  if (n.type === 'VariableDeclarator' && n.id.type === 'Identifier') { name = n.id.name; rhs = n.init; }
  if (n.type === 'AssignmentExpression' && n.operator === '=' && n.left.type === 'Identifier') { name = n.left.name; rhs = n.right; }
  if (name && rhs && rhs.type === 'ConditionalExpression' && isCurrentScriptSrc(rhs.consequent)) { decl = { name, node: n, parents: parents.slice() }; return; }
  parents.push(n); for (const [, c] of kids(n)) w(c, parents); parents.pop();
})(ast, []);
if (!decl) { console.log(JSON.stringify({ error: 'no variable initialised from document.currentScript.src' })); process.exit(0); }
let bind = ast;
for (let i = decl.parents.length - 1; i >= 0; i--) { const p = decl.parents[i]; if (isFn(p) && fnScope(p).has(decl.name)) { bind = p; break; } }
let factory = null, first = null;
(function w(n) {
  if (factory) return;
  if (n !== bind && isFn(n)) {
    if (n.start >= decl.node.end && n.type !== 'FunctionDeclaration') {
      const refs = []; freeRefs(n, decl.name, (id, parent) => refs.push({ id, parent }));
      if (refs.length) { factory = n; first = refs[0]; }
    }
    return;
  }
  for (const [, c] of kids(n)) w(c);
})(bind);
const at = (off) => { const lines = src.slice(0, off).split(/\r\n|[\n\r\u2028\u2029]/); const last = lines[lines.length - 1]; return { line: lines.length, column: last.length + 1, ascii_prefix: /^[\x00-\x7f]*$/.test(last) }; };
const isVoid0 = (e) => e && ((e.type === 'UnaryExpression' && e.operator === 'void') || (e.type === 'Identifier' && e.name === 'undefined'));
let result = { name: decl.name, declaration: at(decl.node.start), declaration_text: src.slice(decl.node.start, decl.node.start + 90) };
if (factory) {
  const p = first.parent;
  const cmp = p && p.type === 'BinaryExpression' && /^[!=]==?$/.test(p.operator) && (isVoid0(p.left) || isVoid0(p.right)) ? p : null;
  const kind = cmp ? 'void-compare' : p && p.type === 'UnaryExpression' && p.operator === 'typeof' ? 'typeof' : 'bare';
  const start = cmp ? cmp.start : p && kind === 'typeof' ? p.start : first.id.start;
  Object.assign(result, { factory: at(factory.start), kind, identifier: at(first.id.start), expression: at(start), text: src.slice(start, start + 40) });
}
console.log(JSON.stringify(result));
"#;

#[derive(Debug)]
struct Guard {
    name: String,
    kind: String,
    line: u64,
    column: u64,
    expression: (u64, u64),
    text: String,
    report: Value,
}

fn locate_script_dir_guard(file: &Path) -> Guard {
    let mut c = Command::new("node");
    c.current_dir(root())
        .arg("-e")
        .arg(LOCATE_JS)
        .arg(node_modules())
        .arg(file);
    let o = run(c, "node");
    assert!(
        o.status.success(),
        "locating the guard failed:\n{}",
        show(&o)
    );
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("locate script printed no JSON ({e}):\n{}", show(&o)));
    assert!(
        v.get("error").is_none() && v.get("factory").is_some(),
        "{}: no Emscripten script-directory variable read inside a factory: {v:#}",
        file.display()
    );
    assert_eq!(
        v["identifier"]["ascii_prefix"],
        true,
        "{}: the guard's line has non-ASCII text before it, so the column unit matters: {v:#}",
        file.display()
    );
    Guard {
        name: v["name"].as_str().unwrap().to_string(),
        kind: v["kind"].as_str().unwrap().to_string(),
        line: v["identifier"]["line"].as_u64().unwrap(),
        column: v["identifier"]["column"].as_u64().unwrap(),
        expression: (
            v["expression"]["line"].as_u64().unwrap(),
            v["expression"]["column"].as_u64().unwrap(),
        ),
        text: v["text"].as_str().unwrap().to_string(),
        report: v,
    }
}

// ------------------------------------------------------------------------------------------
// (i) the broken guard is reported, at the identifier.

fn broken_guard_is_reported(config: &str) {
    let file = peer(config, TFJS);
    let guard = locate_script_dir_guard(&file);
    assert_eq!(
        guard.kind, "void-compare",
        "{config}: expected the script-dir guard to be rewritten into a comparison with void 0 \
         (did the pinned minifier change?): {:#}",
        guard.report
    );
    let (code, report) = scan(std::slice::from_ref(&file));
    let errs = errors(&report);
    let hit = errs.iter().any(|f| {
        f["line"].as_u64() == Some(guard.line) && f["column"].as_u64() == Some(guard.column)
    });
    let at_expression = errs.iter().any(|f| {
        f["line"].as_u64() == Some(guard.expression.0)
            && f["column"].as_u64() == Some(guard.expression.1)
    });
    assert!(
        hit,
        "{config}: guardmin scan must report an error at {}:{}:{} (`{}` is Emscripten's \
         _scriptDir; the guard reads `{}`; the position is the identifier's){}\nerrors:\n{}\n\
         all findings:\n{}",
        file.display(),
        guard.line,
        guard.column,
        guard.name,
        guard.text,
        if at_expression && guard.expression != (guard.line, guard.column) {
            format!(
                "; an error was reported at the comparison's start {}:{} instead",
                guard.expression.0, guard.expression.1
            )
        } else {
            String::new()
        },
        pretty(&errs),
        pretty(&findings(&report).iter().collect::<Vec<_>>()),
    );
    assert_eq!(
        code,
        Some(1),
        "{config}: guardmin scan must exit 1 when it finds an error"
    );
}

#[test]
fn tfjs_terser_defaults_broken_guard_is_an_error_at_its_position() {
    broken_guard_is_reported("terser");
}

#[test]
fn tfjs_swc_broken_guard_is_an_error_at_its_position() {
    broken_guard_is_reported("swc");
}

#[test]
fn tfjs_oxc_broken_guard_is_an_error_at_its_position() {
    broken_guard_is_reported("oxc");
}

// ------------------------------------------------------------------------------------------
// (ii) where the guard survived, no error.

fn no_error(what: &str, file: PathBuf) {
    let (code, report) = scan(std::slice::from_ref(&file));
    let errs = errors(&report);
    assert!(
        errs.is_empty(),
        "{what}: guardmin scan must report no error on {}, got:\n{}",
        file.display(),
        pretty(&errs)
    );
    assert_eq!(code, Some(0), "{what}: exit code without errors");
}

#[test]
fn tfjs_guard_kept_by_terser_typeofs_false_is_no_error() {
    let file = peer("terser-typeofs-false", TFJS);
    let guard = locate_script_dir_guard(&file);
    assert_eq!(guard.kind, "typeof", "{:#}", guard.report);
    no_error("terser-typeofs-false", file);
}

#[test]
fn tfjs_guard_kept_by_esbuild_is_no_error() {
    let file = peer("esbuild", TFJS);
    let guard = locate_script_dir_guard(&file);
    assert_eq!(guard.kind, "typeof", "{:#}", guard.report);
    no_error("esbuild", file);
}

#[test]
fn tfjs_original_is_no_error() {
    let file = node_modules().join(TFJS_ORIGINAL);
    let guard = locate_script_dir_guard(&file);
    assert_eq!(
        (guard.name.as_str(), guard.kind.as_str()),
        ("_scriptDir", "typeof"),
        "{:#}",
        guard.report
    );
    no_error("original", file);
}

// ------------------------------------------------------------------------------------------
// (iii) the rest of the corpus: no finding at all.

fn clean(configs: &[&str]) {
    let files: Vec<PathBuf> = configs
        .iter()
        .flat_map(|c| OTHER_TEN.iter().map(move |b| peer(c, b)))
        .collect();
    let (code, report) = scan(&files);
    let all: Vec<&Value> = findings(&report).iter().collect();
    assert!(
        all.is_empty(),
        "guardmin scan must find nothing (no error, no warning) in {configs:?} x {OTHER_TEN:?}; \
         got {} finding(s):\n{}",
        all.len(),
        pretty(&all)
    );
    assert_eq!(code, Some(0), "exit code with no findings");
}

#[test]
fn corpus_terser_esbuild_swc_oxc_outputs_have_no_findings() {
    clean(&["terser", "esbuild", "swc", "oxc"]);
}

#[test]
fn corpus_terser_typeofs_false_and_esbuild_transform_outputs_have_no_findings() {
    clean(&["terser-typeofs-false", "esbuild-transform"]);
}
