//! Per-phase timings on stderr when `GUARDMIN_TIMINGS` is set (any value): where the time of
//! one file goes (parse, resolve, optimize, self-check, ...), for performance reports and
//! the benchmark's notes. Off, it costs one clock read per phase.

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("GUARDMIN_TIMINGS").is_some())
}

/// The phases of one file, timed one after another.
pub struct Phases<'a> {
    file: &'a str,
    on: bool,
    last: Instant,
}

impl<'a> Phases<'a> {
    pub fn start(file: &'a str) -> Self {
        Phases {
            file,
            on: enabled(),
            last: Instant::now(),
        }
    }

    /// Ends the phase `what` (started by the previous call) and starts the next.
    pub fn lap(&mut self, what: &str) {
        if self.on {
            eprintln!(
                "guardmin: timing {}: {what} {:.3}s",
                crate::diagnostic::sanitize(self.file),
                self.last.elapsed().as_secs_f64()
            );
        }
        self.last = Instant::now();
    }
}

/// A one-line note about a file's run (a retry and why), printed with the timings.
pub fn note(file: &str, what: &str) {
    if enabled() {
        eprintln!(
            "guardmin: timing {}: note: {what}",
            crate::diagnostic::sanitize(file)
        );
    }
}
