use clap::Parser;

// swc allocates many small nodes; mimalloc measured faster than the system allocator
// (bench/results/latest.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use guardmin::cli::{Cli, Command};

fn main() {
    // Panics inside swc are caught per file and reported there; keep the default hook's
    // backtrace noise out of the report.
    std::panic::set_hook(Box::new(|_| {}));
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Minify(a) => guardmin::commands::minify::run(a),
        Command::Scan(a) => guardmin::commands::scan::run(a),
        Command::Fix(a) => guardmin::commands::fix::run(a),
        Command::Batch(a) => guardmin::commands::batch::run(a),
        Command::Headers(a) => guardmin::headers::run(a),
    };
    std::process::exit(code);
}
