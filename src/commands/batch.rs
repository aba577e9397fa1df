//! `guardmin batch`: minify and scan requests as JSON lines, for build-tool plugins. One
//! process serves a whole build; requests run in parallel on guardmin's threads as they
//! arrive, and each answer is written as soon as it is ready.

use super::{catch_panic, threads, EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::cli::BatchArgs;
use crate::diagnostic::{FileError, FileErrorKind, Finding};
use crate::minify::{self, Options};
use crate::scan;
use crate::source::Source;
use crate::sourcemap::InputMap;
use serde::Deserialize;
use serde_json::{json, Value};
use std::io::{BufRead, Write};
use std::sync::mpsc;

#[derive(Deserialize)]
struct Request {
    #[serde(default)]
    id: Value,
    name: String,
    code: String,
    #[serde(default)]
    map: Value,
    #[serde(default)]
    mode: Mode,
    /// `true`: parse as an ES module (a Vite or Rollup `es` chunk, which may have no import or
    /// export to tell), so its top-level names are mangled; `false`: as a script; absent:
    /// decided from the code.
    #[serde(default)]
    module: Option<bool>,
}

#[derive(Deserialize, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Mode {
    #[default]
    Minify,
    Scan,
}

fn finding_json(f: &Finding) -> Value {
    json!({
        "rule": f.rule,
        "severity": f.severity.as_str(),
        "line": f.line,
        "column": f.column,
        "message": f.message,
        "help": f.help,
        "original": f.original.as_ref().map(|o| json!({"file": o.file, "line": o.line, "column": o.column, "name": o.name})),
    })
}

fn error_json(e: &FileError) -> Value {
    let kind = match e.kind {
        FileErrorKind::Io => "io",
        FileErrorKind::Input => "input",
        FileErrorKind::Syntax => "syntax",
        FileErrorKind::Guard => "guard",
        FileErrorKind::Internal => "internal",
    };
    json!({
        "kind": kind,
        "message": e.message,
        "line": e.position.map(|p| p.0),
        "column": e.position.map(|p| p.1),
    })
}

fn input_map(req: &Request) -> Result<Option<InputMap>, FileError> {
    let json = match &req.map {
        Value::Null => return Ok(None),
        Value::String(s) => s.clone().into_bytes(),
        other => serde_json::to_vec(other).unwrap_or_default(),
    };
    InputMap::from_json(&json, &req.name).map(Some)
}

/// Answers one request.
fn handle(req: Request, opts: &Options) -> Value {
    let result = catch_panic(&req.name, || {
        let src = Source::from_bytes(req.name.clone(), req.code.clone().into_bytes())?;
        let map = input_map(&req)?;
        match req.mode {
            Mode::Scan => {
                let findings = scan::scan_with_map(&src, &scan::Options::default(), map)?;
                Ok((None, None, findings, None))
            }
            Mode::Minify => {
                let mut o = opts.clone();
                o.source_map = true;
                o.parse_mode = match req.module {
                    Some(true) => crate::parse::ParseMode::Module,
                    Some(false) => crate::parse::ParseMode::Script,
                    None => opts.parse_mode,
                };
                let m = minify::minify_with_map(&src, &o, map)?;
                let out = Source {
                    name: req.name.clone(),
                    path: None,
                    text: m.code,
                    had_bom: false,
                };
                // Findings the output still has (the input had them too: minify refuses new ones).
                let findings = scan::scan_with_map(&out, &scan::Options::default(), None)?;
                let map = m.map.map(|b| String::from_utf8_lossy(&b).into_owned());
                Ok((Some(out.text), map, findings, m.licenses))
            }
        }
    });
    match result {
        Ok((code, map, findings, licenses)) => json!({
            "id": req.id, "name": req.name, "code": code, "map": map,
            "findings": findings.iter().map(finding_json).collect::<Vec<_>>(), "error": null,
            "licenses": licenses,
        }),
        Err(e) => json!({
            "id": req.id, "name": req.name, "code": null, "map": null, "findings": [], "error": error_json(&e),
        }),
    }
}

pub fn run(args: BatchArgs) -> i32 {
    if args.opts.name_cache.is_some() {
        eprintln!("guardmin batch: --name-cache is for `guardmin minify`: batch answers requests in the order they finish, so the names would depend on timing; run guardmin minify --name-cache over the build's output instead");
        return EXIT_USAGE;
    }
    let mut opts = match super::plan::plan(&args.opts) {
        Ok(p) => p.options,
        Err(e) => {
            eprintln!("guardmin batch: {e}");
            return EXIT_USAGE;
        }
    };
    opts.read_input_map = false;
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(threads(args.threads))
        .stack_size(super::STACK_SIZE)
        .build()
    {
        Ok(p) => p,
        Err(e) => {
            eprintln!("guardmin batch: cannot start threads: {e}");
            return EXIT_FAILED;
        }
    };
    let (tx, rx) = mpsc::channel::<Value>();
    let writer = std::thread::spawn(move || {
        let mut out = std::io::stdout().lock();
        for v in rx {
            if serde_json::to_writer(&mut out, &v).is_err()
                || out.write_all(b"\n").is_err()
                || out.flush().is_err()
            {
                return false;
            }
        }
        true
    });
    let mut bad_line = false;
    // On this thread, not a pool thread: with the reader inside the pool, `-j 1` answered
    // nothing until its input ended.
    pool.in_place_scope(|s| {
        for (n, line) in std::io::stdin().lock().lines().enumerate() {
            let Ok(line) = line else { break };
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Request>(&line) {
                Ok(req) => {
                    let tx = tx.clone();
                    let opts = &opts;
                    s.spawn(move |_| {
                        let _ = tx.send(handle(req, opts));
                    });
                }
                Err(e) => {
                    bad_line = true;
                    let _ = tx.send(json!({
                        "id": null, "name": null, "code": null, "map": null, "findings": [],
                        "error": {"kind": "usage", "message": format!("request on input line {} is not valid: {e}", n + 1), "line": null, "column": null},
                    }));
                }
            }
        }
    });
    drop(tx);
    let wrote = writer.join().unwrap_or(false);
    if !wrote {
        return EXIT_FAILED;
    }
    if bad_line {
        EXIT_USAGE
    } else {
        EXIT_OK
    }
}
