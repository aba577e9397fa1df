//! Fuzz regressions (`fixtures/hardening/`).

use super::*;

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
