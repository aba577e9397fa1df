//! `guardmin scan`.

use super::{
    catch_panic, clean, hint_syntax_error, progress, read_input, run_parallel, threads,
    EXIT_FAILED, EXIT_OK, EXIT_USAGE,
};
use crate::cli::{ColorChoice, ScanArgs};
use crate::diagnostic::{FileErrorKind, Finding, Severity};
use crate::discover::{self, Filters};
use crate::parse::ParseMode;
use crate::report::{self, ScanReport};
use crate::scan::{self, rules, Options};
use std::io::{IsTerminal, Write};

fn usage(msg: impl std::fmt::Display) -> i32 {
    eprintln!("guardmin scan: {}", clean(&msg.to_string()));
    EXIT_USAGE
}

pub fn run(args: ScanArgs) -> i32 {
    for r in &args.ignore_rule {
        if rules::meta(r).is_none() {
            let ids: Vec<_> = rules::ALL.iter().map(|m| m.id).collect();
            return usage(format!(
                "--ignore-rule {r}: no such rule (rules: {})",
                ids.join(", ")
            ));
        }
    }
    let filters = Filters {
        include: args.input.include.clone(),
        exclude: args.input.exclude.clone(),
    };
    let found = match discover::discover(&args.input.paths, &filters) {
        Ok(f) => f,
        Err(e) => return usage(format!("{e:#}")),
    };
    if !args.input.quiet {
        for l in &found.skipped_links {
            eprintln!("guardmin: skipped symbolic link {} (links are not followed inside directories; name the file itself to scan it)", clean(&l.display().to_string()));
        }
    }
    let inputs = found.inputs;
    if inputs.is_empty() {
        return usage(
            "no input files found (directories are searched for .js, .mjs and .cjs; see --include)",
        );
    }
    if args.original.is_some() && inputs.len() != 1 {
        return usage("--original goes with exactly one scanned file");
    }
    let opts = Options {
        ignore_rules: args.ignore_rule.iter().cloned().collect(),
        original: args.original.clone(),
        parse_mode: if args.input.module {
            ParseMode::Module
        } else if args.input.script {
            ParseMode::Script
        } else {
            ParseMode::Auto
        },
    };
    let pb = progress(
        inputs.len(),
        args.input.quiet || args.format != report::Format::Human,
    );
    let results = run_parallel(
        &inputs,
        threads(args.input.threads),
        |input| {
            let name = input.display();
            catch_panic(&name, || {
                let src = read_input(input)?;
                scan::scan(&src, &opts).map_err(|e| hint_syntax_error(e, &src))
            })
        },
        |_| pb.inc(1),
    );
    pb.finish_and_clear();

    let mut findings: Vec<Finding> = Vec::new();
    let mut io_failed = false;
    for r in results {
        match r {
            Ok(f) => findings.extend(f),
            Err(e) if e.kind == FileErrorKind::Io => {
                io_failed = true;
                eprintln!("error: {}", e.render());
            }
            Err(e) => {
                // The file could not be analysed: report it like a finding, so every format
                // and CI sees it.
                let (line, column) = e.position.unwrap_or((1, 1));
                findings.push(Finding {
                    rule: rules::SYNTAX_ERROR.id,
                    severity: Severity::Error,
                    file: e.file.clone(),
                    line,
                    column,
                    message: e.message.clone(),
                    help: rules::SYNTAX_ERROR.help.to_string(),
                    original: None,
                    frame: e.frame.clone(),
                });
            }
        }
    }
    findings.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.rule).cmp(&(&b.file, b.line, b.column, b.rule))
    });
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let rep = ScanReport {
        files_scanned: inputs.len(),
        findings: &findings,
        rules: rules::ALL,
        tool_version: crate::VERSION,
    };
    let mut out = std::io::stdout().lock();
    if report::write(args.format, &rep, &mut out, color)
        .and_then(|_| out.flush())
        .is_err()
    {
        return EXIT_USAGE;
    }
    if io_failed {
        return EXIT_USAGE;
    }
    let errors = findings.iter().any(|f| {
        f.severity == Severity::Error || (args.deny_warnings && f.severity == Severity::Warning)
    });
    if errors {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}
