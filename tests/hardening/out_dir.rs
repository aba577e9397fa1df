//! 6. No write outside `--out-dir`.

use super::*;

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
