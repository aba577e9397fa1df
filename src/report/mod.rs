//! Report formats for `guardmin scan` (and the self-check of `guardmin minify`).
//!
//! Every format reads the same [`ScanReport`]; none of them reads files.

use crate::diagnostic::{Finding, RuleMeta};
use std::io::{self, Write};

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

/// Output format, as chosen with `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Rule, severity, file:line:col, a code frame and a fix hint (colour on a terminal).
    Human,
    /// The stable JSON shape documented in the README.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=...`).
    Github,
}

/// Everything a reporter needs.
pub struct ScanReport<'a> {
    pub files_scanned: usize,
    /// Sorted by file, line, column.
    pub findings: &'a [Finding],
    /// Every rule guardmin has (also those that found nothing).
    pub rules: &'a [RuleMeta],
    pub tool_version: &'a str,
}

pub fn write(
    format: Format,
    report: &ScanReport,
    out: &mut dyn Write,
    color: bool,
) -> io::Result<()> {
    match format {
        Format::Human => human::write(report, out, color),
        Format::Json => json::write(report, out),
        Format::Sarif => sarif::write(report, out),
        Format::Github => github::write(report, out),
    }
}
