//! Every position a `typeof` of an enclosing binding can take, in a function whose source
//! text runs elsewhere: guardmin's output must run exactly as its input does, in the main
//! realm and in a fresh realm that gets only the function's text (as a worker does).
//!
//! The table is [`FORMS`] (the body of the function `F`, reading `mode` from around it),
//! crossed with: `mode` one or two function scopes out, its value known to swc or not, the
//! worker text with or without a prelude that declares `mode` by name, and guardmin with
//! and without `--keep-fnames`. `tests/node/guard-forms.mjs` runs each file.
//!
//! Also: a vendor file that is already broken is refused with its position, and written
//! with `--allow-broken-input`.
//!
//! Needs Node.js 20+.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

mod common;
use common::{guardmin, node, root, run, show};

/// `(name, init, body)`: `init` is `mode`'s value; `body` the statements of `F`.
const FORMS: &[(&str, &str, &str)] = &[
    ("eq-undef", "1", "return typeof mode == 'undefined' ? 'u' : mode;"),
    ("eqeq-undef", "1", "return typeof mode === 'undefined' ? 'u' : mode;"),
    ("ne-undef", "1", "return typeof mode != 'undefined' ? mode : 'u';"),
    ("nene-undef", "1", "return typeof mode !== 'undefined' ? mode : 'u';"),
    ("lt-u", "1", "return typeof mode < 'u' ? mode : 'u';"),
    ("gt-u", "1", "return typeof mode > 'u' ? 'u' : mode;"),
    ("ge-u", "1", "return typeof mode >= 'u' ? 'u' : 'd';"),
    ("reversed", "1", "return 'undefined' === typeof mode ? 'u' : mode;"),
    ("eq-object", "{ v: 3 }", "return typeof mode == 'object' ? mode.v : 'no';"),
    ("nene-object", "{ v: 3 }", "return typeof mode !== 'object' ? 'no' : 'yes';"),
    ("eqeq-function", "function () { return 4; }", "return typeof mode === 'function' ? mode() : 'no';"),
    ("ne-function", "function () { return 4; }", "return typeof mode != 'function' ? 'no' : 'yes';"),
    ("eq-string", "'s'", "return typeof mode == 'string' ? mode : 'no';"),
    ("eqeq-number", "1", "return typeof mode === 'number' && mode > 0 ? mode : 'no';"),
    ("if-return", "1", "if (typeof mode === 'undefined') return 'u'; return mode;"),
    ("and-or", "1", "return (typeof mode !== 'undefined' && mode) || 'u';"),
    ("or-null", "1", "return typeof mode == 'undefined' || mode === null ? 'u' : mode;"),
    ("switch", "1", "switch (typeof mode) { case 'undefined': return 'u'; case 'number': return 'n'; default: return 'd'; }"),
    ("switch-string", "'s'", "switch (typeof mode) { case 'string': return 's'; } return 'u';"),
    ("switch-fallthrough", "1", "var r = ''; switch (typeof mode) { case 'undefined': r += 'u'; case 'object': r += 'o'; break; default: r = 'd'; } return r;"),
    ("stored", "1", "var t = typeof mode; return t === 'undefined' ? 'u' : 'd';"),
    ("stored-ne", "1", "var t = typeof mode; if (t != 'undefined') return 'd'; return 'u';"),
    ("stored-twice", "1", "var t = typeof mode, s = t; return [t, s == 'undefined'];"),
    ("argument", "1", "return String(typeof mode) === 'undefined' ? 'u' : 'd';"),
    ("argument-local-fn", "1", "function id(a) { return a; } return id(typeof mode) == 'undefined' ? 'u' : 'd';"),
    ("template", "1", "return `${typeof mode}` === 'undefined' ? 'u' : 'd';"),
    ("template-text", "1", "return `type: ${typeof mode}!`;"),
    ("negated", "1", "return [!typeof mode, !(typeof mode == 'undefined')];"),
    ("raw", "1", "return typeof mode;"),
    ("array", "1", "return [typeof mode, typeof mode == 'undefined', typeof mode < 'u'];"),
    ("member", "1", "return (typeof mode).length;"),
    ("index", "1", "return (typeof mode)[0];"),
    ("exponent", "1", "return (typeof mode).length ** 2;"),
    ("concat", "1", "return typeof mode + '' === 'undefined' ? 'u' : 'd';"),
    ("in-object", "1", "return typeof mode in { undefined: 1 } ? 'u' : 'd';"),
    ("object-value", "1", "return { t: typeof mode, u: typeof mode === 'undefined' };"),
    ("nested-fn", "1", "return (function () { return typeof mode === 'undefined' ? 'u' : 'd'; })();"),
    ("arrow", "1", "var g = () => typeof mode != 'undefined'; return g() ? 'd' : 'u';"),
    ("loop", "1", "var n = 0; for (var i = 0; i < 3; i++) if (typeof mode < 'u') n++; return n;"),
];

const LEVELS: &[&str] = &["one", "two"];
/// How `mode` gets its value: a constant swc can fold, or one it cannot know.
const INITS: &[&str] = &["known", "unknown"];
const PRELUDES: &[&str] = &["none", "declares"];

fn program(level: &str, init_kind: &str, prelude: &str, init: &str, body: &str) -> String {
    let init = match init_kind {
        "known" => init.to_string(),
        _ => format!("(typeof globalThis.__gmNever === 'undefined' ? {init} : null)"),
    };
    let inner = format!("function F() {{ {body} }}");
    let factory = match level {
        "one" => format!("(function () {{\n  var mode = {init};\n  return {inner};\n}})()"),
        _ => format!(
            "(function () {{\n  var mode = {init};\n  return (function () {{\n    var other = [mode];\n    return {inner};\n  }})();\n}})()"
        ),
    };
    let prelude = match prelude {
        "none" => "",
        _ => "var mode = 7; ",
    };
    format!("var F = {factory};\nvar text = '{prelude}var F = ' + F.toString();\n")
}

fn node_results(files: &[std::path::PathBuf]) -> BTreeMap<String, Value> {
    let mut c = node();
    c.arg(root().join("tests/node/guard-forms.mjs")).args(files);
    let o = run(c, "node");
    assert!(o.status.success(), "guard-forms.mjs failed:\n{}", show(&o));
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            let file = v["file"].as_str().unwrap().to_string();
            (file, v)
        })
        .collect()
}

fn minify_dir(dir: &Path, out: &Path, extra: &[&str]) {
    let mut c = guardmin();
    c.arg("minify")
        .arg(dir)
        .arg("--out-dir")
        .arg(out)
        .arg("--no-cache")
        .args(extra);
    let o = run(c, "guardmin");
    assert!(o.status.success(), "guardmin minify failed:\n{}", show(&o));
}

#[test]
fn every_guard_form_runs_as_its_input_in_both_realms() {
    let tmp = common::tmp("guardmin-forms-");
    let dir = tmp.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    let mut names = Vec::new();
    for (form, init, body) in FORMS {
        for level in LEVELS {
            for init_kind in INITS {
                for prelude in PRELUDES {
                    let name = format!("{form}.{level}.{init_kind}.{prelude}.js");
                    let code = program(level, init_kind, prelude, init, body);
                    std::fs::write(dir.join(&name), code).unwrap();
                    names.push(name);
                }
            }
        }
    }
    let variants: [(&str, &[&str]); 2] = [("plain", &[]), ("keep-fnames", &["--keep-fnames"])];
    for (v, flags) in variants {
        minify_dir(&dir, &tmp.path().join(v), flags);
    }
    let mut files: Vec<std::path::PathBuf> = names.iter().map(|n| dir.join(n)).collect();
    for (v, _) in variants {
        files.extend(names.iter().map(|n| tmp.path().join(v).join(n)));
    }
    let results = node_results(&files);
    let mut failures = Vec::new();
    for name in &names {
        let input_path = dir.join(name);
        let input = &results[&input_path.display().to_string()];
        assert!(
            input.get("load_error").is_none() && input["main"]["ok"] == true,
            "{name}: the input itself does not run: {input}"
        );
        assert!(
            input["worker"]["ok"] == true,
            "{name}: the input is meant to run in the worker realm too: {input}"
        );
        for (v, _) in variants {
            let out_path = tmp.path().join(v).join(name);
            let out = &results[&out_path.display().to_string()];
            for realm in ["main", "worker"] {
                if out[realm] != input[realm] {
                    failures.push(format!(
                        "{name} ({v}), {realm} realm: input {} but output {}\n  output: {}",
                        input[realm],
                        out[realm],
                        std::fs::read_to_string(&out_path)
                            .unwrap_or_default()
                            .trim()
                    ));
                }
            }
        }
    }
    assert!(
        names.len() >= 30 * 8,
        "the table shrank: {} cases",
        names.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} outputs do not run as their input:\n{}",
        failures.len(),
        names.len() * variants.len(),
        failures.join("\n")
    );
}

/// A factory another minifier already broke (`void 0 !== e` on a binding of the enclosing
/// scope, and its text goes to a worker through a Blob).
const BROKEN_VENDOR: &str = "var WasmModule = (function () {\n  var e = typeof document < 'u' && document.currentScript ? document.currentScript.src : void 0;\n  return function (t) {\n    var n = '';\n    void 0 !== e && e && (n = e);\n    return n;\n  };\n})();\nvar workerBlob = new Blob(['var WasmModule = ' + WasmModule.toString()]);\n";

#[test]
fn an_already_broken_input_is_refused_with_its_position_unless_allowed() {
    let tmp = common::tmp("guardmin-broken-");
    let input = tmp.path().join("vendor.js");
    std::fs::write(&input, BROKEN_VENDOR).unwrap();
    let out = tmp.path().join("vendor.min.js");
    let mut c = guardmin();
    c.arg("minify").arg(&input).arg("-o").arg(&out);
    let o = run(c, "guardmin");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(
        stderr.contains(&format!("{}:5:16", input.display())),
        "the error names file:line:col of the broken read:\n{}",
        show(&o)
    );
    assert!(
        stderr.contains("--allow-broken-input") && stderr.contains("help:"),
        "{}",
        show(&o)
    );
    assert!(!out.exists(), "nothing is written for a refused input");

    let mut c = guardmin();
    c.arg("minify")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .arg("--allow-broken-input");
    let o = run(c, "guardmin");
    assert!(o.status.success(), "{}", show(&o));
    assert!(out.is_file());
}
