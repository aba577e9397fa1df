//! Human-readable report, in the style of rustc and Biome diagnostics:
//!
//! ```text
//! error[serialized-closure]: `_scriptDir` is declared outside a function whose ...
//!   --> dist/app.min.js:12:7
//!    = original: src/glue.js:88:9 (_scriptDir)
//!    |
//! 11 | var f = function () {
//! 12 |   if (_scriptDir) go();
//!    |       ^^^^^^^^^^
//!    = help: guard the read with `typeof _scriptDir !== "undefined"` ...
//!
//! 1 error in 3 files scanned
//! ```
//!
//! Colour (ANSI SGR) only when asked for; without it the output holds no escape sequence at
//! all. Everything that comes from a scanned file (message, path, code) goes through
//! [`sanitize`] once more here, so a hostile bundle can never drive the terminal.

use super::ScanReport;
use crate::diagnostic::{sanitize, CodeFrame, Finding, Severity};
use std::io::{self, Write};

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const BLUE: &str = "\x1b[1;34m";

/// Wraps text in an SGR sequence, or leaves it alone when colour is off.
struct Paint {
    color: bool,
}

impl Paint {
    fn paint(&self, style: &str, text: &str) -> String {
        if self.color {
            format!("{style}{text}{RESET}")
        } else {
            text.to_string()
        }
    }

    fn severity(&self, sev: Severity, text: &str) -> String {
        self.paint(severity_style(sev), text)
    }

    fn gutter(&self, text: &str) -> String {
        self.paint(BLUE, text)
    }
}

fn severity_style(sev: Severity) -> &'static str {
    match sev {
        Severity::Error => RED,
        Severity::Warning => YELLOW,
        Severity::Info => BLUE,
    }
}

pub fn write(report: &ScanReport, out: &mut dyn Write, color: bool) -> io::Result<()> {
    let p = Paint { color };
    for (i, f) in report.findings.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        write_finding(&p, f, out)?;
    }
    if !report.findings.is_empty() {
        writeln!(out)?;
    }
    writeln!(out, "{}", summary(&p, report))?;
    Ok(())
}

fn write_finding(p: &Paint, f: &Finding, out: &mut dyn Write) -> io::Result<()> {
    // Gutter width: the widest line number in the frame (rustc's layout).
    let width = f
        .frame
        .as_ref()
        .and_then(|fr| fr.lines.iter().map(|(n, _)| digits(*n)).max())
        .unwrap_or(1);
    let pad = " ".repeat(width);

    writeln!(
        out,
        "{}{}: {}",
        p.severity(f.severity, f.severity.as_str()),
        p.paint(BOLD, &format!("[{}]", sanitize(f.rule))),
        sanitize(&f.message)
    )?;
    writeln!(
        out,
        "{pad}{} {}:{}:{}",
        p.gutter("-->"),
        sanitize(&f.file),
        f.line,
        f.column
    )?;
    if let Some(o) = &f.original {
        let name = match &o.name {
            Some(n) => format!(" ({})", sanitize(n)),
            None => String::new(),
        };
        writeln!(
            out,
            "{pad} {} original: {}:{}:{}{}",
            p.gutter("="),
            sanitize(&o.file),
            o.line,
            o.column,
            name
        )?;
    }
    if let Some(frame) = f.frame.as_ref().filter(|fr| !fr.lines.is_empty()) {
        write_frame(p, f.severity, frame, width, out)?;
    }
    if !f.help.is_empty() {
        writeln!(out, "{pad} {} help: {}", p.gutter("="), sanitize(&f.help))?;
    }
    Ok(())
}

fn write_frame(
    p: &Paint,
    sev: Severity,
    frame: &CodeFrame,
    width: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let empty = p.gutter(&format!("{:>width$} |", ""));
    writeln!(out, "{empty}")?;
    for (n, text) in &frame.lines {
        let text = sanitize(text);
        let gutter = p.gutter(&format!("{n:>width$} |"));
        if text.is_empty() {
            writeln!(out, "{gutter}")?;
        } else {
            writeln!(out, "{gutter} {text}")?;
        }
        if *n == frame.caret_line {
            let carets = "^".repeat(frame.caret_len.max(1));
            writeln!(
                out,
                "{empty} {}{}",
                " ".repeat(frame.caret_offset),
                p.severity(sev, &carets)
            )?;
        }
    }
    Ok(())
}

fn digits(n: u32) -> usize {
    n.to_string().len()
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `2 errors, 1 warning in 3 files scanned` / `no problems found in 1 file scanned`.
fn summary(p: &Paint, report: &ScanReport) -> String {
    let count = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    let files = plural(report.files_scanned, "file");
    let mut parts = Vec::new();
    for (sev, word) in [
        (Severity::Error, "error"),
        (Severity::Warning, "warning"),
        (Severity::Info, "info"),
    ] {
        let n = count(sev);
        if n > 0 {
            let text = if sev == Severity::Info {
                format!("{n} info")
            } else {
                plural(n, word)
            };
            parts.push(p.severity(sev, &text));
        }
    }
    if parts.is_empty() {
        format!("no problems found in {files} scanned")
    } else {
        format!("{} in {files} scanned", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{OriginalPosition, RuleMeta};

    const RULES: &[RuleMeta] = &[];

    fn finding() -> Finding {
        Finding {
            rule: "serialized-closure",
            severity: Severity::Error,
            file: "dist/app.min.js".into(),
            line: 12,
            column: 7,
            message: "`_scriptDir` is read without a guard".into(),
            help: "guard the read with `typeof _scriptDir`".into(),
            original: Some(OriginalPosition {
                file: "src/glue.js".into(),
                line: 88,
                column: 9,
                name: Some("_scriptDir".into()),
            }),
            frame: Some(CodeFrame {
                lines: vec![
                    (9, "var f = function () {".into()),
                    (12, "  if (_scriptDir) go();".into()),
                ],
                caret_line: 12,
                caret_offset: 6,
                caret_len: 10,
            }),
        }
    }

    fn render(findings: &[Finding], files: usize, color: bool) -> String {
        let rep = ScanReport {
            files_scanned: files,
            findings,
            rules: RULES,
            tool_version: "0.0.0",
        };
        let mut buf = Vec::new();
        write(&rep, &mut buf, color).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn full_finding_plain() {
        let mut warn = finding();
        warn.severity = Severity::Warning;
        warn.rule = "undeclared-void-compare";
        warn.file = "b.js".into();
        warn.line = 3;
        warn.column = 1;
        warn.message = "`x` is compared with void 0".into();
        warn.help = "use typeof".into();
        warn.original = None;
        warn.frame = None;
        let got = render(&[finding(), warn], 3, false);
        let want = "\
error[serialized-closure]: `_scriptDir` is read without a guard
  --> dist/app.min.js:12:7
   = original: src/glue.js:88:9 (_scriptDir)
   |
 9 | var f = function () {
12 |   if (_scriptDir) go();
   |       ^^^^^^^^^^
   = help: guard the read with `typeof _scriptDir`

warning[undeclared-void-compare]: `x` is compared with void 0
 --> b.js:3:1
  = help: use typeof

1 error, 1 warning in 3 files scanned
";
        assert_eq!(got, want);
        assert!(!got.contains('\x1b'));
    }

    #[test]
    fn caret_sits_under_the_column() {
        let got = render(&[finding()], 1, false);
        let lines: Vec<&str> = got.lines().collect();
        let code = lines.iter().position(|l| l.starts_with("12 |")).unwrap();
        let caret = lines[code + 1];
        let x = caret.find('^').unwrap();
        assert_eq!(&lines[code][x..x + 10], "_scriptDir");
        assert_eq!(caret.matches('^').count(), 10);
    }

    #[test]
    fn no_findings_summary() {
        assert_eq!(
            render(&[], 3, false),
            "no problems found in 3 files scanned\n"
        );
        assert_eq!(
            render(&[], 1, true),
            "no problems found in 1 file scanned\n"
        );
    }

    #[test]
    fn summary_counts_and_plurals() {
        let mut a = finding();
        a.frame = None;
        a.original = None;
        let mut b = a.clone();
        b.severity = Severity::Info;
        let got = render(&[a.clone(), a, b], 1, false);
        assert!(
            got.ends_with("\n2 errors, 1 info in 1 file scanned\n"),
            "{got}"
        );
    }

    #[test]
    fn color_only_when_asked() {
        let mut w = finding();
        w.severity = Severity::Warning;
        let mut i = finding();
        i.severity = Severity::Info;
        let got = render(&[finding(), w, i], 1, true);
        assert!(got.contains("\x1b[1;31merror\x1b[0m\x1b[1m[serialized-closure]\x1b[0m: "));
        assert!(got.contains("\x1b[1;33mwarning\x1b[0m"));
        assert!(got.contains("\x1b[1;34minfo\x1b[0m"));
        assert!(got.contains("\x1b[1;31m^^^^^^^^^^\x1b[0m"));
        // Stripping the SGR sequences gives back the plain report.
        let stripped = strip_sgr(&got);
        let plain = render(&[finding(), finding(), finding()], 1, false);
        assert_eq!(
            stripped
                .replace("warning", "error")
                .replace("info", "error"),
            plain.replace("3 errors", "1 error, 1 error, 1 error")
        );
    }

    fn strip_sgr(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for d in chars.by_ref() {
                    if d == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn file_contents_cannot_inject_escapes() {
        let mut f = finding();
        f.message = "evil \x1b[2J\x1b]0;title\x07 message\nsecond line".into();
        f.file = "a\x1b[31m.js".into();
        f.help = "help\r\x1b[K".into();
        f.original.as_mut().unwrap().file = "src/\x1b[1m.js".into();
        f.original.as_mut().unwrap().name = Some("n\x1bx".into());
        f.frame.as_mut().unwrap().lines[1].1 = "  if (\x1b[8m_scriptDir) go();".into();
        for color in [false, true] {
            let got = render(&[f.clone()], 1, color);
            let no_sgr = got
                .replace(RESET, "")
                .replace(BOLD, "")
                .replace(RED, "")
                .replace(BLUE, "");
            assert!(!no_sgr.contains('\x1b'), "{got:?}");
            assert!(!no_sgr.contains('\x07'));
            assert!(!no_sgr.contains('\r'));
            // The message stays on its line.
            assert!(no_sgr.starts_with(
                "error[serialized-closure]: evil \u{FFFD}[2J\u{FFFD}]0;title\u{FFFD} message\u{FFFD}second line\n"
            ));
            assert!(no_sgr.contains(" a\u{FFFD}[31m.js:12:7\n"));
        }
    }
}
