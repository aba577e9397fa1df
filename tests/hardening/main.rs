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

mod bad_input;
mod faults_disk;
mod faults_runtime;
mod fuzz;
mod nesting;
mod out_dir;
mod reports;
