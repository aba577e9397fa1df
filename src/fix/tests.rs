use super::*;

fn source(code: &str) -> Source {
    Source {
        name: "t.js".into(),
        path: None,
        text: code.into(),
        had_bom: false,
    }
}

fn run(code: &str) -> Outcome {
    fix(&source(code), &Options::default(), None).unwrap_or_else(|e| panic!("{e}"))
}

/// A function reading `v` from around it, whose text goes to a Blob.
fn shipped(body: &str) -> String {
    format!("var v = 1;\nfunction f() {{ var a = 2; function g() {{}} {body} }}\nnew Blob([f.toString()]);\n")
}

/// The repaired body of [`shipped`].
fn repaired(body: &str) -> String {
    let o = run(&shipped(body));
    assert!(
        o.unrepairable.is_empty(),
        "{body}: {:?}",
        o.unrepairable.iter().map(|u| &u.reason).collect::<Vec<_>>()
    );
    assert!(o.changed(), "{body}: nothing repaired");
    let line = o.text.lines().nth(1).unwrap();
    line.strip_prefix("function f() { var a = 2; function g() {} ")
        .and_then(|l| l.strip_suffix(" }"))
        .unwrap()
        .to_string()
}

#[test]
fn comparisons_with_void_0_and_undefined() {
    for (body, want) in [
        ("return void 0 !== v && v;", "return typeof v<\"u\" && v;"),
        ("return v!==void 0&&v;", "return typeof v<\"u\"&&v;"),
        ("return void 0===v?a:v;", "return typeof v>\"u\"?a:v;"),
        (
            "return v === undefined ? a : v;",
            "return typeof v>\"u\" ? a : v;",
        ),
        ("return (v)!==void 0&&v;", "return typeof v<\"u\"&&v;"),
    ] {
        assert_eq!(repaired(body), want, "{body}");
    }
}

#[test]
fn loose_and_null_comparisons_keep_their_text() {
    for (body, want) in [
        // false where v is undefined: the `&&` form.
        (
            "return null != v ? v : a;",
            "return typeof v<\"u\"&&null != v ? v : a;",
        ),
        (
            "return v!=void 0?v:a;",
            "return typeof v<\"u\"&&v!=void 0?v:a;",
        ),
        (
            "return v===null?0:1;",
            "return typeof v<\"u\"&&v===null?0:1;",
        ),
        // true where v is undefined: the `||` form, in parentheses under `&&`.
        ("null==v&&g();", "(typeof v>\"u\"||null==v)&&g();"),
        (
            "return v!==null?1:0;",
            "return typeof v>\"u\"||v!==null?1:0;",
        ),
        (
            "return !(v!=null)&&1;",
            "return !(typeof v<\"u\"&&v!=null)&&1;",
        ),
        (
            "if (null==v) return; g(v);",
            "if (typeof v>\"u\"||null==v) return; g(v);",
        ),
    ] {
        assert_eq!(repaired(body), want, "{body}");
    }
}

#[test]
fn bare_reads_in_tests() {
    for (body, want) in [
        ("v&&g(v);", "typeof v<\"u\"&&v&&g(v);"),
        ("if (v) g(v);", "if (typeof v<\"u\"&&v) g(v);"),
        ("return v?v:a;", "return typeof v<\"u\"&&v?v:a;"),
        (
            "if (!v) return; g(v);",
            "if (!(typeof v<\"u\"&&v)) return; g(v);",
        ),
        ("return a&&v?1:2;", "return a&&(typeof v<\"u\"&&v)?1:2;"),
        ("g(), v&&g(v);", "g(), typeof v<\"u\"&&v&&g(v);"),
        ("for (;v;) g(v);", "for (;typeof v<\"u\"&&v;) g(v);"),
    ] {
        assert_eq!(repaired(body), want, "{body}");
    }
}

#[test]
fn reads_used_as_values_are_not_repairable() {
    for body in [
        "return v * 2;",
        "return v && g();",
        "g(v);",
        "return v.x;",
        "var x = v ?? 1; return x;",
        "return { v };",
    ] {
        let code = shipped(body);
        let o = run(&code);
        assert_eq!(o.unrepairable.len(), 1, "{body}");
        assert_eq!(o.unrepairable[0].reason, shape::NOT_A_GUARD, "{body}");
        assert_eq!(o.text, code, "{body}: the file is left as it was");
        assert!(!o.changed());
    }
}

#[test]
fn clean_files_are_unchanged() {
    for code in [
        shipped("return typeof v<\"u\"&&v;"),
        "var v = 1; function f() { return void 0 !== v; } f();\n".to_string(),
    ] {
        let o = run(&code);
        assert!(o.repairs.is_empty() && o.unrepairable.is_empty());
        assert_eq!(o.text, code);
    }
}

#[test]
fn repairs_that_uncover_later_reads_take_more_rounds() {
    // The second read was safe only because the first would have thrown first.
    assert_eq!(
        repaired("if (v!==void 0) g(); if (v) g();"),
        "if (typeof v<\"u\") g(); if (typeof v<\"u\"&&v) g();"
    );
    // ... and when the uncovered read cannot be repaired, nothing is.
    let code = shipped("if (v!==void 0) g(); return v + 1;");
    let o = run(&code);
    assert_eq!(o.text, code);
    assert_eq!(o.repairs.len(), 1);
    assert_eq!(o.unrepairable.len(), 1);
    let f = &o.unrepairable[0].finding;
    assert!(
        f.message.starts_with("after the repairs before it"),
        "{}",
        f.message
    );
    assert_eq!((f.line, f.column), (2, 71), "a position in the input");
}

#[test]
fn a_repair_that_would_join_the_line_before_is_refused() {
    // No semicolon after `a = g`: `(typeof ...)` would call it.
    let code = shipped("var b = g\nnull==v&&g(); return b;");
    let o = run(&code);
    assert_eq!(o.text, code);
    assert_eq!(o.unrepairable.len(), 1, "{:?}", o.repairs);
    assert!(o.unrepairable[0].reason.contains("line before"));
}

#[test]
fn each_repair_adds_at_most_16_bytes_for_a_one_letter_name() {
    for body in [
        "return void 0!==v&&v;",
        "return null!=v?v:a;",
        "null==v&&g();",
        "if (!v) return;",
        "return a&&v?1:2;",
    ] {
        let code = shipped(body);
        let o = run(&code);
        assert_eq!(o.repairs.len(), 1, "{body}");
        assert!(o.text.len() <= code.len() + 16, "{body}: {}", o.text);
    }
}

#[test]
fn reads_renamed_away_from_a_prelude_name_are_not_repaired() {
    let glue = |prelude: &str| {
        format!("var M = (function () {{ var e = document.currentScript ? document.currentScript.src : void 0; return function (t) {{ var n = ''; e && (n = e); new Worker(n); return t; }}; }})();\nnew Blob(['{prelude}' + M.toString()]);\n")
    };
    // tfjs: the text only names the factory itself.
    let o = run(&glue("var M = "));
    assert!(o.changed(), "{:?}", o.unrepairable);
    assert!(
        o.text.contains("typeof e<\"u\"&&e && (n = e)"),
        "{}",
        o.text
    );
    // The prelude declares `_scriptDir` for the factory to read by that name.
    let code = glue("var _scriptDir = undefined; var M = ");
    let o = run(&code);
    assert_eq!(o.text, code);
    assert_eq!(o.unrepairable.len(), 1);
    assert!(
        o.unrepairable[0].reason.contains("`_scriptDir`"),
        "{}",
        o.unrepairable[0].reason
    );
}

#[test]
fn calls_of_names_nothing_declares_are_not_reads() {
    let code = "function work() { return 1; }\nnew Blob([String(work) + '\\nmain();']);\n";
    let o = run(code);
    assert_eq!(o.unrepairable.len(), 1);
    assert_eq!(o.unrepairable[0].reason, NOT_A_READ);
    assert_eq!(o.text, code);
}
