//! `guardmin headers`: the cross-origin isolation that threaded WebAssembly needs.
//!
//! Without `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy:
//! require-corp` (or `credentialless`) a page is not cross-origin isolated,
//! `SharedArrayBuffer` is missing, and tfjs or any Emscripten pthreads build silently falls
//! back to one thread.
//!
//! - `guardmin headers check URL [--deep]` fetches the page ([`fetch`]), reads the headers
//!   ([`policy`]), with `--deep` follows the scripts, workers and `.wasm` files it references
//!   ([`refs`], [`check`]), and prints a verdict ([`output`]). Exit 0: isolated and nothing
//!   blocked; 1: not isolated or something blocked; 2: the check failed.
//! - `guardmin headers print --for SERVER` prints the configuration ([`print`]).

pub mod check;
pub mod fetch;
pub mod output;
pub mod policy;
pub mod print;
pub mod refs;

use clap::{Args, Subcommand, ValueEnum};
use std::io::Write;
use std::time::Duration;
use url::Url;

/// `guardmin headers ...`
#[derive(Args, Debug)]
pub struct HeadersArgs {
    #[command(subcommand)]
    pub command: HeadersCommand,
}

#[derive(Subcommand, Debug)]
pub enum HeadersCommand {
    /// Fetch a page and tell whether it would be cross-origin isolated (so SharedArrayBuffer
    /// exists and threaded WebAssembly takes its threaded path).
    ///
    /// Reads Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy from the page (after
    /// redirects). With --deep it also fetches the page's scripts, the workers
    /// (`new Worker('w.js')`, `new URL('w.js', import.meta.url)`), modules and `.wasm` files
    /// they reference, checks that cross-origin ones send Cross-Origin-Resource-Policy or
    /// Access-Control-Allow-Origin as their load needs, and that .wasm is served as
    /// application/wasm.
    #[command(
        after_help = "Exit codes: 0 cross-origin isolated (with --deep: and nothing it loads is blocked), 1 not isolated or something blocked (the problems name the missing header or the blocked URL), 2 the check itself failed (bad URL, DNS, connection refused, timeout, an HTTP error for the page); the reason is one line on stderr.\n\nExamples:\n  guardmin headers check https://app.example/\n  guardmin headers check --deep --timeout 5 http://localhost:8080/\n  guardmin headers check --deep --format json https://app.example/ > isolation.json"
    )]
    Check(CheckArgs),
    /// Print the header configuration for a server, with a comment on the trade-offs.
    ///
    /// vercel and firebase print plain JSON on stdout (to redirect into vercel.json or
    /// firebase.json) and the explanation on stderr. vite prints a vite.config.js with
    /// server.headers (the dev server; `vite preview` uses them too), or with --preview
    /// preview.headers only.
    #[command(
        after_help = "Examples:\n  guardmin headers print --for nginx\n  guardmin headers print --for vite > vite.config.js\n  guardmin headers print --for vite --preview\n  guardmin headers print --for vercel > vercel.json"
    )]
    Print(PrintArgs),
}

/// Output formats of `headers check`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckFormat {
    /// Headers, resources, problems, warnings and a verdict.
    Human,
    /// One JSON object (see the README).
    Json,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The page to check (http:// or https://).
    #[arg(value_name = "URL")]
    pub url: String,
    /// Also fetch and check the scripts, workers, modules and .wasm files the page and its
    /// scripts reference.
    #[arg(long)]
    pub deep: bool,
    /// Give up on a request after SECS seconds (DNS, connect, sending, headers and body
    /// together; each request of --deep gets its own SECS).
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_timeout)]
    pub timeout: Duration,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
}

#[derive(Args, Debug)]
pub struct PrintArgs {
    /// The server or host to configure.
    #[arg(long = "for", value_enum, value_name = "SERVER")]
    pub server: print::Server,
    /// The Cross-Origin-Embedder-Policy value to set.
    #[arg(long, value_enum, default_value_t = print::CoepValue::RequireCorp)]
    pub coep: print::CoepValue,
    /// With --for vite: set preview.headers (for `vite preview` only) instead of
    /// server.headers (the dev server, which `vite preview` also uses by default).
    #[arg(long)]
    pub preview: bool,
}

/// Seconds, fractions allowed, more than 0 and at most one hour.
fn parse_timeout(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    if !(secs > 0.0 && secs <= 3600.0) {
        return Err("the timeout must be more than 0 and at most 3600 seconds".into());
    }
    Ok(Duration::from_secs_f64(secs))
}

/// Parses the URL argument: http or https, with a host.
fn parse_url(s: &str) -> Result<Url, String> {
    let url = Url::parse(s.trim())
        .map_err(|e| format!("not a URL ({e}); write it as http://host/ or https://host/"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err("only http:// and https:// URLs with a host can be checked".into());
    }
    Ok(url)
}

/// Runs `guardmin headers`; returns the exit code.
pub fn run(args: HeadersArgs) -> i32 {
    match args.command {
        HeadersCommand::Check(a) => run_check(a),
        HeadersCommand::Print(a) => run_print(a),
    }
}

fn run_check(a: CheckArgs) -> i32 {
    let result = parse_url(&a.url).and_then(|url| {
        let client = fetch::Client::new(a.timeout);
        check::check(&url, a.deep, &client)
    });
    let mut out = std::io::stdout().lock();
    match result {
        Ok(report) => {
            let text = match a.format {
                CheckFormat::Human => output::human(&report),
                CheckFormat::Json => {
                    let mut j = serde_json::to_string_pretty(&report).unwrap_or_default();
                    j.push('\n');
                    j
                }
            };
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
            report.exit_code
        }
        Err(reason) => {
            let reason = fetch::one_line(&reason);
            eprintln!(
                "guardmin headers check: cannot check {}: {reason}",
                a.url.trim()
            );
            if a.format == CheckFormat::Json {
                let j = serde_json::json!({ "url": a.url.trim(), "error": reason, "exit_code": 2 });
                let _ = writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&j).unwrap_or_default()
                );
                let _ = out.flush();
            }
            2
        }
    }
}

fn run_print(a: PrintArgs) -> i32 {
    if a.preview && a.server != print::Server::Vite {
        eprintln!(
            "guardmin headers print: --preview is for --for vite (Vite's preview.headers); {} has no preview server: leave --preview out",
            a.server.name()
        );
        return 2;
    }
    let s = print::snippet_for(a.server, a.coep, a.preview);
    if let Some(note) = &s.note {
        let _ = std::io::stderr().write_all(note.as_bytes());
    }
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.text.as_bytes());
    let _ = out.flush();
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts() {
        assert_eq!(parse_timeout("2").unwrap(), Duration::from_secs(2));
        assert_eq!(parse_timeout("0.5").unwrap(), Duration::from_millis(500));
        assert!(parse_timeout("0").is_err());
        assert!(parse_timeout("-1").is_err());
        assert!(parse_timeout("NaN").is_err());
        assert!(parse_timeout("ten").is_err());
    }

    #[test]
    fn urls() {
        assert!(parse_url("http://127.0.0.1:8080/").is_ok());
        assert!(parse_url("example.com").is_err());
        assert!(parse_url("file:///etc/passwd").is_err());
        assert!(parse_url("ftp://x/").is_err());
    }
}
