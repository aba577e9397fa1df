//! The commands: each reads its arguments, runs the pipeline over the inputs in parallel,
//! reports, and returns the exit code.

pub mod batch;
pub mod minify;
pub mod scan;

use crate::diagnostic::{FileError, FileErrorKind};
use crate::discover::Input;
use crate::source::Source;
use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Exit codes.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILED: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

/// Stack for each worker thread: swc recurses once per nesting level.
pub(crate) const STACK_SIZE: usize = 256 << 20;

/// Runs `f` over `inputs` on `threads` workers that take the inputs in order (biggest
/// first, as discovery sorts them). Results come back in input order, whatever the
/// scheduling. `tick` is called after each input.
pub fn run_parallel<T: Send>(
    inputs: &[Input],
    threads: usize,
    f: impl Fn(&Input) -> T + Sync,
    tick: impl Fn(&Input) + Sync,
) -> Vec<T> {
    let threads = threads.clamp(1, inputs.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<T>>> = Mutex::new((0..inputs.len()).map(|_| None).collect());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(STACK_SIZE)
        .thread_name(|i| format!("guardmin-{i}"))
        .build()
        .expect("cannot start worker threads");
    pool.scope(|s| {
        for _ in 0..threads {
            s.spawn(|_| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(input) = inputs.get(i) else { break };
                let r = f(input);
                tick(input);
                results.lock().unwrap()[i] = Some(r);
            });
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.expect("every input is processed"))
        .collect()
}

/// Reads an input into a checked [`Source`].
pub fn read_input(input: &Input) -> Result<Source, FileError> {
    match input {
        Input::Stdin => {
            let mut bytes = Vec::new();
            std::io::stdin().read_to_end(&mut bytes).map_err(|e| {
                FileError::new(FileErrorKind::Io, "<stdin>", format!("cannot read: {e}"))
            })?;
            Source::from_bytes("<stdin>".into(), bytes)
        }
        Input::File { path, .. } => Source::read(path, path.display().to_string()),
    }
}

/// Runs `f`, turning a panic inside swc into an internal error for this file.
pub fn catch_panic<T>(
    file: &str,
    f: impl FnOnce() -> Result<T, FileError>,
) -> Result<T, FileError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(FileError::new(
                FileErrorKind::Internal,
                file,
                format!("internal error (swc panicked: {msg}); the file was left as it was, please report it"),
            ))
        }
    }
}

/// Threads to use: `-j`, else the machine's parallelism.
pub fn threads(j: Option<u16>) -> usize {
    j.map(usize::from).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    })
}

/// A progress bar on stderr for runs that take more than a moment; hidden otherwise.
pub fn progress(total: usize, quiet: bool) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || total < 2 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new(total as u64);
    pb.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} files {wide_bar} {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    pb.enable_steady_tick(std::time::Duration::from_millis(200));
    pb
}
