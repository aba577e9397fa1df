//! Faults (2, continued): SIGKILL during `--in-place`, inputs rewritten during a run,
//! symbolic links, an output that is its input.

use super::*;

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
