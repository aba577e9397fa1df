//! Hardening (issue 8): bad input, faults, control characters in reports, and writes that
//! must stay inside `--out-dir`. Every test runs the real binary, with `--no-cache`.
//!
//! - Bad input: each case in a directory beside a good file; the exact outcome is asserted
//!   (error naming file, line and column; the good file still written; exit code; nothing
//!   half-written, no temporary files left).
//! - Deep nesting: 100,000 (and 1,000,000) levels of each kind of nesting must neither kill
//!   the process nor hang it: the file is minified or reported, the other file written.
//! - Faults: read-only and full file systems (tmpfs mounts, so these tests need root, as CI
//!   has; every mount is undone by a guard even when the test fails), SIGKILL at random
//!   moments during `--in-place`, inputs rewritten during a run, symbolic links.
//! - Reports: no raw control character from a file reaches the terminal; `--format github`
//!   escapes what GitHub requires.
//! - No write outside `--out-dir`.
//!
//! Regression inputs found by fuzzing live in `fixtures/hardening/` and are checked by
//! `fuzz_regressions_*` below.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// A file that must be written whatever happens to the files beside it.
const GOOD: &str =
    "var  greeting = typeof window !== 'undefined' ? 'browser' : 'node';\nconsole.log(greeting);\n";
const GOOD_MIN: &str =
    "var greeting=\"u\">typeof window?\"browser\":\"node\";console.log(greeting);\n";

fn guardmin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_guardmin"));
    c.env_remove("NO_COLOR").stdin(Stdio::null());
    c
}

/// `guardmin minify --no-cache`: a test never reads or writes a cache.
fn minify_cmd() -> Command {
    let mut c = guardmin();
    c.args(["minify", "--no-cache"]);
    c
}

fn scan_cmd() -> Command {
    let mut c = guardmin();
    c.arg("scan");
    c
}

/// What a run did.
struct Ran {
    status: Option<ExitStatus>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    elapsed: Duration,
}

impl Ran {
    fn timed_out(&self) -> bool {
        self.status.is_none()
    }
    fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }
    fn signal(&self) -> Option<i32> {
        self.status.and_then(|s| s.signal())
    }
    fn err(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
    fn out(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    /// For assertion messages: how it ended and the end of stderr, control characters shown.
    fn show(&self) -> String {
        let how = match (self.status, self.signal()) {
            (None, _) => "still running when the time limit killed it".to_string(),
            (Some(_), Some(sig)) => format!("killed by signal {sig}"),
            (Some(s), None) => format!("exit code {:?}", s.code()),
        };
        let tail = |b: &[u8]| {
            let s = String::from_utf8_lossy(b);
            let n = s.chars().count();
            let t: String = s.chars().skip(n.saturating_sub(1500)).collect();
            t.escape_debug().to_string().replace("\\n", "\n")
        };
        format!(
            "{how} after {:.1}s\n--- stderr (end)\n{}\n--- stdout (end)\n{}",
            self.elapsed.as_secs_f64(),
            tail(&self.stderr),
            tail(&self.stdout)
        )
    }
}

/// Runs `cmd`, killing it (SIGKILL, this child only) when it runs longer than `limit`.
fn run_limited(mut cmd: Command, limit: Duration) -> Ran {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().expect("cannot start guardmin");
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = so.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = se.read_to_end(&mut v);
        v
    });
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait for guardmin") {
            break Some(s);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = start.elapsed();
    Ran {
        status,
        stdout: t_out.join().unwrap(),
        stderr: t_err.join().unwrap(),
        elapsed,
    }
}

fn run(cmd: Command) -> Ran {
    let r = run_limited(cmd, Duration::from_secs(180));
    assert!(!r.timed_out(), "guardmin hung: {}", r.show());
    r
}

fn write(p: &Path, data: impl AsRef<[u8]>) {
    if let Some(dir) = p.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(p, data).unwrap();
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// Every path under `dir` (symbolic links listed, not followed).
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd {
            let p = e.unwrap().path();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if meta.is_dir() {
                todo.push(p.clone());
            }
            out.push(p);
        }
    }
    out.sort();
    out
}

fn temp_files(dir: &Path) -> Vec<PathBuf> {
    walk(dir)
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".guardmin-tmp"))
        .collect()
}

fn assert_no_temp_files(dir: &Path) {
    let t = temp_files(dir);
    assert!(t.is_empty(), "temporary files left behind: {t:?}");
}

/// The state of a tree, to prove what a run did and did not touch.
#[derive(Debug, PartialEq, Eq)]
enum Node {
    Dir,
    File(Vec<u8>),
    Link(PathBuf),
}

fn snapshot(root: &Path) -> BTreeMap<PathBuf, Node> {
    walk(root)
        .into_iter()
        .map(|p| {
            let meta = std::fs::symlink_metadata(&p).unwrap();
            let node = if meta.file_type().is_symlink() {
                Node::Link(std::fs::read_link(&p).unwrap())
            } else if meta.is_dir() {
                Node::Dir
            } else {
                Node::File(read(&p))
            };
            (p.strip_prefix(root).unwrap().to_path_buf(), node)
        })
        .collect()
}

/// Whether `code` parses as JavaScript (guardmin's own parser, on a big stack so deep
/// outputs do not overflow the test thread). `Err` is the rendered parse error.
fn parse_js(code: String) -> Result<(), String> {
    std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(move || {
            let src = guardmin::source::Source {
                name: "output.js".into(),
                path: None,
                text: code,
                had_bom: false,
            };
            swc_common::GLOBALS.set(&Default::default(), || {
                guardmin::parse::parse(&src, &src.text, guardmin::parse::ParseMode::Auto)
                    .map(|_| ())
                    .map_err(|e| e.render())
            })
        })
        .unwrap()
        .join()
        .expect("the parser panicked")
}

/// Whether stderr has an `error: PATH:LINE:COL: ...` line for `path`.
fn has_positioned_error(stderr: &str, path: &Path) -> bool {
    let prefix = format!("error: {}:", path.display());
    stderr.lines().any(|l| {
        l.strip_prefix(&prefix).is_some_and(|rest| {
            let mut it = rest.splitn(3, ':');
            let line = it.next().and_then(|x| x.parse::<u32>().ok());
            let col = it.next().and_then(|x| x.parse::<u32>().ok());
            line.is_some_and(|l| l >= 1) && col.is_some_and(|c| c >= 1) && it.next().is_some()
        })
    })
}

/// A realistic module of about `len` bytes: a license banner, an IIFE, functions with
/// loops, strings and typeof guards.
fn module_code(i: usize, len: usize) -> String {
    let mut s = format!("/*! module {i} | MIT License */\n(function (root) {{\n  'use strict';\n");
    let mut k = 0;
    while s.len() < len {
        s.push_str(&format!(
            "  function helper_{i}_{k}(items, options) {{\n    var total = 0;\n    for (var j = 0; j < items.length; j++) {{\n      total += typeof items[j] === 'number' ? items[j] * {k} : 0;\n    }}\n    if (typeof options !== 'undefined' && options.log) {{\n      console.log('helper {i} {k}', total);\n    }}\n    return total + \"-{i}-{k}\";\n  }}\n  root.helper_{i}_{k} = helper_{i}_{k};\n"
        ));
        k += 1;
    }
    s.push_str("})(typeof globalThis !== 'undefined' ? globalThis : this);\n");
    s
}

/// guardmin's output for each file (run once, with `--out-dir`, on a roomy disk).
fn expected_outputs(files: &[(String, Vec<u8>)]) -> BTreeMap<String, Vec<u8>> {
    let d = tempfile::tempdir().unwrap();
    let (src, out) = (d.path().join("in"), d.path().join("out"));
    for (name, bytes) in files {
        write(&src.join(name), bytes);
    }
    let mut c = minify_cmd();
    c.arg(&src).arg("--out-dir").arg(&out).arg("-q");
    let r = run(c);
    assert_eq!(r.code(), Some(0), "{}", r.show());
    files
        .iter()
        .map(|(name, _)| (name.clone(), read(&out.join(name))))
        .collect()
}

fn minify_text(code: &str) -> Vec<u8> {
    let files = [("one.js".to_string(), code.as_bytes().to_vec())];
    expected_outputs(&files).remove("one.js").unwrap()
}

/// A small xorshift generator: the tests need a few random numbers, not a crate.
struct Rng(u64);

impl Rng {
    fn seeded(var: &str) -> Rng {
        let seed = std::env::var(var)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
            })
            | 1;
        eprintln!("{var}={seed}");
        Rng(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

// ---------------------------------------------------------------------------------------
// Mounts (root only)
// ---------------------------------------------------------------------------------------

fn require_root() {
    let o = Command::new("id").arg("-u").output().expect("id -u");
    let uid = String::from_utf8_lossy(&o.stdout).trim().to_string();
    assert_eq!(
        uid, "0",
        "this test mounts small tmpfs and read-only file systems to simulate full and read-only disks, so it must run as root (CI does); running as uid {uid}"
    );
}

fn sh(prog: &str, args: &[&std::ffi::OsStr]) {
    let o = Command::new(prog).args(args).output().expect(prog);
    assert!(
        o.status.success(),
        "{prog} {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A mount that is undone when dropped, even when the test panics. Declare it after the
/// temporary directory it lives in, so it is dropped (unmounted) first.
struct Mount {
    dir: PathBuf,
}

impl Mount {
    fn tmpfs(dir: &Path, size: &str) -> Mount {
        require_root();
        std::fs::create_dir_all(dir).unwrap();
        let opt = format!("size={size}");
        sh(
            "mount",
            &[
                "-t".as_ref(),
                "tmpfs".as_ref(),
                "-o".as_ref(),
                opt.as_ref(),
                "tmpfs".as_ref(),
                dir.as_os_str(),
            ],
        );
        Mount {
            dir: dir.to_path_buf(),
        }
    }

    /// `dir` shows `src`, read-only.
    fn bind_read_only(src: &Path, dir: &Path) -> Mount {
        require_root();
        std::fs::create_dir_all(dir).unwrap();
        sh(
            "mount",
            &["--bind".as_ref(), src.as_os_str(), dir.as_os_str()],
        );
        let m = Mount {
            dir: dir.to_path_buf(),
        };
        sh(
            "mount",
            &["-o".as_ref(), "remount,bind,ro".as_ref(), dir.as_os_str()],
        );
        m
    }

    fn remount_read_only(&self) {
        sh(
            "mount",
            &["-o".as_ref(), "remount,ro".as_ref(), self.dir.as_os_str()],
        );
    }

    /// Bytes still free.
    fn available(&self) -> u64 {
        let o = Command::new("df")
            .args(["--output=avail", "-B1"])
            .arg(&self.dir)
            .output()
            .expect("df");
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .nth(1)
            .and_then(|l| l.trim().parse().ok())
            .expect("df output")
    }

    /// Fills the file system until about `leave` bytes are free.
    fn fill_leaving(&self, leave: u64) {
        let avail = self.available();
        if avail > leave {
            let filler = self.dir.join("filler.bin");
            let _ = std::fs::write(&filler, vec![0u8; (avail - leave) as usize]);
        }
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let ok = Command::new("umount")
            .arg(&self.dir)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
        }
    }
}

// ---------------------------------------------------------------------------------------
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
// 2. Faults
// ---------------------------------------------------------------------------------------

fn some_modules(n: usize, base: usize) -> Vec<(String, Vec<u8>)> {
    (0..n)
        .map(|i| {
            (
                format!("m{i:03}.js"),
                module_code(i, base + (i * 3_797) % (base / 2 + 1)).into_bytes(),
            )
        })
        .collect()
}

#[test]
fn read_only_out_dir_fails_each_file_cleanly() {
    let d = tempfile::tempdir().unwrap();
    let src = d.path().join("in");
    let files = some_modules(4, 4_000);
    for (n, b) in &files {
        write(&src.join(n), b);
    }
    let ro = d.path().join("ro");
    let m = Mount::tmpfs(&ro, "1m");
    std::fs::create_dir(ro.join("existing")).unwrap();
    m.remount_read_only();
    for out in [ro.join("out"), ro.join("existing")] {
        let mut c = minify_cmd();
        c.arg(&src).arg("--out-dir").arg(&out);
        let r = run(c);
        assert_eq!(r.code(), Some(1), "{}", r.show());
        for (n, _) in &files {
            let want = format!(
                "error: {}: cannot write output {}",
                src.join(n).display(),
                out.join(n).display()
            );
            assert!(
                r.err()
                    .lines()
                    .any(|l| l.starts_with(&want) && l.contains("Read-only file system")),
                "expected {want}...\n{}",
                r.show()
            );
        }
        assert!(r.err().contains("4 files failed"), "{}", r.show());
    }
    assert_eq!(walk(&ro), vec![ro.join("existing")]);
    for (n, b) in &files {
        assert_eq!(&read(&src.join(n)), b);
    }
}

#[test]
fn in_place_on_a_read_only_tree_changes_nothing() {
    let d = tempfile::tempdir().unwrap();
    let src = d.path().join("src");
    let files = some_modules(3, 3_000);
    for (n, b) in &files {
        write(&src.join(n), b);
    }
    let view = d.path().join("view");
    let _m = Mount::bind_read_only(&src, &view);
    let before = snapshot(&src);
    let mut c = minify_cmd();
    c.arg(&view).arg("--in-place");
    let r = run(c);
    assert_eq!(r.code(), Some(1), "{}", r.show());
    for (n, _) in &files {
        assert!(
            r.err().contains(&format!(
                "error: {}: cannot write output",
                view.join(n).display()
            )),
            "{}",
            r.show()
        );
    }
    assert_eq!(snapshot(&src), before);
}

/// `--in-place` replaces the file with a new one: it must keep the old one's mode, owner and
/// group (CI often runs as root over a checkout owned by another user; the files must not
/// end up owned by root).
#[test]
fn in_place_keeps_mode_owner_and_group() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    require_root();
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("owned.js");
    write(&f, GOOD);
    std::os::unix::fs::chown(&f, Some(1234), Some(2345)).unwrap();
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o640)).unwrap();
    let mut c = minify_cmd();
    c.arg(&f).args(["--in-place", "-q"]);
    let r = run(c);
    assert_eq!(r.code(), Some(0), "{}", r.show());
    assert_eq!(read(&f), GOOD_MIN.as_bytes());
    let m = std::fs::metadata(&f).unwrap();
    assert_eq!(m.mode() & 0o7777, 0o640, "mode");
    assert_eq!((m.uid(), m.gid()), (1234, 2345), "owner and group");
}

/// The output folder's disk fills up: every output is complete or absent, never partial;
/// no temporary file is left; the failures are named.
#[test]
fn disk_full_with_out_dir_leaves_only_complete_outputs() {
    let d = tempfile::tempdir().unwrap();
    let src = d.path().join("in");
    let files = some_modules(16, 24_000);
    for (n, b) in &files {
        write(&src.join(n), b);
    }
    let expected = expected_outputs(&files);
    let total: usize = expected.values().map(Vec::len).sum();
    let out = d.path().join("small");
    let _m = Mount::tmpfs(&out, "64k");
    assert!(
        total > 2 * 64 * 1024,
        "the outputs must not fit ({total} bytes)"
    );
    let mut c = minify_cmd();
    c.arg(&src).arg("--out-dir").arg(&out);
    let r = run(c);
    assert_eq!(r.code(), Some(1), "{}", r.show());
    let mut absent = 0;
    for (n, _) in &files {
        match std::fs::read(out.join(n)) {
            Ok(b) => assert!(
                b == expected[n],
                "{n} is incomplete ({} of {} bytes)",
                b.len(),
                expected[n].len()
            ),
            Err(_) => {
                absent += 1;
                assert!(
                    r.err().lines().any(|l| l.starts_with(&format!(
                        "error: {}: cannot write output",
                        src.join(n).display()
                    )) && l.contains("No space left on device")),
                    "{n} not written and not reported: {}",
                    r.show()
                );
            }
        }
    }
    assert!(absent > 0);
    assert!(
        r.err().contains(&format!("{absent} files failed")),
        "{}",
        r.show()
    );
    assert_no_temp_files(&out);
}

/// `--in-place` on a full disk: every file is its original or its complete minified form.
#[test]
fn disk_full_with_in_place_keeps_originals() {
    let d = tempfile::tempdir().unwrap();
    let files = some_modules(8, 40_000);
    let expected = expected_outputs(&files);
    let mnt = d.path().join("full");
    let m = Mount::tmpfs(&mnt, "1m");
    let src = mnt.join("src");
    for (n, b) in &files {
        write(&src.join(n), b);
    }
    let smallest = expected.values().map(Vec::len).min().unwrap() as u64;
    m.fill_leaving(smallest / 2);
    let mut c = minify_cmd();
    c.arg(&src).args(["--in-place", "-j", "1"]);
    let r = run(c);
    assert_eq!(r.code(), Some(1), "{}", r.show());
    for (n, orig) in &files {
        let now = read(&src.join(n));
        assert!(
            &now == orig || now == expected[n],
            "{n} is neither its original nor its minified form"
        );
        if &now == orig {
            assert!(
                r.err().contains(&format!(
                    "error: {}: cannot write output",
                    src.join(n).display()
                )),
                "{n} unchanged and not reported: {}",
                r.show()
            );
        }
    }
    assert_no_temp_files(&mnt);
}

/// An input with a source map, `--in-place`, and a disk with room for the new map but not
/// for the new code: the code stays the original, so the map must stay the original's too
/// (not be replaced by the map of an output that was never written).
#[test]
fn disk_full_with_in_place_keeps_code_and_map_consistent() {
    let d = tempfile::tempdir().unwrap();
    let mnt = d.path().join("full");
    let m = Mount::tmpfs(&mnt, "256k");
    let code = format!(
        "var  message = \"{}\";\nconsole.log(message);\n//# sourceMappingURL=big.js.map\n",
        "x".repeat(150_000)
    );
    let map = r#"{"version":3,"file":"big.js","sources":["src/big.ts"],"sourcesContent":["const message: string = 'x';\nconsole.log(message);\n"],"names":[],"mappings":"AAAA;AACA"}"#;
    write(&mnt.join("big.js"), &code);
    write(&mnt.join("big.js.map"), map);
    // Room for a new map (a page or two), none for a second copy of the code.
    assert!(
        m.available() < 150_000 && m.available() > 16_384,
        "{}",
        m.available()
    );
    let mut c = minify_cmd();
    c.arg(mnt.join("big.js")).arg("--in-place");
    let r = run(c);
    assert_eq!(r.code(), Some(1), "{}", r.show());
    assert!(r.err().contains("No space left on device"), "{}", r.show());
    assert_eq!(
        read(&mnt.join("big.js")),
        code.as_bytes(),
        "the code changed"
    );
    assert_eq!(
        String::from_utf8_lossy(&read(&mnt.join("big.js.map"))),
        map,
        "big.js is still the original but its source map was replaced by the map of the minified output that could not be written"
    );
    assert_no_temp_files(&mnt);
}

/// Same with `--out-dir`: no map without its code.
#[test]
fn disk_full_with_out_dir_leaves_no_orphan_map() {
    let d = tempfile::tempdir().unwrap();
    let src = d.path().join("in");
    write(
        &src.join("big.js"),
        format!(
            "var  message = \"{}\";\nconsole.log(message);\n//# sourceMappingURL=big.js.map\n",
            "x".repeat(150_000)
        ),
    );
    write(
        &src.join("big.js.map"),
        r#"{"version":3,"file":"big.js","sources":["src/big.ts"],"names":[],"mappings":"AAAA;AACA"}"#,
    );
    let out = d.path().join("small");
    let _m = Mount::tmpfs(&out, "64k");
    let mut c = minify_cmd();
    c.arg(&src).arg("--out-dir").arg(&out);
    let r = run(c);
    assert_eq!(r.code(), Some(1), "{}", r.show());
    assert!(!out.join("big.js").exists());
    assert_eq!(
        walk(&out),
        Vec::<PathBuf>::new(),
        "a source map was left without the code it maps"
    );
}

/// SIGKILL at random moments during `--in-place` over many files, 20 times: every file is
/// then byte-identical to its original or to its complete minified form. Only guardmin's
/// own temporary files (`.NAME.XXXXXX.guardmin-tmp`, which a killed process cannot remove)
/// may be left beside them. `GUARDMIN_KILL_SEED=N` replays a run.
#[test]
fn sigkill_during_in_place_leaves_every_file_whole() {
    let files = some_modules(80, 16_000);
    let expected = expected_outputs(&files);
    let d = tempfile::tempdir().unwrap();
    let work = d.path().join("work");
    let restore = || {
        let _ = std::fs::remove_dir_all(&work);
        for (n, b) in &files {
            write(&work.join(n), b);
        }
    };
    // One full run: --in-place gives exactly what --out-dir gave, and how long it takes.
    restore();
    let mut c = minify_cmd();
    c.arg(&work).args(["--in-place", "-q"]);
    let r = run(c);
    assert_eq!(r.code(), Some(0), "{}", r.show());
    let full = r.elapsed;
    for (n, _) in &files {
        assert!(
            read(&work.join(n)) == expected[n],
            "{n}: --in-place differs from --out-dir"
        );
    }
    let mut rng = Rng::seeded("GUARDMIN_KILL_SEED");
    let (mut mixed, mut leftovers) = (0, 0);
    for round in 0..20 {
        restore();
        let delay = full.mul_f64(rng.unit() * 1.1);
        let mut child = minify_cmd()
            .arg(&work)
            .args(["--in-place", "-q"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        child.kill().ok(); // SIGKILL
        child.wait().unwrap();
        let (mut orig, mut min) = (0, 0);
        for (n, b) in &files {
            let now = read(&work.join(n));
            if &now == b {
                orig += 1;
            } else if now == expected[n] {
                min += 1;
            } else {
                panic!(
                    "round {round}, killed after {delay:?}: {n} is neither its original ({} bytes) nor its minified form ({} bytes) but {} bytes",
                    b.len(),
                    expected[n].len(),
                    now.len()
                );
            }
        }
        for p in walk(&work) {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if files.iter().any(|(n, _)| *n == name) {
                continue;
            }
            assert!(
                name.starts_with('.') && name.ends_with(".guardmin-tmp"),
                "round {round}: unexpected file {name}"
            );
            leftovers += 1;
        }
        if orig > 0 && min > 0 {
            mixed += 1;
        }
    }
    eprintln!(
        "SIGKILL: full run {full:?}; {mixed} of 20 kills left a mix of original and minified files; {leftovers} temporary files left in all"
    );
    assert!(
        mixed >= 3,
        "only {mixed} kills landed mid-run: the test did not test much"
    );
}

/// One input is rewritten again and again while guardmin runs over the directory (plain
/// writes, a statement at a time, as a build tool in watch mode would). Its output must be
/// the minified form of one complete version, or the file must be reported; never the
/// minified form of a half-written file.
#[test]
fn input_rewritten_during_the_run_is_never_minified_half_written() {
    let version = |tag: &str| -> Vec<String> {
        (0..60_000)
            .map(|k| format!("var v{k} = \"{tag}{k}\";\n"))
            .collect()
    };
    let (a, b) = (version("A"), version("B"));
    let (min_a, min_b) = (minify_text(&a.concat()), minify_text(&b.concat()));
    let d = tempfile::tempdir().unwrap();
    let (src, out) = (d.path().join("in"), d.path().join("out"));
    let others = some_modules(20, 8_000);
    let expected = expected_outputs(&others);
    for (n, bytes) in &others {
        write(&src.join(n), bytes);
    }
    let moving = src.join("moving.js");
    write(&moving, a.concat());
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (stop, moving) = (stop.clone(), moving.clone());
        std::thread::spawn(move || {
            let mut rounds = 0;
            while !stop.load(Ordering::Relaxed) {
                let lines = if rounds % 2 == 0 { &b } else { &a };
                let mut f = std::fs::File::create(&moving).unwrap();
                for l in lines {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    f.write_all(l.as_bytes()).unwrap();
                }
                rounds += 1;
            }
            rounds
        })
    };
    std::thread::sleep(Duration::from_millis(30));
    let mut c = minify_cmd();
    c.arg(&src).arg("--out-dir").arg(&out).args(["-j", "2"]);
    let r = run(c);
    stop.store(true, Ordering::Relaxed);
    let rounds = writer.join().unwrap();
    assert!(rounds > 0);
    for (n, _) in &others {
        assert!(read(&out.join(n)) == expected[n], "{n}: {}", r.show());
    }
    match std::fs::read(out.join("moving.js")) {
        Ok(got) => assert!(
            got == min_a || got == min_b,
            "moving.js was minified from a version that never existed complete (a torn read): {} bytes out, {} of the 60000 declarations, where complete versions give {} bytes; exit {:?}",
            got.len(),
            String::from_utf8_lossy(&got).matches(",v").count() + 1,
            min_a.len(),
            r.code()
        ),
        Err(_) => {
            assert_eq!(r.code(), Some(1), "{}", r.show());
            assert!(
                r.err().contains(&format!("error: {}", moving.display())),
                "moving.js not written and not reported: {}",
                r.show()
            );
        }
    }
}

/// `--in-place` while someone else saves a new version of the file: the new version must not
/// be replaced by the minified form of the old one (lose nothing). guardmin can notice that
/// the file changed since it read it, and leave it alone and say so (or minify it again).
#[test]
fn in_place_does_not_overwrite_an_edit_made_during_the_run() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("app.js");
    let old = module_code(0, 1_500_000);
    write(&f, &old);
    let edited =
        "var  edited = 'saved by someone else while guardmin ran';\nconsole.log(edited);\n";
    let mut c = minify_cmd();
    c.arg(&f).arg("--in-place");
    let start = Instant::now();
    let child = std::thread::spawn(move || run(c));
    std::thread::sleep(Duration::from_millis(700));
    // An editor's save: a new file renamed over the old one.
    let tmp = d.path().join(".app.js.swp");
    write(&tmp, edited);
    std::fs::rename(&tmp, &f).unwrap();
    let saved_at = start.elapsed();
    let r = child.join().unwrap();
    assert!(
        r.elapsed > saved_at,
        "guardmin finished before the edit ({:?}): make the file bigger",
        r.elapsed
    );
    let now = read(&f);
    assert!(
        now == edited.as_bytes() || now == minify_text(edited),
        "the edit saved during the run was overwritten with the minified old version ({} bytes); exit {:?}\n{}",
        now.len(),
        r.code(),
        r.show()
    );
    if now == edited.as_bytes() {
        // Left alone: that must be said, and the run must fail.
        assert_eq!(r.code(), Some(1), "{}", r.show());
        assert!(
            r.err().contains(&format!("error: {}: ", f.display())),
            "the file was left alone without saying so: {}",
            r.show()
        );
    }
}

/// Symbolic links inside a walked tree are not followed (a loop, a link to itself, links to
/// a folder and a file outside the tree), and each is named on stderr, by minify and by scan.
fn tree_with_links(root: &Path) -> (PathBuf, PathBuf) {
    let src = root.join("in");
    let outside = root.join("outside");
    write(&src.join("a.js"), GOOD);
    write(&src.join("sub/b.js"), GOOD);
    write(&outside.join("c.js"), "var  outside = 1;\n");
    std::os::unix::fs::symlink("..", src.join("sub/loop")).unwrap();
    std::os::unix::fs::symlink("self.js", src.join("self.js")).unwrap();
    std::os::unix::fs::symlink(&outside, src.join("outside-dir")).unwrap();
    std::os::unix::fs::symlink(outside.join("c.js"), src.join("outside-file.js")).unwrap();
    (src, outside)
}

const LINKS: [&str; 4] = ["sub/loop", "self.js", "outside-dir", "outside-file.js"];

#[test]
fn symlinks_in_walked_trees_are_skipped_and_named_by_minify() {
    let d = tempfile::tempdir().unwrap();
    let (src, outside) = tree_with_links(d.path());
    let out = d.path().join("out");
    let before_outside = snapshot(&outside);
    let mut c = minify_cmd();
    c.arg(&src).arg("--out-dir").arg(&out);
    let r = run(c);
    assert_eq!(r.code(), Some(0), "{}", r.show());
    assert_eq!(
        walk(&out),
        vec![out.join("a.js"), out.join("sub"), out.join("sub/b.js")]
    );
    for l in LINKS {
        assert!(
            r.err()
                .contains(&format!("skipped symbolic link {}", src.join(l).display())),
            "{l} not reported: {}",
            r.show()
        );
    }
    // --in-place does not write through them either.
    let mut c = minify_cmd();
    c.arg(&src).args(["--in-place", "-q"]);
    let r = run(c);
    assert_eq!(r.code(), Some(0), "{}", r.show());
    assert_eq!(snapshot(&outside), before_outside);
    for l in LINKS {
        assert!(std::fs::symlink_metadata(src.join(l))
            .unwrap()
            .file_type()
            .is_symlink());
    }
}

#[test]
fn symlinks_in_walked_trees_are_skipped_and_named_by_scan() {
    let d = tempfile::tempdir().unwrap();
    let (src, _) = tree_with_links(d.path());
    let mut c = scan_cmd();
    c.arg(&src).args(["--format", "json"]);
    let r = run(c);
    assert_eq!(r.code(), Some(0), "{}", r.show());
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(v["files_scanned"], 2);
    for l in LINKS {
        assert!(
            r.err().contains(&src.join(l).display().to_string()),
            "scan skipped the symbolic link {l} without saying so: {}",
            r.show()
        );
    }
}

/// A directory named on the command line through a symbolic link (`dist -> build/dist`) is
/// what the user asked for: walk it, as `find -H`, ripgrep and prettier do (not take it as
/// a file and fail with "Is a directory").
#[test]
fn directory_named_through_a_symlink_is_walked() {
    let d = tempfile::tempdir().unwrap();
    write(&d.path().join("build/dist/a.js"), GOOD);
    let link = d.path().join("dist");
    std::os::unix::fs::symlink("build/dist", &link).unwrap();
    let out = d.path().join("out");
    let mut c = minify_cmd();
    c.arg(&link).arg("--out-dir").arg(&out);
    let r = run(c);
    assert_eq!(r.code(), Some(0), "{}", r.show());
    assert_eq!(read(&out.join("a.js")), GOOD_MIN.as_bytes());
}

/// An output path that is the input itself, however it is spelled, without --in-place:
/// refused before anything is written, exit 2.
#[test]
fn output_equal_to_input_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let src = d.path().join("in");
    write(&src.join("a.js"), GOOD);
    write(&src.join("sub/b.js"), GOOD);
    std::os::unix::fs::symlink("a.js", src.join("alias.js")).unwrap();
    let before = snapshot(d.path());
    let cases: Vec<Vec<std::ffi::OsString>> = vec![
        vec![
            src.join("a.js").into(),
            "-o".into(),
            src.join("a.js").into(),
        ],
        vec![
            src.join("a.js").into(),
            "-o".into(),
            src.join("sub/../a.js").into(),
        ],
        vec![
            src.join("a.js").into(),
            "-o".into(),
            src.join("alias.js").into(),
        ],
        vec![src.clone().into(), "--out-dir".into(), src.clone().into()],
        vec![
            src.clone().into(),
            "--out-dir".into(),
            src.join("sub/..").into(),
        ],
        vec![
            src.join("sub").into(),
            "--out-dir".into(),
            src.join("sub").into(),
        ],
    ];
    for args in cases {
        let mut c = minify_cmd();
        c.args(&args);
        let r = run(c);
        assert_eq!(r.code(), Some(2), "{args:?}: {}", r.show());
        assert!(
            r.err().contains("is the input itself"),
            "{args:?}: {}",
            r.show()
        );
        assert_eq!(snapshot(d.path()), before, "{args:?} wrote something");
    }
}

// ---------------------------------------------------------------------------------------
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
// 6. No write outside --out-dir
// ---------------------------------------------------------------------------------------

/// Inputs named with `..`, absolutely, or as a directory spelled with `..`: outputs land
/// under --out-dir and nowhere else.
#[test]
fn writes_stay_inside_out_dir() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    write(&root.join("in/a.js"), GOOD);
    write(&root.join("in/sub/b.js"), GOOD);
    std::fs::create_dir_all(root.join("work")).unwrap();
    let cases: Vec<(Vec<std::ffi::OsString>, Vec<&str>)> = vec![
        (vec!["../in/sub/b.js".into()], vec!["b.js"]),
        (vec![root.join("in/sub/b.js").into()], vec!["b.js"]),
        (vec!["../in/sub/..".into()], vec!["a.js", "sub", "sub/b.js"]),
        (
            vec!["../in/./sub/../../in".into()],
            vec!["a.js", "sub", "sub/b.js"],
        ),
        (vec![root.join("in/sub/../../in/sub").into()], vec!["b.js"]),
    ];
    for (inputs, want) in cases {
        let out = root.join("work/out");
        let before = snapshot(root);
        let mut c = minify_cmd();
        c.current_dir(root.join("work"))
            .args(&inputs)
            .args(["--out-dir", "out", "-q"]);
        let r = run(c);
        assert_eq!(r.code(), Some(0), "{inputs:?}: {}", r.show());
        let mut after = snapshot(root);
        let written: Vec<PathBuf> = walk(&out);
        let want: Vec<PathBuf> = want.iter().map(|w| out.join(w)).collect();
        assert_eq!(written, want, "{inputs:?}");
        after.retain(|p, _| !p.starts_with("work/out"));
        assert_eq!(after, before, "{inputs:?} wrote outside --out-dir");
        std::fs::remove_dir_all(&out).unwrap();
    }
}

/// A symbolic link to a folder outside the input tree is not followed, so nothing is read
/// from or written for it.
#[test]
fn symlinked_folder_in_the_input_tree_gets_no_output() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    write(&root.join("in/a.js"), GOOD);
    write(&root.join("elsewhere/x.js"), GOOD);
    std::os::unix::fs::symlink(root.join("elsewhere"), root.join("in/linked")).unwrap();
    let out = root.join("out");
    let before = snapshot(root);
    let mut c = minify_cmd();
    c.arg(root.join("in"))
        .arg("--out-dir")
        .arg(&out)
        .args(["--source-map", "file"]);
    let r = run(c);
    assert_eq!(r.code(), Some(0), "{}", r.show());
    assert_eq!(walk(&out), vec![out.join("a.js"), out.join("a.js.map")]);
    let mut after = snapshot(root);
    after.retain(|p, _| !p.starts_with("out"));
    assert_eq!(after, before);
}

/// A folder inside --out-dir that is a symbolic link to somewhere else (left by an earlier
/// build, or planted): writing `out/sub/b.js` through it would land outside --out-dir.
#[test]
fn symlinked_folder_inside_out_dir_is_not_written_through() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    write(&root.join("in/a.js"), GOOD);
    write(&root.join("in/sub/b.js"), GOOD);
    std::fs::create_dir_all(root.join("elsewhere")).unwrap();
    std::fs::create_dir_all(root.join("out")).unwrap();
    std::os::unix::fs::symlink(root.join("elsewhere"), root.join("out/sub")).unwrap();
    let mut c = minify_cmd();
    c.arg(root.join("in"))
        .arg("--out-dir")
        .arg(root.join("out"));
    let r = run(c);
    assert_eq!(
        walk(&root.join("elsewhere")),
        Vec::<PathBuf>::new(),
        "a write landed outside --out-dir through out/sub -> elsewhere: {}",
        r.show()
    );
    assert_eq!(r.code(), Some(1), "{}", r.show());
    assert_eq!(read(&root.join("out/a.js")), GOOD_MIN.as_bytes());
}

// ---------------------------------------------------------------------------------------
// Fuzz regressions (fixtures/hardening/)
// ---------------------------------------------------------------------------------------

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/hardening");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| rd.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == "js"));
    v.sort();
    v
}

/// Every fixture (hand-written or found by fuzzing) goes through the library as the fuzz
/// targets drive it: scan and minify return, never panic, never report an internal error,
/// and minified output parses again.
#[test]
fn fuzz_regressions_library() {
    for p in fixtures() {
        let bytes = read(&p);
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let r = std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(move || {
                let Ok(src) = guardmin::source::Source::from_bytes(name.clone(), bytes) else {
                    return Ok(());
                };
                let _ = guardmin::scan::scan(&src, &Default::default());
                match guardmin::minify::minify(&src, &Default::default()) {
                    Ok(m) => {
                        let again = guardmin::source::Source {
                            name: name.clone(),
                            path: None,
                            text: m.code,
                            had_bom: false,
                        };
                        let parsed = swc_common::GLOBALS.set(&Default::default(), || {
                            guardmin::parse::parse(&again, &again.text, Default::default())
                                .map(|_| ())
                        });
                        parsed.map_err(|e| format!("{name}: output does not parse: {}", e.render()))
                    }
                    Err(e) if e.kind == guardmin::diagnostic::FileErrorKind::Internal => {
                        Err(format!("{name}: {}", e.render()))
                    }
                    Err(_) => Ok(()),
                }
            })
            .unwrap()
            .join();
        match r {
            Ok(Ok(())) => {}
            Ok(Err(e)) => panic!("{e}"),
            Err(_) => panic!("{}: panicked", p.display()),
        }
    }
}

/// Found by fuzzing (`fixtures/hardening/fuzz-yield-before-export.js`): `yield` as an
/// identifier, then `export`. The parser (auto mode) takes the file as a module without
/// applying module rules to the code before the `export`; the output is a module that does
/// not parse, and guardmin calls that an internal error. It is a syntax error in the input
/// (`yield` is reserved in modules; node says "Unexpected strict mode reserved word"), as
/// guardmin already reports for the same code in a `.mjs` file.
#[test]
fn fuzz_yield_before_export_is_a_syntax_error() {
    let d = tempfile::tempdir().unwrap();
    let (f, m) = (d.path().join("y.js"), d.path().join("y.mjs"));
    write(&f, "\nyield\nexport var g");
    write(&m, "\nyield\nexport var g");
    let mut c = minify_cmd();
    c.arg(&m).arg("-q");
    let r = run(c);
    assert_eq!(r.code(), Some(1), "{}", r.show());
    assert!(
        r.err()
            .starts_with(&format!("error: {}:2:1: syntax error:", m.display())),
        "{}",
        r.show()
    );
    let mut c = minify_cmd();
    c.arg(&f).arg("-q");
    let r = run(c);
    assert_eq!(r.code(), Some(1), "{}", r.show());
    assert!(
        r.err()
            .starts_with(&format!("error: {}:2:1: syntax error:", f.display())),
        "expected a syntax error at 2:1 as for the .mjs file: {}",
        r.show()
    );
}

/// Found by fuzzing (`fixtures/hardening/fuzz-template-bad-unicode-escape.js`): swc's parser
/// panics (`unreachable!()` in `expect_template_token_value`) on a template literal with a
/// bad `\\u` escape after `+` and a line break. The CLI survives (the panic is caught) but
/// calls it an internal error to report, and scan shows it as a "syntax-error" at 1:1 with
/// that message; the library functions panic. It is a syntax error at 2:2 (node: "Invalid
/// Unicode escape sequence").
#[test]
fn fuzz_template_bad_unicode_escape_is_a_syntax_error() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("t.js");
    write(&f, "+\n`\\u`");
    let mut c = minify_cmd();
    c.arg(&f).arg("-q");
    let r = run(c);
    assert_eq!(r.code(), Some(1), "{}", r.show());
    assert!(!r.err().contains("internal error"), "{}", r.show());
    assert!(
        r.err().starts_with(&format!("error: {}:2:", f.display()))
            && r.err().contains("syntax error"),
        "{}",
        r.show()
    );
    let src = guardmin::source::Source::from_bytes("t.js".into(), read(&f)).unwrap();
    let scan = std::panic::catch_unwind(|| guardmin::scan::scan(&src, &Default::default()));
    assert!(
        matches!(scan, Ok(Err(_))),
        "scan must return a syntax error, not panic"
    );
}

/// The same fixtures through the binary: it never dies of a signal, exits 0 or 1.
#[test]
fn fuzz_regressions_binary() {
    for p in fixtures() {
        for sub in ["minify", "scan"] {
            let mut c = guardmin();
            c.arg(sub).arg(&p);
            if sub == "minify" {
                c.arg("--no-cache");
            }
            let r = run_limited(c, Duration::from_secs(30));
            assert!(
                !r.timed_out() && r.signal().is_none() && matches!(r.code(), Some(0 | 1)),
                "{sub} {}: {}",
                p.display(),
                r.show()
            );
        }
    }
}
