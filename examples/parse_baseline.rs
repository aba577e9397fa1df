//! Parse-only baseline for the benchmark: parses every file given (swc_ecma_parser, the
//! same settings as guardmin) on one thread and prints the bytes and seconds as JSON, so
//! `guardmin scan` throughput can be compared with the ceiling any swc-based scan has.
//!
//!     cargo run --release --example parse_baseline -- FILE...

use std::time::Instant;
use swc_common::{sync::Lrc, FileName, SourceMap, GLOBALS};
use swc_ecma_parser::{EsSyntax, Parser, StringInput, Syntax};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: parse_baseline FILE...");
        std::process::exit(2);
    }
    let texts: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{f}: {e}")))
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let start = Instant::now();
    for (name, text) in files.iter().zip(&texts) {
        GLOBALS.set(&Default::default(), || {
            let cm: Lrc<SourceMap> = Default::default();
            let fm = cm.new_source_file(Lrc::new(FileName::Custom(name.clone())), text.clone());
            let comments = swc_common::comments::SingleThreadedComments::default();
            let mut p = Parser::new(
                Syntax::Es(EsSyntax::default()),
                StringInput::from(&*fm),
                Some(&comments),
            );
            p.parse_program()
                .unwrap_or_else(|e| panic!("{name}: {:?}", e.kind()));
        });
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{{\"files\":{},\"bytes\":{},\"seconds\":{:.6},\"mb_per_s\":{:.3}}}",
        files.len(),
        bytes,
        secs,
        bytes as f64 / 1e6 / secs
    );
}
