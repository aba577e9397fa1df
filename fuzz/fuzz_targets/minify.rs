//! `guardmin::minify::minify` on arbitrary bytes: it must never panic, never report an
//! internal error (its self-check re-parses and re-scans the output and reports a failure
//! as `FileErrorKind::Internal`), and what it returns must parse again. Its own output must
//! minify again without an internal error too.
#![no_main]

use guardmin::diagnostic::FileErrorKind;
use guardmin::minify::{minify, Options};
use guardmin::source::Source;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fn options() -> Options {
    Options {
        // No file system: a `sourceMappingURL` in the input must not make it read files.
        read_input_map: false,
        ..Options::default()
    }
}

fn parses(code: &str) -> Result<(), String> {
    let src = Source {
        name: "fuzz.min.js".into(),
        path: None,
        text: code.to_string(),
        had_bom: false,
    };
    swc_common::GLOBALS.set(&Default::default(), || {
        guardmin::parse::parse(&src, &src.text, Default::default())
            .map(|_| ())
            .map_err(|e| e.render())
    })
}

fuzz_target!(|data: &[u8]| {
    let data = data.to_vec();
    common::on_big_stack(move || {
        let Ok(src) = Source::from_bytes("fuzz.js".into(), data) else {
            return;
        };
        let out = match minify(&src, &options()) {
            Ok(m) => m.code,
            Err(e) if e.kind == FileErrorKind::Internal => {
                panic!("internal error: {}\n--- input\n{}", e.render(), src.text)
            }
            Err(_) => return,
        };
        if let Err(e) = parses(&out) {
            panic!(
                "minified output does not parse: {e}\n--- input\n{}\n--- output\n{out}",
                src.text
            );
        }
        let again = Source {
            name: "fuzz.min.js".into(),
            path: None,
            text: out.clone(),
            had_bom: false,
        };
        if let Err(e) = minify(&again, &options()) {
            if e.kind == FileErrorKind::Internal {
                panic!(
                    "minifying the output again: internal error: {}\n--- input\n{}\n--- output\n{out}",
                    e.render(),
                    src.text
                );
            }
        }
    });
});
