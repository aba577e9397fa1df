//! Deep nesting, long chains and long lines: neither killed nor hung.

use super::*;

/// Deep nesting must neither kill the process nor hang it: `deep.js` is minified (and its
/// output parses) or reported with a position; `good.js` beside it is written either way.
/// Same for scan.
fn survives_deep_nesting(label: &str, code: String) {
    const LIMIT: Duration = Duration::from_secs(30);
    let d = tempfile::tempdir().unwrap();
    let (src, out) = (d.path().join("in"), d.path().join("out"));
    write(&src.join("good.js"), GOOD);
    let deep = src.join("deep.js");
    write(&deep, &code);

    let mut c = minify_cmd();
    c.arg(&src)
        .arg("--out-dir")
        .arg(&out)
        .args(["-j", "2", "-q"]);
    let r = run_limited(c, LIMIT);
    assert!(
        !r.timed_out(),
        "minify did not finish within {LIMIT:?} on {label} ({} bytes): {}",
        code.len(),
        r.show()
    );
    assert!(
        r.signal().is_none(),
        "minify was killed on {label}: {}",
        r.show()
    );
    assert_eq!(
        std::fs::read(out.join("good.js")).ok().as_deref(),
        Some(GOOD_MIN.as_bytes()),
        "the other file was not written ({label}): {}",
        r.show()
    );
    match r.code() {
        Some(0) => {
            let min = String::from_utf8(read(&out.join("deep.js"))).unwrap();
            parse_js(min).unwrap_or_else(|e| panic!("the output for {label} does not parse: {e}"));
        }
        Some(1) => {
            assert!(
                has_positioned_error(&r.err(), &deep),
                "{label}: {}",
                r.show()
            );
            assert!(!out.join("deep.js").exists());
        }
        _ => panic!("{label}: {}", r.show()),
    }
    assert_no_temp_files(d.path());

    let mut c = scan_cmd();
    c.arg(&src).args(["--format", "json", "-j", "2"]);
    let r = run_limited(c, LIMIT);
    assert!(
        !r.timed_out(),
        "scan did not finish within {LIMIT:?} on {label}: {}",
        r.show()
    );
    assert!(
        r.signal().is_none(),
        "scan was killed on {label}: {}",
        r.show()
    );
    assert!(matches!(r.code(), Some(0 | 1)), "{label}: {}", r.show());
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).expect("scan JSON");
    assert_eq!(v["files_scanned"], 2, "{v}");
}

const DEEP: usize = 100_000;

#[test]
fn deep_parentheses() {
    survives_deep_nesting(
        "100,000 nested ( )",
        format!("var x = {}1{};\n", "(".repeat(DEEP), ")".repeat(DEEP)),
    );
}

#[test]
fn deep_brackets_and_braces() {
    survives_deep_nesting(
        "100,000 nested [ ] and { }",
        format!(
            "var x = {}{};\nvar y = {}1{};\n",
            "[".repeat(DEEP),
            "]".repeat(DEEP),
            "{a:".repeat(DEEP),
            "}".repeat(DEEP)
        ),
    );
}

#[test]
fn deep_template_literals() {
    survives_deep_nesting(
        "100,000 nested `${ }`",
        format!("var x = {}1{};\n", "`${".repeat(DEEP), "}`".repeat(DEEP)),
    );
}

#[test]
fn long_addition_chain() {
    survives_deep_nesting(
        "1+1+... 100,000 times",
        format!("var x = {}1;\n", "1+".repeat(DEEP)),
    );
}

#[test]
fn long_string_concatenation_chain() {
    survives_deep_nesting(
        "'a'+'a'+... 100,000 times",
        format!("var x = {}'b';\n", "'a'+".repeat(DEEP)),
    );
}

#[test]
fn long_conditional_chain() {
    survives_deep_nesting(
        "a?b:a?b:... 100,000 deep",
        format!("var a = 1, b = 2;\nvar x = {}b;\n", "a?b:".repeat(DEEP)),
    );
}

#[test]
fn long_logical_and_chain() {
    survives_deep_nesting(
        "a&&a&&... 100,000 times",
        format!("var a = 1;\nvar x = {}a;\n", "a&&".repeat(DEEP)),
    );
}

#[test]
fn deep_unary_chains() {
    survives_deep_nesting(
        "!!!... and - - -... 100,000 deep",
        format!(
            "var x = {}1;\nvar y = {}1;\n",
            "!".repeat(DEEP),
            "- ".repeat(DEEP)
        ),
    );
}

#[test]
fn deep_typeof_chain() {
    survives_deep_nesting(
        "typeof typeof ... 100,000 deep",
        format!("var z = {}1;\n", "typeof ".repeat(DEEP)),
    );
}

#[test]
fn long_assignment_chain() {
    survives_deep_nesting(
        "a=a=... 100,000 deep",
        format!("var a;\n{}1;\n", "a=".repeat(DEEP)),
    );
}

#[test]
fn deep_arrow_functions() {
    survives_deep_nesting(
        "x=>x=>... 100,000 deep",
        format!("var f = {}1;\n", "x=>".repeat(DEEP)),
    );
}

#[test]
fn deep_if_statements() {
    survives_deep_nesting(
        "if(1)if(1)... 100,000 deep",
        format!("{};\n", "if(1)".repeat(DEEP)),
    );
}

/// `if(1)` nested only 500 deep (2,500 bytes) already takes about a minute in swc's
/// compressor (`is_ok_to_negate_rhs`); @swc/core's own `minifySync` does it in milliseconds.
#[test]
fn five_hundred_nested_ifs_take_seconds_not_minutes() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("ifs.js");
    write(&f, format!("{};\n", "if(1)".repeat(500)));
    let mut c = minify_cmd();
    c.arg(&f).arg("-q");
    let r = run_limited(c, Duration::from_secs(20));
    assert!(!r.timed_out(), "{}", r.show());
    assert!(matches!(r.code(), Some(0 | 1)), "{}", r.show());
}

#[test]
fn long_member_and_call_chains() {
    survives_deep_nesting(
        "a.b.b.b... and f()()()... 100,000 long",
        format!(
            "var a = {{}};\na{};\nvar f = function () {{ return f; }};\nf{};\n",
            ".b".repeat(DEEP),
            "()".repeat(DEEP)
        ),
    );
}

/// A million levels: far past any stack guardmin's threads have.
#[test]
fn million_deep_unary_chain() {
    survives_deep_nesting(
        "!!!... 1,000,000 deep",
        format!("var x = {}1;\n", "!".repeat(1_000_000)),
    );
}

#[test]
fn million_long_addition_chain() {
    survives_deep_nesting(
        "1+1+... 1,000,000 times",
        format!("var x = {}1;\n", "1+".repeat(1_000_000)),
    );
}

/// JSON given by mistake (named explicitly; directory walks only take .js, .mjs, .cjs):
/// the error must say it is JSON, not leave the user with "Expected ';', '}' or <eof>".
#[test]
fn json_given_by_mistake_is_called_json() {
    let d = tempfile::tempdir().unwrap();
    let (src, out) = (d.path().join("in"), d.path().join("out"));
    write(&src.join("good.js"), GOOD);
    write(
        &src.join("package.json"),
        "{\n  \"name\": \"x\",\n  \"version\": \"1.0.0\"\n}\n",
    );
    write(&src.join("list.json"), "[1, 2, 3]\n");
    let mut c = minify_cmd();
    c.arg(src.join("good.js"))
        .arg(src.join("package.json"))
        .arg(src.join("list.json"))
        .arg("--out-dir")
        .arg(&out);
    let r = run(c);
    assert_eq!(r.code(), Some(1), "{}", r.show());
    assert_eq!(read(&out.join("good.js")), GOOD_MIN.as_bytes());
    for name in ["package.json", "list.json"] {
        let line = r
            .err()
            .lines()
            .find(|l| l.starts_with(&format!("error: {}", src.join(name).display())))
            .map(str::to_string);
        assert!(
            line.as_deref().is_some_and(|l| l.contains("JSON")),
            "{name} must be reported as JSON, not JavaScript: {line:?}\n{}",
            r.show()
        );
        assert!(!out.join(name).exists(), "{name} was written");
    }
}

/// TypeScript given by mistake: the error says so.
#[test]
fn typescript_given_by_mistake_is_called_typescript() {
    let d = tempfile::tempdir().unwrap();
    let (src, out) = (d.path().join("in"), d.path().join("out"));
    write(&src.join("good.js"), GOOD);
    write(
        &src.join("app.ts"),
        "interface Point { x: number }\nexport const p: Point = { x: 1 };\n",
    );
    // Valid JavaScript too: still not something to minify as JavaScript.
    write(&src.join("plain.ts"), "export const q = 1;\n");
    let mut c = minify_cmd();
    c.arg(src.join("good.js"))
        .arg(src.join("app.ts"))
        .arg(src.join("plain.ts"))
        .arg("--out-dir")
        .arg(&out);
    let r = run(c);
    assert_eq!(r.code(), Some(1), "{}", r.show());
    assert_eq!(read(&out.join("good.js")), GOOD_MIN.as_bytes());
    for name in ["app.ts", "plain.ts"] {
        let line = r
            .err()
            .lines()
            .find(|l| l.starts_with(&format!("error: {}", src.join(name).display())))
            .map(str::to_string);
        assert!(
            line.as_deref().is_some_and(|l| l.contains("TypeScript")),
            "{name} must be reported as TypeScript: {line:?}\n{}",
            r.show()
        );
    }
}

/// Directory walks never pick up JSON or TypeScript in the first place.
#[test]
fn directory_walk_skips_json_and_typescript() {
    let d = tempfile::tempdir().unwrap();
    let (src, out) = (d.path().join("in"), d.path().join("out"));
    write(&src.join("good.js"), GOOD);
    write(&src.join("package.json"), "{\"name\": \"x\"}\n");
    write(&src.join("app.ts"), "let a: number = 1;\n");
    write(&src.join("types.d.ts"), "export declare const a: number;\n");
    let mut c = minify_cmd();
    c.arg(&src).arg("--out-dir").arg(&out).arg("-q");
    let r = run(c);
    assert_eq!(r.code(), Some(0), "{}", r.show());
    let written: Vec<_> = walk(&out);
    assert_eq!(written, vec![out.join("good.js")]);
}

// ---------------------------------------------------------------------------------------
