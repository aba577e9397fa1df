//! What `guardmin fix` says about each file: lines for people, or one JSON document
//! (version 1):
//!
//! ```json
//! {"version":1,"check":false,"files":[
//!   {"file":"dist/a.js","status":"repaired","repairs":[{"rule":"emscripten-script-dir",
//!    "line":1,"column":87875,"before":"void 0!==l","after":"typeof l<\"u\""}],
//!    "not_repairable":[],"error":null}],
//!  "summary":{"files":1,"repaired":1,"reads":1,"unchanged":0,"not_repairable":0,"failed":0}}
//! ```
//!
//! `status` is `unchanged`, `repaired` (with `check`: would be), `not-repairable` (nothing
//! was changed; `repairs` lists what could have been) or `failed` (`error` says why).
//! Lines and columns are 1-based positions in the input file, columns in characters.

use super::{Repair, Unrepairable};
use crate::diagnostic::{render_frame, sanitize, FileError};
use serde::Serialize;
use std::io::{self, Write};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Unchanged,
    Repaired,
    NotRepairable,
    Failed,
}

/// One file's result.
#[derive(Debug)]
pub struct FileReport {
    pub file: String,
    pub status: Status,
    pub repairs: Vec<Repair>,
    pub unrepairable: Vec<Unrepairable>,
    pub error: Option<FileError>,
}

#[derive(Serialize, Default)]
struct Summary {
    files: usize,
    repaired: usize,
    reads: usize,
    unchanged: usize,
    not_repairable: usize,
    failed: usize,
}

fn summary(reports: &[FileReport]) -> Summary {
    let mut s = Summary {
        files: reports.len(),
        ..Default::default()
    };
    for r in reports {
        match r.status {
            Status::Unchanged => s.unchanged += 1,
            Status::Repaired => {
                s.repaired += 1;
                s.reads += r.repairs.len();
            }
            Status::NotRepairable => s.not_repairable += 1,
            Status::Failed => s.failed += 1,
        }
    }
    s
}

/// Human report: a line per repair, a block per finding that cannot be repaired or file
/// that failed, and a summary line (unless `quiet`).
pub fn human(
    reports: &[FileReport],
    check: bool,
    quiet: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let did = if check { "would repair" } else { "repaired" };
    for r in reports {
        let file = sanitize(&r.file);
        match r.status {
            Status::Repaired if !quiet => {
                for p in &r.repairs {
                    writeln!(
                        out,
                        "{file}:{}:{}: {did} `{}` -> `{}` ({})",
                        p.line,
                        p.column,
                        sanitize(&p.before),
                        sanitize(&p.after),
                        p.rule
                    )?;
                }
            }
            Status::NotRepairable => {
                for u in &r.unrepairable {
                    let f = &u.finding;
                    writeln!(
                        out,
                        "{file}:{}:{}: error[{}]: not repairable: {}",
                        f.line,
                        f.column,
                        f.rule,
                        sanitize(&u.reason)
                    )?;
                    writeln!(out, "  {}", sanitize(&f.message))?;
                    if let Some(frame) = &f.frame {
                        writeln!(out, "{}", render_frame(frame))?;
                    }
                }
                let n = r.repairs.len();
                writeln!(
                    out,
                    "{file}: left as it was{}",
                    if n > 0 {
                        format!(
                            " ({n} other read{} could be repaired)",
                            if n == 1 { "" } else { "s" }
                        )
                    } else {
                        String::new()
                    }
                )?;
            }
            Status::Failed => {
                if let Some(e) = &r.error {
                    writeln!(out, "error: {}", e.render())?;
                }
            }
            _ => {}
        }
    }
    if !quiet {
        let s = summary(reports);
        let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        writeln!(
            out,
            "guardmin fix: {}: {} {} ({}), {} unchanged, {} not repairable, {} failed",
            plural(s.files, "file"),
            s.repaired,
            if check {
                "would be repaired"
            } else {
                "repaired"
            },
            plural(s.reads, "read"),
            s.unchanged,
            s.not_repairable,
            s.failed
        )?;
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    check: bool,
    files: Vec<JsonFile<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonFile<'a> {
    file: &'a str,
    status: Status,
    repairs: Vec<JsonRepair<'a>>,
    not_repairable: Vec<JsonUnrepairable<'a>>,
    error: Option<JsonError<'a>>,
}

#[derive(Serialize)]
struct JsonRepair<'a> {
    rule: &'a str,
    line: u32,
    column: u32,
    before: &'a str,
    after: &'a str,
}

#[derive(Serialize)]
struct JsonUnrepairable<'a> {
    rule: &'a str,
    line: u32,
    column: u32,
    message: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct JsonError<'a> {
    message: &'a str,
    line: Option<u32>,
    column: Option<u32>,
}

/// The JSON report.
pub fn json(reports: &[FileReport], check: bool, out: &mut dyn Write) -> io::Result<()> {
    let files = reports
        .iter()
        .map(|r| JsonFile {
            file: &r.file,
            status: r.status,
            repairs: r
                .repairs
                .iter()
                .map(|p| JsonRepair {
                    rule: p.rule,
                    line: p.line,
                    column: p.column,
                    before: &p.before,
                    after: &p.after,
                })
                .collect(),
            not_repairable: r
                .unrepairable
                .iter()
                .map(|u| JsonUnrepairable {
                    rule: u.finding.rule,
                    line: u.finding.line,
                    column: u.finding.column,
                    message: &u.finding.message,
                    reason: &u.reason,
                })
                .collect(),
            error: r.error.as_ref().map(|e| JsonError {
                message: &e.message,
                line: e.position.map(|p| p.0),
                column: e.position.map(|p| p.1),
            }),
        })
        .collect();
    let rep = JsonReport {
        version: 1,
        check,
        files,
        summary: summary(reports),
    };
    serde_json::to_writer(&mut *out, &rep).map_err(io::Error::other)?;
    writeln!(out)
}
