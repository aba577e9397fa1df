//! End-to-end checks of the `guardmin` binary: exit codes, outputs, comments, source maps,
//! and the size cost of keeping guards.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_guardmin"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run guardmin")
}

fn npm(rel: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/npm/node_modules")
        .join(rel);
    assert!(
        p.exists(),
        "{} is missing: run scripts/install-npm.sh first",
        p.display()
    );
    p
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn single_file_to_stdout_keeps_license_and_guards() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("a.js");
    std::fs::write(
        &f,
        "/*! keep me */\n// plain comment\nvar v = 1;\nfunction g() { if (typeof v !== 'undefined') return v; }\nmodule.exports = g;\n",
    )
    .unwrap();
    let o = run(&["minify", f.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.starts_with("/*! keep me */"), "{out}");
    assert!(!out.contains("plain comment"), "{out}");
    assert!(out.contains("typeof"), "guard lost: {out}");
    assert!(!out.contains("void 0"), "guard rewritten: {out}");
    let none = run(&[
        "minify",
        f.to_str().unwrap(),
        "--quiet",
        "--comments",
        "none",
    ]);
    assert!(!String::from_utf8(none.stdout).unwrap().contains("keep me"));
}

#[test]
fn dash_output_is_stdout() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("a.js");
    std::fs::write(&f, "var answer = 40 + 2;\nconsole.log(answer);\n").unwrap();
    let o = bin()
        .current_dir(d.path())
        .args(["minify", "a.js", "-o", "-", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8(o.stdout).unwrap().contains("console.log"));
    assert!(
        !d.path().join("-").exists(),
        "`-o -` wrote a file named `-`"
    );
}

#[test]
fn stdin_works() {
    let mut child = bin()
        .args(["minify", "-", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"var  a = 1 + 2;\nconsole.log(a);\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(o.stdout).unwrap().trim(),
        "var a=3;console.log(a);"
    );
}

#[test]
fn usage_errors_exit_2() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("a.js");
    std::fs::write(&f, "var a;").unwrap();
    // -o with a directory input.
    let o = run(&["minify", d.path().to_str().unwrap(), "-o", "x.js"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // Output equal to input without --in-place.
    let o = run(&["minify", f.to_str().unwrap(), "-o", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--in-place"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "var a;");
    // Unknown rule, missing path, bad define.
    assert_eq!(
        run(&["scan", f.to_str().unwrap(), "--ignore-rule", "nope"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(run(&["scan", "/nonexistent/x.js"]).status.code(), Some(2));
    let o = run(&["minify", f.to_str().unwrap(), "--define", "1x=2"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn syntax_error_names_file_line_column() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("bad.js");
    std::fs::write(&f, "var a = 1;\nvar b = (;\n").unwrap();
    let o = run(&[
        "minify",
        f.to_str().unwrap(),
        "-o",
        d.path().join("out.js").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("bad.js:2:10"), "{e}");
    assert!(e.contains("syntax error"), "{e}");
    assert!(!d.path().join("out.js").exists());
    // scan reports it as an error finding.
    let o = run(&["scan", f.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn in_place_replaces_atomically() {
    let d = tempfile::tempdir().unwrap();
    for i in 0..5 {
        std::fs::write(
            d.path().join(format!("f{i}.js")),
            format!("var  x{i} = {i};\nconsole.log(x{i});\n"),
        )
        .unwrap();
    }
    let o = run(&[
        "minify",
        d.path().to_str().unwrap(),
        "--in-place",
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let names: Vec<_> = std::fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 5, "stray files: {names:?}");
    assert_eq!(
        std::fs::read_to_string(d.path().join("f3.js")).unwrap(),
        "var x3=3;console.log(x3);\n"
    );
}

/// Builds a bundle with a source map using esbuild (from npm), minifies it with guardmin,
/// and maps a known output position back to the original source line.
#[test]
fn composed_source_map_points_at_original_source() {
    let esbuild = npm("esbuild");
    let d = tempfile::tempdir().unwrap();
    let src = d.path().join("app.js");
    std::fs::write(
        &src,
        "import { helper } from './lib.js';\n\nexport function main(input) {\n  const doubled = helper(input);\n  console.log('MARKER_ON_LINE_5', doubled);\n  return doubled;\n}\nmain(21);\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("lib.js"),
        "export function helper(x) {\n  return x * 2;\n}\n",
    )
    .unwrap();
    let bundle = d.path().join("bundle.js");
    let script = format!(
        "require({:?}).buildSync({{entryPoints:[{:?}],bundle:true,format:'iife',outfile:{:?},sourcemap:true,logLevel:'error'}})",
        esbuild.to_str().unwrap(),
        src.to_str().unwrap(),
        bundle.to_str().unwrap()
    );
    let o = Command::new("node")
        .arg("-e")
        .arg(&script)
        .output()
        .expect("node");
    assert!(o.status.success(), "esbuild failed: {}", stderr(&o));
    let min = d.path().join("out/bundle.min.js");
    let o = run(&[
        "minify",
        bundle.to_str().unwrap(),
        "-o",
        min.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let code = std::fs::read_to_string(&min).unwrap();
    assert!(
        code.trim_end()
            .ends_with("//# sourceMappingURL=bundle.min.js.map"),
        "{code}"
    );
    let map = swc_sourcemap::SourceMap::from_slice(
        &std::fs::read(d.path().join("out/bundle.min.js.map")).unwrap(),
    )
    .unwrap();
    // Find the marker string in the output and map it back.
    let (line, col) = code
        .lines()
        .enumerate()
        .find_map(|(i, l)| {
            l.find("\"MARKER_ON_LINE_5\"")
                .or_else(|| l.find("'MARKER_ON_LINE_5'"))
                .map(|c| (i as u32, c as u32))
        })
        .expect("marker in output");
    let tok = map.lookup_token(line, col).expect("a mapping");
    assert!(
        tok.get_source().unwrap().ends_with("app.js"),
        "source: {:?}",
        tok.get_source()
    );
    assert_eq!(tok.get_src_line() + 1, 5, "maps to the original line");
}

/// Keeping guards costs bytes only where guards are: over the tfjs bundle the output is
/// within 0.5% of plain swc_ecma_minifier with the same options and no guard pass.
#[test]
fn guards_cost_under_half_a_percent_on_tfjs() {
    use guardmin::minify::{minify, Options};
    use guardmin::source::Source;
    let p = npm("@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.js");
    let src = Source::read(&p, p.display().to_string()).unwrap();
    let ours = minify(&src, &Options::default()).unwrap().code.len() as f64;
    let plain = Options {
        preserve_guards: false,
        self_check: false,
        ..Options::default()
    };
    let baseline = minify(&src, &plain).unwrap().code.len() as f64;
    let ratio = ours / baseline;
    assert!(
        ratio <= 1.005,
        "guardmin {ours} bytes vs plain swc {baseline} ({ratio:.4})"
    );
    // And plain swc does rewrite the guard, which guardmin must not.
    let plain_code = minify(&src, &plain).unwrap().code;
    let ours_code = minify(&src, &Options::default()).unwrap().code;
    let scan = |code: &str| {
        let s = Source {
            name: "x.js".into(),
            path: None,
            text: code.to_string(),
            had_bom: false,
        };
        guardmin::scan::scan(&s, &Default::default()).unwrap()
    };
    assert!(scan(&plain_code)
        .iter()
        .any(|f| f.rule == "emscripten-script-dir"));
    // Only the informational note that the bundle holds threaded WASM glue remains.
    let ours = scan(&ours_code);
    assert!(
        ours.iter()
            .all(|f| f.severity == guardmin::diagnostic::Severity::Info),
        "{ours:?}"
    );
    assert!(ours.iter().any(|f| f.rule == "threaded-wasm"));
}

/// A second run with the cache gives byte-identical outputs; a corrupted entry is ignored
/// (recomputed), never emitted.
#[test]
fn cache_hits_are_identical_and_corruption_is_ignored() {
    let d = tempfile::tempdir().unwrap();
    let src = d.path().join("src");
    std::fs::create_dir(&src).unwrap();
    for i in 0..3 {
        std::fs::write(
            src.join(format!("m{i}.js")),
            format!("/*! lic {i} */\nfunction f{i}(a) {{ if (typeof a === 'undefined') return {i}; return a * {i}; }}\nmodule.exports = f{i};\n"),
        )
        .unwrap();
    }
    let cache = d.path().join("cache");
    let out = d.path().join("out");
    let go = || {
        let o = run(&[
            "minify",
            src.to_str().unwrap(),
            "--out-dir",
            out.to_str().unwrap(),
            "--cache-dir",
            cache.to_str().unwrap(),
            "-q",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        (0..3)
            .map(|i| std::fs::read(out.join(format!("m{i}.js"))).unwrap())
            .collect::<Vec<_>>()
    };
    let cold = go();
    let warm = go();
    assert_eq!(cold, warm);
    // Corrupt every entry: outputs must still be the right ones.
    let mut n = 0;
    for dir in std::fs::read_dir(&cache).unwrap() {
        for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            let p = f.unwrap().path();
            let mut b = std::fs::read(&p).unwrap();
            let i = b.len() - 5;
            b[i] ^= 0x20;
            std::fs::write(&p, b).unwrap();
            n += 1;
        }
    }
    assert_eq!(n, 3);
    std::fs::remove_dir_all(&out).unwrap();
    assert_eq!(go(), cold);
    // --no-cache works without a cache directory.
    let o = run(&[
        "minify",
        src.join("m1.js").to_str().unwrap(),
        "--no-cache",
        "-q",
    ]);
    assert_eq!(o.stdout, cold[1]);
}

/// Chains nested beyond what the optimizer handles in reasonable time are refused for that
/// file, with the position; the other files are still written.
#[test]
fn very_deep_expressions_are_refused_not_hung() {
    let d = tempfile::tempdir().unwrap();
    let src = d.path().join("src");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(
        src.join("deep.js"),
        format!("x={}c;\n", "a?b:".repeat(20_000)),
    )
    .unwrap();
    std::fs::write(src.join("ok.js"), "var  y = 1;\n").unwrap();
    let out = d.path().join("out");
    let o = run(&[
        "minify",
        src.to_str().unwrap(),
        "--out-dir",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("deep.js:1:") && e.contains("nested more than 10000 expressions"),
        "{e}"
    );
    assert!(out.join("ok.js").exists());
    assert!(!out.join("deep.js").exists());
}
