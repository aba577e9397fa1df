//! `guardmin fix` (issue 15) from the command line: where the output goes (stdout, `-o`,
//! `--out-dir`, `--in-place`), `--check`, exit codes, the JSON report, files it cannot repair
//! (left exactly as they were), and source maps (updated so that every unchanged token keeps
//! its original position: a map file in place, beside a new output with its `sources`
//! rebased, or inline).
//!
//! The real outputs are checked elsewhere: `tests/serialized.rs` (every serialized-corpus
//! output of six peer minifiers), `tests/tfjs.rs` (changed bytes of tfjs minified by terser,
//! swc and oxc), `tests/differential.rs` (the 11-bundle corpus in node's main realm),
//! `tests/e2e/` (tfjs in Chromium).

use std::path::Path;
use std::process::Output;

mod common;
use common::{guardmin, run, show};

/// A shipped function reading `_dir` through a guard terser rewrote, as text.
const BROKEN: &str = "var d=\"undefined\"!=typeof document&&document.currentScript?document.currentScript.src:void 0;\nfunction f(){var r=\"\";return void 0!==d&&d&&(r=d),postMessage(r),r}\nnew Worker(URL.createObjectURL(new Blob([\"(\"+f.toString()+\")()\"])));\n";
const REPAIRED: &str = "var d=\"undefined\"!=typeof document&&document.currentScript?document.currentScript.src:void 0;\nfunction f(){var r=\"\";return typeof d<\"u\"&&d&&(r=d),postMessage(r),r}\nnew Worker(URL.createObjectURL(new Blob([\"(\"+f.toString()+\")()\"])));\n";
/// The same read used as a value: no guard shape.
const UNREPAIRABLE: &str = "var d=1;\nfunction f(){postMessage(d*2)}\nnew Worker(URL.createObjectURL(new Blob([\"(\"+f.toString()+\")()\"])));\n";
const CLEAN: &str = "var d=1;\nfunction f(){postMessage(typeof d<\"u\"?d:0)}\nnew Worker(URL.createObjectURL(new Blob([\"(\"+f.toString()+\")()\"])));\n";

fn fix(args: &[&str]) -> Output {
    let mut c = guardmin();
    c.arg("fix").args(args);
    run(c, "guardmin")
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

fn read(p: impl AsRef<Path>) -> String {
    std::fs::read_to_string(p).unwrap()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn help_explains_the_repairs_and_exit_codes() {
    let o = fix(&["--help"]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    // Words, whatever the terminal width wrapped.
    let h = String::from_utf8_lossy(&o.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for want in [
        "typeof X<\"u\"",
        "null == X",
        "--check",
        "--in-place",
        "not repairable",
        "Exit codes",
        "source map",
    ] {
        assert!(h.contains(want), "--help lacks {want:?}:\n{h}");
    }
}

#[test]
fn one_file_to_stdout() {
    let d = common::tmp("guardmin-fix-");
    let f = write(d.path(), "a.js", BROKEN);
    let o = fix(&[&f]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), REPAIRED);
    assert!(
        err(&o).contains("a.js:2:39: repaired `void 0!==d` -> `typeof d<\"u\"`"),
        "{}",
        err(&o)
    );
    assert_eq!(read(&f), BROKEN, "the input is not touched");
    // A clean file comes out byte for byte.
    let c = write(d.path(), "c.js", CLEAN);
    let o = fix(&[&c, "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), CLEAN);
    assert_eq!(err(&o), "");
}

#[test]
fn check_only_reports() {
    let d = common::tmp("guardmin-fix-");
    let f = write(d.path(), "a.js", BROKEN);
    let o = fix(&["--check", &f]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(o.stdout.is_empty());
    assert!(err(&o).contains("would repair `void 0!==d`"), "{}", err(&o));
    assert_eq!(read(&f), BROKEN);
    let c = write(d.path(), "c.js", CLEAN);
    assert_eq!(fix(&["--check", &c]).status.code(), Some(0));
    // --check writes nothing, so it goes with no destination.
    let o = fix(&["--check", &f, "--in-place"]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
}

#[test]
fn in_place_and_out_dir() {
    let d = common::tmp("guardmin-fix-");
    let src = d.path().join("src");
    std::fs::create_dir_all(src.join("sub")).unwrap();
    let a = write(&src, "a.js", BROKEN);
    let c = write(&src.join("sub"), "c.js", CLEAN);
    let out = d.path().join("out");
    let o = fix(&[src.to_str().unwrap(), "--out-dir", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert_eq!(read(out.join("a.js")), REPAIRED);
    assert_eq!(read(out.join("sub/c.js")), CLEAN, "clean files are copied");
    assert_eq!(read(&a), BROKEN);

    let before = std::fs::metadata(&c).unwrap().modified().unwrap();
    let o = fix(&[src.to_str().unwrap(), "--in-place", "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert_eq!(read(&a), REPAIRED);
    assert_eq!(read(&c), CLEAN);
    assert_eq!(
        std::fs::metadata(&c).unwrap().modified().unwrap(),
        before,
        "a file with nothing to repair is not rewritten"
    );
    // Fixing again finds nothing.
    let o = fix(&[&a, "--in-place"]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(err(&o).contains("0 repaired"), "{}", err(&o));
}

#[test]
fn a_file_with_a_read_that_is_no_guard_is_left_as_it_was() {
    let d = common::tmp("guardmin-fix-");
    let u = write(d.path(), "u.js", UNREPAIRABLE);
    let out = d.path().join("u.out.js");
    let o = fix(&[&u, "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(!out.exists(), "nothing is written");
    let e = err(&o);
    assert!(
        e.contains("u.js:2:26: error[serialized-closure]: not repairable"),
        "{e}"
    );
    assert!(e.contains("left as it was"), "{e}");
    let o = fix(&[&u, "--in-place"]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert_eq!(read(&u), UNREPAIRABLE);
    // With a repairable file beside it, that one is repaired; the exit code still says 1.
    let a = write(d.path(), "a.js", BROKEN);
    let o = fix(&[&u, &a, "--in-place"]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert_eq!(read(&a), REPAIRED);
    assert_eq!(read(&u), UNREPAIRABLE);
}

#[test]
fn json_report() {
    let d = common::tmp("guardmin-fix-");
    let a = write(d.path(), "a.js", BROKEN);
    let u = write(d.path(), "u.js", UNREPAIRABLE);
    let c = write(d.path(), "c.js", CLEAN);
    let s = write(d.path(), "s.js", "var = ;\n");
    let o = fix(&["--check", "--format", "json", &a, &u, &c, &s]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{}", show(&o)));
    assert_eq!(v["version"], 1);
    assert_eq!(v["check"], true);
    let files = v["files"].as_array().unwrap();
    let by = |name: &str| {
        files
            .iter()
            .find(|f| f["file"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("{name} missing: {v}"))
    };
    let r = &by("a.js")["repairs"][0];
    assert_eq!(by("a.js")["status"], "repaired");
    assert_eq!(
        (r["line"].as_u64(), r["column"].as_u64()),
        (Some(2), Some(39))
    );
    assert_eq!(r["before"], "void 0!==d");
    assert_eq!(r["after"], "typeof d<\"u\"");
    assert_eq!(r["rule"], "emscripten-script-dir");
    assert_eq!(by("u.js")["status"], "not-repairable");
    assert_eq!(by("u.js")["not_repairable"][0]["line"], 2);
    assert_eq!(by("c.js")["status"], "unchanged");
    assert_eq!(by("s.js")["status"], "failed");
    assert!(by("s.js")["error"]["message"]
        .as_str()
        .unwrap()
        .contains("syntax error"));
    assert_eq!(v["summary"]["reads"], 1);
    // JSON goes to stdout, so the code cannot.
    assert_eq!(fix(&["--format", "json", &a]).status.code(), Some(2));
}

#[test]
fn usage_errors() {
    let d = common::tmp("guardmin-fix-");
    let a = write(d.path(), "a.js", BROKEN);
    let c = write(d.path(), "c.js", CLEAN);
    for args in [
        vec![a.as_str(), c.as_str()],
        vec![a.as_str(), "-o", c.as_str(), c.as_str()],
        vec![a.as_str(), "-o", a.as_str()],
        vec!["-", "--in-place"],
        vec![d.path().join("none.js").to_str().unwrap()],
    ] {
        let o = fix(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", show(&o));
        assert!(err(&o).starts_with("guardmin fix: "), "{}", err(&o));
    }
}

// ------------------------------------------------------------------------------------------
// Source maps

/// A mapping: `(generated line, column) -> (original line, column, name)`, all 0-based.
type Token = ((u32, u32), (u32, u32, Option<String>));

/// One token per name, from the map's JSON.
fn tokens(map: &str) -> Vec<Token> {
    let m = swc_sourcemap::SourceMap::from_slice(map.as_bytes()).unwrap();
    m.tokens()
        .map(|t| {
            (
                (t.get_dst_line(), t.get_dst_col()),
                (
                    t.get_src_line(),
                    t.get_src_col(),
                    t.get_name().map(|n| n.to_string()),
                ),
            )
        })
        .collect()
}

/// A map for [`BROKEN`] with a token at every identifier and at `void`, each pointing at
/// a made-up original position, plus a second source.
fn broken_map() -> String {
    let mut b = swc_sourcemap::SourceMapBuilder::new(Some("a.js".into()));
    let src = b.add_source("../src/glue.js".into());
    b.set_source_contents(src, Some("original".into()));
    for (line, text) in BROKEN.lines().enumerate() {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            if c.is_ascii_alphabetic() {
                let start = i;
                while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                    i += 1;
                }
                let word = &text[start..i];
                let name = if word == "d" {
                    Some("_scriptDir")
                } else {
                    None
                };
                b.add(
                    line as u32,
                    start as u32,
                    line as u32 + 10,
                    start as u32 * 2,
                    Some("../src/glue.js".into()),
                    name.map(Into::into),
                    false,
                );
            } else {
                i += 1;
            }
        }
    }
    let mut out = Vec::new();
    b.into_sourcemap().to_writer(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The tokens of `before` after the repaired `void 0!==d` (0-based columns 29..39 of line 1)
/// moved by 2 columns, the others where they were; inside it only `void` (kept at its start)
/// and `d` (moved to 36) are left.
fn assert_moved(before: &str, after: &str) {
    let (old, new) = (tokens(before), tokens(after));
    let want: Vec<_> = old
        .iter()
        .filter_map(|&((l, c), ref src)| {
            let c = if l != 1 || c <= 29 {
                c
            } else if c == 38 {
                36
            } else if c < 39 {
                return None;
            } else {
                c + 2
            };
            Some(((l, c), src.clone()))
        })
        .collect();
    assert_eq!(new, want);
    // The repaired read still names `_scriptDir`.
    assert!(new.contains(&((1, 36), (11, 76, Some("_scriptDir".into())))));
}

#[test]
fn a_map_file_is_updated_in_place() {
    let d = common::tmp("guardmin-fix-");
    let map = broken_map();
    let code = format!("{BROKEN}//# sourceMappingURL=a.js.map\n");
    let a = write(d.path(), "a.js", &code);
    let m = write(d.path(), "a.js.map", &map);
    let o = fix(&[&a, "--in-place", "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert_eq!(
        read(&a),
        format!("{REPAIRED}//# sourceMappingURL=a.js.map\n")
    );
    let new = read(&m);
    assert_moved(&map, &new);
    // Only `mappings` changed: the rest of the map is kept as it was written.
    let strip = |j: &str| {
        let mut v: serde_json::Value = serde_json::from_str(j).unwrap();
        v["mappings"] = serde_json::Value::Null;
        v
    };
    assert_eq!(strip(&map), strip(&new));
}

#[test]
fn a_map_file_goes_beside_a_new_output() {
    let d = common::tmp("guardmin-fix-");
    let map = broken_map();
    let a = write(
        d.path(),
        "a.js",
        &format!("{BROKEN}//# sourceMappingURL=a.js.map\n"),
    );
    write(d.path(), "a.js.map", &map);
    let out = d.path().join("dist/b.js");
    let o = fix(&[&a, "-o", out.to_str().unwrap(), "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert_eq!(
        read(&out),
        format!("{REPAIRED}//# sourceMappingURL=b.js.map\n")
    );
    let new = read(d.path().join("dist/b.js.map"));
    assert_moved(&map, &new);
    let v: serde_json::Value = serde_json::from_str(&new).unwrap();
    assert_eq!(v["sources"][0], "../../src/glue.js", "rebased: {v}");
    assert_eq!(
        read(d.path().join("a.js.map")),
        map,
        "the input's map is not touched"
    );
}

#[test]
fn an_inline_map_stays_inline() {
    use base64::Engine;
    let d = common::tmp("guardmin-fix-");
    let map = broken_map();
    let url = format!(
        "data:application/json;charset=utf-8;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&map)
    );
    let a = write(
        d.path(),
        "a.js",
        &format!("{BROKEN}//# sourceMappingURL={url}\n"),
    );
    let o = fix(&[&a, "--in-place", "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let text = read(&a);
    let (code, comment) = text.split_at(REPAIRED.len());
    assert_eq!(code, REPAIRED);
    let b64 = comment
        .trim_end()
        .strip_prefix("//# sourceMappingURL=data:application/json;charset=utf-8;base64,")
        .unwrap();
    let new = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    assert_moved(&map, &String::from_utf8(new).unwrap());
}
