//! 1. Bad input: each case beside a good file; the exact outcome is asserted.

use super::*;

// 1. Bad input
// ---------------------------------------------------------------------------------------

/// `bad` beside the good file in a directory: minify must fail that file only, with exactly
/// `error: PATH:LINE:COL: MESSAGE`, and scan must report it as a `syntax-error` finding at
/// the same position.
fn rejected(name: &str, bad: &[u8], line: u32, col: u32, message: &str) {
    let d = tempfile::tempdir().unwrap();
    let (src, out) = (d.path().join("in"), d.path().join("out"));
    write(&src.join("good.js"), GOOD);
    write(&src.join(name), bad);
    let mut c = minify_cmd();
    c.arg(&src).arg("--out-dir").arg(&out);
    let r = run(c);
    assert_eq!(r.code(), Some(1), "{}", r.show());
    let path = src.join(name);
    let want = format!("error: {}:{line}:{col}: {message}", path.display());
    assert!(
        r.err().lines().any(|l| l == want),
        "expected the line\n{want}\n{}",
        r.show()
    );
    assert!(r.err().contains("1 file minified"), "{}", r.show());
    assert!(r.err().contains("1 file failed"), "{}", r.show());
    assert_eq!(read(&out.join("good.js")), GOOD_MIN.as_bytes());
    assert!(!out.join(name).exists(), "an output was written for {name}");
    assert_no_temp_files(d.path());
    assert_eq!(read(&path), bad, "the input was changed");

    let mut c = scan_cmd();
    c.arg(&src).args(["--format", "json"]);
    let r = run(c);
    assert_eq!(r.code(), Some(1), "{}", r.show());
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).expect("scan JSON");
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"] == path.display().to_string())
        .unwrap_or_else(|| panic!("no finding for {name}: {v}"));
    assert_eq!(f["rule"], "syntax-error", "{f}");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(line.into()), Some(col.into())),
        "{f}"
    );
}

#[test]
fn syntax_error_names_file_line_and_column() {
    rejected(
        "bad.js",
        b"var a = 1;\nvar b = (;\n",
        2,
        10,
        "syntax error: Expression expected",
    );
}

#[test]
fn invalid_utf8_names_the_byte_and_its_position() {
    rejected(
        "latin1.js",
        b"var a = 1;\nvar b = \"caf\xe9\";\n",
        2,
        13,
        "not valid UTF-8 (byte 0xE9 at offset 23); guardmin reads JavaScript as UTF-8: re-encode the file",
    );
}

#[test]
fn nul_byte_in_code_is_a_binary_file() {
    rejected(
        "nul.js",
        b"var a = 1;\nvar b = 2;\0\0",
        2,
        11,
        "binary file (contains a NUL byte): not JavaScript; exclude it with --exclude",
    );
}

/// A PNG named `.js`: the NUL is on the third line (after `\r\n` and `\x1a\n`). The invalid
/// byte 0x89 before it must not shift the position.
#[test]
fn png_named_js_is_a_binary_file_at_the_right_position() {
    rejected(
        "image.js",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10",
        3,
        1,
        "binary file (contains a NUL byte): not JavaScript; exclude it with --exclude",
    );
}

/// An empty file (or one with only white space and plain comments) is valid JavaScript:
/// its minified form is empty (guardmin ends every output with one newline).
#[test]
fn empty_file_minifies_to_an_empty_output() {
    let d = tempfile::tempdir().unwrap();
    let (src, out) = (d.path().join("in"), d.path().join("out"));
    write(&src.join("empty.js"), "");
    write(
        &src.join("blank.js"),
        "\n\n  \t\n// nothing here\n/* nor here */\n",
    );
    write(&src.join("good.js"), GOOD);
    let mut c = minify_cmd();
    c.arg(&src).arg("--out-dir").arg(&out);
    let r = run(c);
    assert_eq!(r.code(), Some(0), "{}", r.show());
    assert_eq!(read(&out.join("empty.js")), b"\n");
    assert_eq!(read(&out.join("blank.js")), b"\n");
    assert_eq!(read(&out.join("good.js")), GOOD_MIN.as_bytes());
    let mut c = scan_cmd();
    c.arg(src.join("empty.js")).args(["--format", "json"]);
    let r = run(c);
    assert_eq!(r.code(), Some(0), "{}", r.show());
}

/// A UTF-8 byte order mark is dropped from the output and does not count in positions.
#[test]
fn bom_is_dropped_and_not_counted_in_positions() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("bom.js");
    write(&f, b"\xef\xbb\xbfvar  a = 1;\nconsole.log(a);\n");
    let mut c = minify_cmd();
    c.arg(&f).arg("-q");
    let r = run(c);
    assert_eq!(r.code(), Some(0), "{}", r.show());
    assert_eq!(r.stdout, b"var a=1;console.log(a);\n");
    rejected(
        "bom-bad.js",
        b"\xef\xbb\xbfvar b = (;\n",
        1,
        10,
        "syntax error: Expression expected",
    );
}

/// A `#!` line stays the first line, before the license comments guardmin moves to the top.
#[test]
fn shebang_stays_first() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("cli.js");
    write(
        &f,
        "#!/usr/bin/env node\n/*! mytool v1.2 | MIT License */\nvar  answer = 6 * 7;\nconsole.log(answer);\n",
    );
    let mut c = minify_cmd();
    c.arg(&f).arg("-q");
    let r = run(c);
    assert_eq!(r.code(), Some(0), "{}", r.show());
    assert_eq!(
        r.out(),
        "#!/usr/bin/env node\n/*! mytool v1.2 | MIT License */\nvar answer=42;console.log(answer);\n"
    );
    // A `#!` anywhere else is a syntax error.
    rejected(
        "late-shebang.js",
        b"var a = 1;\n#!/usr/bin/env node\n",
        2,
        2,
        "syntax error: Expected ident",
    );
}

/// CRLF and lone CR line ends: the output has none, and error positions count them as one
/// line end each; the code frame carries no raw CR.
#[test]
fn crlf_and_cr_line_ends() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("crlf.js");
    write(&f, "var  a = 1;\r\nvar s = 'x';\r\nconsole.log(a, s);\r\n");
    let mut c = minify_cmd();
    c.arg(&f).arg("-q");
    let r = run(c);
    assert_eq!(r.code(), Some(0), "{}", r.show());
    assert_eq!(r.out(), "var a=1,s=\"x\";console.log(a,s);\n");
    rejected(
        "crlf-bad.js",
        b"var a = 1;\r\nvar b = 2;\r\nvar c = (;\r\n",
        3,
        10,
        "syntax error: Expression expected",
    );
    rejected(
        "cr-bad.js",
        b"var a = 1;\rvar b = 2;\rvar c = (;\r",
        3,
        10,
        "syntax error: Expression expected",
    );
    let bad = d.path().join("crlf-frame.js");
    write(&bad, "var a = 1;\r\nvar b = (;\r\n");
    let mut c = minify_cmd();
    c.arg(&bad).arg("-q");
    let r = run(c);
    assert_eq!(r.code(), Some(1), "{}", r.show());
    assert!(
        !r.stderr.contains(&b'\r'),
        "raw CR in the report: {}",
        r.show()
    );
}

/// 50 MB in one file: must succeed. The time is printed (run with --nocapture to see it).
#[test]
fn fifty_megabyte_file() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("huge.js");
    let mut code = String::with_capacity(50_100_000);
    let mut i = 0;
    while code.len() < 50_000_000 {
        code.push_str(&format!(
            "function handler_{i}(options, callback) {{\n  var settings = Object.assign({{}}, {{ retries: 3, delay: 250, name: \"handler_{i}\" }}, options);\n  if (typeof settings.onStart !== \"undefined\") {{ settings.onStart(settings.name); }}\n  var results = [];\n  for (var i = 0; i < settings.retries; i++) {{\n    results.push({{ attempt: i, at: Date.now(), label: settings.name + \":\" + i }});\n  }}\n  return callback ? callback(null, results) : results;\n}}\n"
        ));
        i += 1;
    }
    write(&f, &code);
    drop(code);
    let out = d.path().join("huge.min.js");
    let mut c = minify_cmd();
    c.arg(&f).arg("-o").arg(&out);
    let r = run_limited(c, Duration::from_secs(400));
    eprintln!(
        "50 MB file: {:.1}s, {}",
        r.elapsed.as_secs_f64(),
        r.err().trim()
    );
    assert!(!r.timed_out(), "{}", r.show());
    assert_eq!(r.code(), Some(0), "{}", r.show());
    let min = String::from_utf8(read(&out)).unwrap();
    assert!(min.len() < 40_000_000, "{} bytes", min.len());
    assert!(
        min.contains(&format!("function handler_{}(", i - 1)),
        "last function lost"
    );
    assert_eq!(
        min.matches("function handler_").count(),
        i,
        "functions lost"
    );
    parse_js(min).expect("the output parses");
    assert_no_temp_files(d.path());
}

/// 10,000 small files in one directory (one of them broken): every good one written with the
/// exact expected bytes, the broken one reported.
#[test]
fn ten_thousand_files_in_one_directory() {
    let d = tempfile::tempdir().unwrap();
    let (src, out) = (d.path().join("in"), d.path().join("out"));
    std::fs::create_dir_all(&src).unwrap();
    for i in 0..10_000 {
        let code = if i == 4321 {
            "var broken = (;\n".to_string()
        } else {
            format!("var  value{i} = \"v{i}\";\nfunction get{i}() {{ return typeof value{i} !== \"undefined\" ? value{i} : null; }}\nmodule.exports = get{i};\n")
        };
        std::fs::write(src.join(format!("f{i:05}.js")), code).unwrap();
    }
    let mut c = minify_cmd();
    c.arg(&src).arg("--out-dir").arg(&out);
    let r = run(c);
    eprintln!("10,000 files: {:.1}s", r.elapsed.as_secs_f64());
    assert_eq!(r.code(), Some(1), "{}", r.show());
    assert!(
        has_positioned_error(&r.err(), &src.join("f04321.js")),
        "{}",
        r.show()
    );
    assert!(r.err().contains("9999 files minified"), "{}", r.show());
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 9_999);
    for i in (0..10_000).filter(|&i| i != 4321) {
        let got = std::fs::read_to_string(out.join(format!("f{i:05}.js"))).unwrap();
        assert_eq!(
            got,
            format!("var value{i}=\"v{i}\";function get{i}(){{return\"u\">typeof value{i}?value{i}:null}}module.exports=get{i};\n")
        );
    }
    assert_no_temp_files(&out);
    let mut c = scan_cmd();
    c.arg(&src).args(["--format", "json"]);
    let r = run(c);
    assert_eq!(r.code(), Some(1), "{}", r.show());
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(v["files_scanned"], 10_000);
    assert_eq!(v["findings"].as_array().unwrap().len(), 1, "{v}");
}

/// A 10 MB line minifies; a syntax error 5 MB into a line is reported with a code frame cut
/// to a window, not the whole line.
#[test]
fn ten_megabyte_line() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("line.js");
    let mut code = String::from("var data = [");
    let mut i = 0;
    while code.len() < 10_000_000 {
        code.push_str(&format!(
            "{{id:{i},name:\"item{i}\",ok:typeof x!==\"undefined\"}},"
        ));
        i += 1;
    }
    code.push_str("];module.exports=data;");
    write(&f, &code);
    let out = d.path().join("line.min.js");
    let mut c = minify_cmd();
    c.arg(&f).arg("-o").arg(&out).arg("-q");
    let r = run(c);
    eprintln!("10 MB line: {:.1}s", r.elapsed.as_secs_f64());
    assert_eq!(r.code(), Some(0), "{}", r.show());
    let min = String::from_utf8(read(&out)).unwrap();
    assert_eq!(min.lines().count(), 1);
    assert!(min.contains(&format!("id:{}", i - 1)));
    parse_js(min).expect("the output parses");

    let half = code.len() / 2;
    let cut = code[half..].find("{id:").unwrap() + half;
    let mut bad = code.clone();
    bad.insert_str(cut, "(;");
    let bf = d.path().join("line-bad.js");
    write(&bf, &bad);
    let mut c = minify_cmd();
    c.arg(&bf).arg("-o").arg(d.path().join("line-bad.min.js"));
    let r = run(c);
    assert_eq!(r.code(), Some(1), "{}", r.show());
    let want = format!("error: {}:1:{}: syntax error:", bf.display(), cut + 2);
    assert!(r.err().contains(&want), "expected {want}\n{}", r.show());
    assert!(
        r.stderr.len() < 4_000,
        "the report printed {} bytes",
        r.stderr.len()
    );
}
