//! GitHub Actions workflow commands, one line per finding:
//!
//! ```text
//! ::error file=dist/a.js,line=12,col=7,title=guardmin serialized-closure::MESSAGE%0Ahelp: HELP
//! ```
//!
//! `warning` findings become `::warning`, `info` ones `::notice`. Escaping follows the
//! Actions runner: in the message (the data) `%`, CR and LF become `%25`, `%0D`, `%0A`; in a
//! property value (file, title) `:` and `,` also become `%3A` and `%2C`. Any other control
//! character (ANSI escapes included) is replaced by [`sanitize`]'s stand-in, so a file can
//! neither start a new command nor colour the log.

use super::ScanReport;
use crate::diagnostic::{sanitize, Severity};
use std::io::{self, Write};

pub fn write(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    for f in report.findings {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut data = escape_data(&f.message);
        if !f.help.is_empty() {
            data.push_str("%0Ahelp: ");
            data.push_str(&escape_data(&f.help));
        }
        writeln!(
            out,
            "::{command} file={},line={},col={},title={}::{data}",
            escape_property(&f.file),
            f.line,
            f.column,
            escape_property(&format!("guardmin {}", f.rule)),
        )?;
    }
    Ok(())
}

/// Escapes a command's data (the part after `::`).
pub fn escape_data(s: &str) -> String {
    escape(s, false)
}

/// Escapes a property value (`file=...`, `title=...`).
pub fn escape_property(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, property: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            c => {
                let mut buf = [0u8; 4];
                out.push_str(&sanitize(c.encode_utf8(&mut buf)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Finding;

    fn finding(sev: Severity, file: &str, message: &str, help: &str) -> Finding {
        Finding {
            rule: "serialized-closure",
            severity: sev,
            file: file.into(),
            line: 12,
            column: 7,
            message: message.into(),
            help: help.into(),
            original: None,
            frame: None,
        }
    }

    fn render(findings: &[Finding]) -> String {
        let rep = ScanReport {
            files_scanned: 1,
            findings,
            rules: &[],
            tool_version: "0.0.0",
        };
        let mut buf = Vec::new();
        write(&rep, &mut buf).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn one_line_per_finding() {
        let got = render(&[
            finding(Severity::Error, "dist/a.js", "bad read", "guard it"),
            finding(Severity::Warning, "b.js", "w", ""),
            finding(Severity::Info, "c.js", "i", "h"),
        ]);
        assert_eq!(
            got,
            "::error file=dist/a.js,line=12,col=7,title=guardmin serialized-closure::bad read%0Ahelp: guard it\n\
             ::warning file=b.js,line=12,col=7,title=guardmin serialized-closure::w\n\
             ::notice file=c.js,line=12,col=7,title=guardmin serialized-closure::i%0Ahelp: h\n"
        );
    }

    #[test]
    fn escaping() {
        assert_eq!(escape_data("100% a\r\nb: c, d"), "100%25 a%0D%0Ab: c, d");
        assert_eq!(
            escape_property("C:\\x,y%z\r\n.js"),
            "C%3A\\x%2Cy%25z%0D%0A.js"
        );
        // Already-escaped text is escaped again, not decoded.
        assert_eq!(escape_data("%0A"), "%250A");
        // Other control characters cannot reach the log.
        assert_eq!(escape_data("a\x1b[31mb\x07\t"), "a\u{FFFD}[31mb\u{FFFD} ");
    }

    #[test]
    fn hostile_file_cannot_start_a_command() {
        let f = finding(
            Severity::Error,
            "x.js,line=1::\n::error file=evil.js",
            "m\n::warning::forged\x1b]0;t\x07",
            "",
        );
        let got = render(&[f]);
        assert_eq!(got.lines().count(), 1, "{got}");
        assert_eq!(
            got,
            "::error file=x.js%2Cline=1%3A%3A%0A%3A%3Aerror file=evil.js,line=12,col=7,\
             title=guardmin serialized-closure::m%0A::warning::forged\u{FFFD}]0;t\u{FFFD}\n"
        );
        assert!(!got.contains('\x1b'));
    }
}
