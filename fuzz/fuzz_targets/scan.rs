//! `guardmin::scan::scan` on arbitrary bytes: it must never panic, and every finding must
//! point inside the file (1-based line and column on an existing line).
#![no_main]

use guardmin::diagnostic::LineIndex;
use guardmin::source::Source;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let data = data.to_vec();
    common::on_big_stack(move || {
        let Ok(src) = Source::from_bytes("fuzz.js".into(), data) else {
            return;
        };
        let Ok(findings) = guardmin::scan::scan(&src, &Default::default()) else {
            return;
        };
        let idx = LineIndex::new(&src.text);
        for f in &findings {
            let text = idx.line_text(f.line).unwrap_or_else(|| {
                panic!("{}: line {} is past the end of the file", f.rule, f.line)
            });
            assert!(
                f.column >= 1 && f.column as usize <= text.chars().count() + 1,
                "{}: column {} outside line {} ({} characters)",
                f.rule,
                f.column,
                f.line,
                text.chars().count()
            );
        }
    });
});
