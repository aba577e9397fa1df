//! The engine floor for the benchmark: what swc_ecma_minifier itself costs inside guardmin,
//! with everything guardmin adds switched off (no guard protection or proof, no self-check,
//! no source map, nothing written). Same options, same threads (biggest file first), same
//! allocator as `guardmin minify`. Prints the bytes and seconds as JSON.
//!
//!     cargo run --profile dist --example engine_floor -- FILE...
//!
//! Not a mode of the product: output from here is exactly what guardmin exists to avoid.

use guardmin::minify::{minify, Options};
use guardmin::source::Source;
use rayon::prelude::*;
use std::path::Path;
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: engine_floor FILE...");
        std::process::exit(2);
    }
    let size = |f: &String| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
    files.sort_by_key(|f| std::cmp::Reverse(size(f)));
    let srcs: Vec<Source> = files
        .iter()
        .map(|f| Source::read(Path::new(f), f.clone()).unwrap_or_else(|e| panic!("{f}: {e:?}")))
        .collect();
    let bytes: usize = srcs.iter().map(|s| s.text.len()).sum();
    let opts = Options {
        preserve_guards: false,
        self_check: false,
        source_map: false,
        read_input_map: false,
        ..Default::default()
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(256 << 20)
        .build()
        .expect("thread pool");
    let start = Instant::now();
    let out: usize = pool.install(|| {
        srcs.par_iter()
            .with_max_len(1)
            .map(|s| {
                minify(s, &opts)
                    .unwrap_or_else(|e| panic!("{}: {e:?}", s.name))
                    .code
                    .len()
            })
            .sum()
    });
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{{\"files\":{},\"bytes\":{bytes},\"output_bytes\":{out},\"seconds\":{secs:.6},\"threads\":{}}}",
        srcs.len(),
        pool.current_num_threads()
    );
}
