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
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
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
    // As `guardmin minify` schedules: one worker per CPU, each taking the biggest file left.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let next = AtomicUsize::new(0);
    let out = AtomicUsize::new(0);
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            std::thread::Builder::new()
                .stack_size(256 << 20)
                .spawn_scoped(s, || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(src) = srcs.get(i) else { break };
                    let m = minify(src, &opts).unwrap_or_else(|e| panic!("{}: {e:?}", src.name));
                    out.fetch_add(m.code.len(), Ordering::Relaxed);
                })
                .expect("worker thread");
        }
    });
    let out = out.into_inner();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{{\"files\":{},\"bytes\":{bytes},\"output_bytes\":{out},\"seconds\":{secs:.6},\"threads\":{}}}",
        srcs.len(),
        threads
    );
}
