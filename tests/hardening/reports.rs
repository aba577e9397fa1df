//! 5. Control characters in reports.

use super::*;

// 5. Control characters in reports
// ---------------------------------------------------------------------------------------

fn assert_clean(what: &str, bytes: &[u8]) {
    for (c, name) in [
        (b'\x1b', "ESC"),
        (b'\r', "CR"),
        (b'\x07', "BEL"),
        (b'\x08', "BS"),
    ] {
        assert!(
            !bytes.contains(&c),
            "{what}: raw {name} reached the terminal: {:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

const EVIL_NAME: &str = "e\x1b[31mvil\r\x07.js";

fn hostile_tree(root: &Path) -> PathBuf {
    let src = root.join("in");
    write(
        &src.join(EVIL_NAME),
        "var s = \"\x1b]0;owned\x07\x1b[2J\";\nvar b = (;\n",
    );
    // A finding whose code frame holds escapes.
    write(
        &src.join("frame.js"),
        "if (someGlobal === void 0) { var t = \"\x1b[2J\x1b]0;owned\x07\"; }\r\nvar u = '\x08\x08';\n",
    );
    write(&src.join("good.js"), GOOD);
    src
}

#[test]
fn minify_errors_carry_no_control_characters() {
    let d = tempfile::tempdir().unwrap();
    let src = hostile_tree(d.path());
    let mut c = minify_cmd();
    c.arg(&src).arg("--out-dir").arg(d.path().join("out"));
    let r = run(c);
    assert_eq!(r.code(), Some(1), "{}", r.show());
    assert!(r.err().contains("vil"), "{}", r.show());
    assert_clean("minify errors", &r.stderr);
    assert_clean("minify stdout", &r.stdout);
}

#[test]
fn scan_reports_carry_no_control_characters() {
    let d = tempfile::tempdir().unwrap();
    let src = hostile_tree(d.path());
    for color in ["never", "auto"] {
        let mut c = scan_cmd();
        c.arg(&src).args(["--color", color]);
        let r = run(c);
        assert_eq!(r.code(), Some(1), "{}", r.show());
        assert!(r.out().contains("someGlobal"), "{}", r.show());
        assert_clean("scan human report", &r.stdout);
        assert_clean("scan stderr", &r.stderr);
    }
    // With colour, the only escapes are guardmin's own SGR sequences.
    let mut c = scan_cmd();
    c.arg(&src).args(["--color", "always"]);
    let r = run(c);
    let out = r.out();
    for (i, _) in out.match_indices('\x1b') {
        let rest = &out[i + 1..];
        let sgr = rest.starts_with('[')
            && rest[1..]
                .chars()
                .take_while(|c| *c != 'm')
                .all(|c| c.is_ascii_digit() || c == ';');
        assert!(
            sgr,
            "an escape that is not guardmin's colour: {:?}",
            &rest[..rest.len().min(20)]
        );
    }
    assert!(!out.contains('\r') && !out.contains('\x07'), "{out:?}");
}

/// Messages that quote paths from the command line or from a walk (usage errors, skipped
/// links) go through the same sanitizing as the reports.
#[test]
fn usage_errors_and_notices_carry_no_control_characters() {
    let d = tempfile::tempdir().unwrap();
    let src = hostile_tree(d.path());
    std::os::unix::fs::symlink("good.js", src.join("li\x1b[2Jnk\r.js")).unwrap();
    let evil = src.join(EVIL_NAME);
    let runs: Vec<(&str, Vec<std::ffi::OsString>)> = vec![
        (
            "missing path",
            vec![
                "minify".into(),
                "--no-cache".into(),
                d.path().join("no\x1b[31mpe\r.js").into(),
            ],
        ),
        (
            "missing path (scan)",
            vec!["scan".into(), d.path().join("no\x1b[31mpe\r.js").into()],
        ),
        (
            "output is the input",
            vec![
                "minify".into(),
                "--no-cache".into(),
                evil.clone().into(),
                "-o".into(),
                evil.clone().into(),
            ],
        ),
        (
            "skipped symbolic link",
            vec![
                "minify".into(),
                "--no-cache".into(),
                src.clone().into(),
                "--out-dir".into(),
                d.path().join("out").into(),
            ],
        ),
        (
            "skipped symbolic link (scan)",
            vec!["scan".into(), src.clone().into()],
        ),
    ];
    let mut failures = Vec::new();
    for (what, args) in runs {
        let mut c = guardmin();
        c.args(&args);
        let r = run(c);
        if let Some(c) = [b'\x1b', b'\r'].into_iter().find(|c| r.stderr.contains(c)) {
            failures.push(format!("{what}: raw {:?} in {:?}", c as char, r.err()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `--format github`: `%`, CR and LF escaped in the data, and `:` and `,` too in properties;
/// one line per finding whatever the file name holds.
#[test]
fn github_annotations_escape_properties_and_data() {
    let d = tempfile::tempdir().unwrap();
    let src = d.path().join("in");
    write(&src.join("a:b,c%d\r\ne\x1b.js"), "class A { %x }\n");
    let mut c = scan_cmd();
    c.arg(&src).args(["--format", "github"]);
    let r = run(c);
    assert_eq!(r.code(), Some(1), "{}", r.show());
    let out = r.out();
    assert_eq!(out.lines().count(), 1, "{out:?}");
    let file = format!("{}/a%3Ab%2Cc%25d%0D%0Ae\u{FFFD}.js", src.display());
    let want = format!("::error file={file},line=1,col=11,title=guardmin syntax-error::syntax error: Unexpected token `%25`.");
    assert!(out.starts_with(&want), "expected\n{want}\ngot\n{out}");
    assert_clean("github annotations", &r.stdout);
}

// ---------------------------------------------------------------------------------------
