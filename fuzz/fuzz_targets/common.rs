//! Shared by the fuzz targets: run on a big stack, as guardmin's worker threads do.

/// guardmin's CLI runs every file on a thread with a 256 MiB stack (swc recurses once per
/// nesting level); the fuzz targets do the same, so a stack overflow found here is one the
/// CLI would hit too. A panic on that thread is re-raised here, where libFuzzer sees it.
pub fn on_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    match std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(f)
        .expect("cannot start a thread")
        .join()
    {
        Ok(v) => v,
        Err(payload) => std::panic::resume_unwind(payload),
    }
}
