//! The engine floor for the benchmark: what swc_ecma_minifier itself costs inside guardmin,
//! with everything guardmin adds switched off (no guard protection or proof, no self-check,
//! no source map, nothing written). Same options, same scheduling (`discover`'s biggest-first
//! order, `run_parallel`'s workers), same allocator as `guardmin minify`; files are read
//! before the clock starts. Prints the bytes and seconds as JSON.
//!
//!     cargo run --profile dist --example engine_floor -- FILE...
//!
//! Not a mode of the product: output from here is exactly what guardmin exists to avoid.

use guardmin::commands::{run_parallel, threads};
use guardmin::discover::{discover, Filters, Input};
use guardmin::minify::{minify, Options};
use guardmin::source::Source;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let paths: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() {
        eprintln!("usage: engine_floor FILE...");
        std::process::exit(2);
    }
    let inputs = discover(&paths, &Filters::default())
        .unwrap_or_else(|e| panic!("{e:#}"))
        .inputs;
    let srcs: HashMap<&PathBuf, Source> = inputs
        .iter()
        .filter_map(|i| match i {
            Input::File { path, .. } => Some(path),
            Input::Stdin => None,
        })
        .map(|p| {
            let src = Source::read(p, p.display().to_string())
                .unwrap_or_else(|e| panic!("{}: {e:?}", p.display()));
            (p, src)
        })
        .collect();
    let bytes: usize = srcs.values().map(|s| s.text.len()).sum();
    let opts = Options {
        preserve_guards: false,
        self_check: false,
        source_map: false,
        read_input_map: false,
        ..Default::default()
    };
    let workers = threads(None);
    let start = Instant::now();
    let out: usize = run_parallel(
        &inputs,
        workers,
        |i| match i {
            Input::File { path, .. } => {
                let src = &srcs[path];
                let m = minify(src, &opts).unwrap_or_else(|e| panic!("{}: {e:?}", src.name));
                m.code.len()
            }
            Input::Stdin => 0,
        },
        |_| {},
    )
    .into_iter()
    .sum();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{{\"files\":{},\"bytes\":{bytes},\"output_bytes\":{out},\"seconds\":{secs:.6},\"threads\":{workers}}}",
        srcs.len()
    );
}
