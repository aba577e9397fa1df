//! Shared by the fuzz targets: run on a big stack, as guardmin's worker threads do.

/// guardmin's CLI runs every file on a thread with a 256 MiB stack (swc recurses once per
/// nesting level); the fuzz targets do the same, so a stack overflow found here is one the
/// CLI would hit too. A panic on that thread is re-raised here, where libFuzzer sees it.
///
/// libFuzzer's panic hook aborts on every panic, even one caught inside guardmin (swc's parser
/// panics on a few malformed tokens; `guardmin::parse` catches that and reports a syntax
/// error, as the CLI does). The hook is replaced by a silent one, so only a panic that
/// escapes guardmin's library call (re-raised below) is a crash. `GUARDMIN_FUZZ_STRICT=1`
/// keeps libFuzzer's hook, to find (and minimize) the caught panics themselves.
pub fn on_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| {
        if std::env::var_os("GUARDMIN_FUZZ_STRICT").is_none() {
            std::panic::set_hook(Box::new(|_| {}));
        }
    });
    match std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(f)
        .expect("cannot start a thread")
        .join()
    {
        Ok(v) => v,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            eprintln!("panic escaped guardmin: {msg}");
            std::panic::resume_unwind(payload)
        }
    }
}
