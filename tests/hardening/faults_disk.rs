//! 2. Faults: read-only and full file systems (tmpfs mounts; root only).

use super::*;

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
