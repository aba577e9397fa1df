//! Limits against stack overflow only (issues 14 and 18): long flat code minifies and scans,
//! code nested past what the passes survive gets a clear error with its position, and
//! Annex B function declarations in `if` clauses parse in sloppy scripts.

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn guardmin(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guardmin"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn ok(o: &Output) -> bool {
    o.status.code() == Some(0)
}

fn show(o: &Output) -> String {
    format!(
        "exit {:?}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Minifies and scans `code` as `name`; both must succeed. Returns the minified output.
fn minifies_and_scans(name: &str, code: &str) -> String {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join(name), code).unwrap();
    let o = guardmin(
        &["minify", name, "--no-cache", "-q", "-o", "out.js"],
        d.path(),
    );
    assert!(ok(&o), "minify {name}: {}", show(&o));
    let o = guardmin(&["scan", name, "--format", "json"], d.path());
    assert!(ok(&o), "scan {name}: {}", show(&o));
    std::fs::read_to_string(d.path().join("out.js")).unwrap()
}

/// Minify and scan both refuse `code` with an error naming the file, line and column.
fn refused_at(name: &str, code: &str, line: usize, col: usize, words: &str) {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join(name), code).unwrap();
    for args in [
        vec!["minify", name, "--no-cache", "-q", "-o", "out.js"],
        vec!["scan", name],
    ] {
        let o = guardmin(&args, d.path());
        let err =
            String::from_utf8_lossy(&o.stderr).to_string() + &String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", show(&o));
        assert!(
            err.contains(&format!("{name}:{line}:{col}")) && err.contains(words),
            "{args:?}: want {name}:{line}:{col} and {words:?}: {err}"
        );
    }
}

#[test]
fn a_million_statements_minify_and_scan() {
    let code: String = (0..1_000_000).map(|i| format!("var a{i} = 1;\n")).collect();
    let out = minifies_and_scans("vars.js", &code);
    assert!(out.starts_with("var a0=1,a1=1"), "{}", &out[..40]);
}

#[test]
fn a_hundred_thousand_element_array_minifies_and_scans() {
    let items: Vec<String> = (0..100_000).map(|i| i.to_string()).collect();
    let out = minifies_and_scans(
        "arr.js",
        &format!("var x = [{}];\nconsole.log(x);\n", items.join(", ")),
    );
    assert!(out.contains("99999]"), "{}", &out[out.len() - 40..]);
}

#[test]
fn a_fifty_thousand_term_sum_minifies_and_scans() {
    let terms: Vec<String> = (0..50_000).map(|i| format!("b{}", i % 50)).collect();
    let out = minifies_and_scans(
        "sum.js",
        &format!("var x = {};\nconsole.log(x);\n", terms.join(" + ")),
    );
    assert!(out.matches('+').count() >= 49_999, "{}", &out[..80]);
}

#[test]
fn regex_and_template_text_neither_hide_nor_fake_nesting() {
    // 3,000 `(` in template text, `/;/` and `{}` in a template: text, not code.
    minifies_and_scans(
        "tpl.js",
        &format!("var s = `{}`;\nconsole.log(s);\n", "(".repeat(3000)),
    );
    let chain: Vec<&str> = vec!["a"; 50_000];
    minifies_and_scans(
        "re.js",
        &format!(
            "var a = 1, r = /;/, t = `{{}}`;\nvar x = {};\nconsole.log(x, r, t);\n",
            chain.join("+")
        ),
    );
    // A quote in a regular expression does not hide the nesting after it.
    let deep = 200_000;
    refused_at(
        "q.js",
        &format!(
            "var r = /\"/;\nvar x = {}1{};\n",
            "(".repeat(deep),
            ")".repeat(deep)
        ),
        2,
        120_008,
        "nested more than",
    );
}

#[test]
fn deep_call_chain_is_refused_by_scan_and_minify() {
    refused_at(
        "calls.js",
        &format!("f{};\n", "()".repeat(1_000_000)),
        1,
        1,
        "nested more than 60000",
    );
}

#[test]
fn nesting_just_past_the_tree_limit_is_refused_at_its_position() {
    let n = 70_000;
    refused_at(
        "p.js",
        &format!("var x;\nx = {}1{};\n", "[".repeat(n), "]".repeat(n)),
        2,
        60_003,
        "nested more than 60000",
    );
}

#[test]
fn deep_define_value_is_refused() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("a.js"), "console.log(X);\n").unwrap();
    let value = format!("X={}{}", "[".repeat(50_000), "]".repeat(50_000));
    let o = guardmin(
        &["minify", "a.js", "--no-cache", "--define", &value],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("nested more than"),
        "{}",
        show(&o)
    );
}

const ANNEX_B: &str = "var x = 1;\nif (x) function f() { return 1; }\nif (!x) function g() {} else function h() { return 2; }\nl: function k() {}\nvoid 0 !== undefinedName;\n";

#[test]
fn annex_b_function_declarations_in_if_clauses_minify_and_scan() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("annex.js"), ANNEX_B).unwrap();
    let o = guardmin(
        &["minify", "annex.js", "--no-cache", "-q", "-o", "out.js"],
        d.path(),
    );
    assert!(ok(&o), "{}", show(&o));
    let out = std::fs::read_to_string(d.path().join("out.js")).unwrap();
    assert!(out.contains("{function f(){return 1}}"), "{out}");
    assert!(
        !out.contains(")function") && !out.contains("else function"),
        "{out}"
    );
    // Positions after the clauses are exact: the undeclared read is reported where it is.
    let o = guardmin(&["scan", "annex.js", "--format", "json"], d.path());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let first = &v["findings"][0];
    assert_eq!(first["rule"], "undeclared-void-compare", "{v}");
    assert_eq!(
        (&first["line"], &first["column"]),
        (&5.into(), &12.into()),
        "{v}"
    );
}

#[test]
fn annex_b_stays_a_syntax_error_in_strict_code_and_modules() {
    for (name, code) in [
        ("strict.js", "'use strict';\nif (x) function f() {}\n"),
        (
            "fn.js",
            "function o() { 'use strict'; if (x) function f() {} }\n",
        ),
        ("mod.mjs", "if (x) function f() {}\nexport {};\n"),
        ("gen.js", "if (x) function* f() {}\n"),
        ("while.js", "while (x) function f() {}\n"),
    ] {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join(name), code).unwrap();
        let o = guardmin(&["scan", name], d.path());
        assert_eq!(o.status.code(), Some(1), "{name}: {}", show(&o));
        let out =
            String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
        assert!(
            out.contains("syntax error") || out.contains("syntax-error"),
            "{name}: {out}"
        );
    }
}
