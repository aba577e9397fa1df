//! JSON report, stable shape version 1 (documented in the README):
//!
//! ```json
//! {"version":1,"files_scanned":2,"findings":[
//!   {"rule":"emscripten-script-dir","severity":"error","file":"dist/a.min.js",
//!    "line":1592,"column":3829,"message":"...",
//!    "original":{"file":"src/glue.js","line":88,"column":9,"name":"_scriptDir"}}]}
//! ```
//!
//! Lines and columns are 1-based; `original` is `null` without a source map, `name` is `null`
//! when the map names nothing. Strings are written as they are (JSON escapes control
//! characters), so a consumer gets the exact path and message.

use super::ScanReport;
use crate::diagnostic::{OriginalPosition, Severity};
use serde::Serialize;
use std::io::{self, Write};

/// The shape's version; bump it on any incompatible change.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    files_scanned: usize,
    findings: Vec<Item<'a>>,
}

#[derive(Serialize)]
struct Item<'a> {
    rule: &'a str,
    severity: Severity,
    file: &'a str,
    line: u32,
    column: u32,
    message: &'a str,
    original: Option<Original<'a>>,
}

/// Its own struct, so that a field added to [`OriginalPosition`] cannot change the shape.
#[derive(Serialize)]
struct Original<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    name: Option<&'a str>,
}

impl<'a> From<&'a OriginalPosition> for Original<'a> {
    fn from(o: &'a OriginalPosition) -> Self {
        Original {
            file: &o.file,
            line: o.line,
            column: o.column,
            name: o.name.as_deref(),
        }
    }
}

pub fn write(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    let doc = Report {
        version: VERSION,
        files_scanned: report.files_scanned,
        findings: report
            .findings
            .iter()
            .map(|f| Item {
                rule: f.rule,
                severity: f.severity,
                file: &f.file,
                line: f.line,
                column: f.column,
                message: &f.message,
                original: f.original.as_ref().map(Original::from),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{CodeFrame, Finding};
    use serde_json::{json, Value};

    fn findings() -> Vec<Finding> {
        vec![
            Finding {
                rule: "emscripten-script-dir",
                severity: Severity::Error,
                file: "dist/a b.min.js".into(),
                line: 1592,
                column: 3829,
                message: "`e` read \"unguarded\"\n\x1b[31m".into(),
                help: "not in JSON".into(),
                original: Some(OriginalPosition {
                    file: "src/glue.js".into(),
                    line: 88,
                    column: 9,
                    name: Some("_scriptDir".into()),
                }),
                frame: Some(CodeFrame {
                    lines: vec![(1592, "x".into())],
                    caret_line: 1592,
                    caret_offset: 0,
                    caret_len: 1,
                }),
            },
            Finding {
                rule: "undeclared-void-compare",
                severity: Severity::Warning,
                file: "b.js".into(),
                line: 1,
                column: 1,
                message: "m".into(),
                help: String::new(),
                original: Some(OriginalPosition {
                    file: "o.js".into(),
                    line: 2,
                    column: 3,
                    name: None,
                }),
                frame: None,
            },
            Finding {
                rule: "guard-lost",
                severity: Severity::Info,
                file: "c.js".into(),
                line: 4,
                column: 5,
                message: "i".into(),
                help: String::new(),
                original: None,
                frame: None,
            },
        ]
    }

    fn render(findings: &[Finding], files: usize) -> String {
        let rep = ScanReport {
            files_scanned: files,
            findings,
            rules: &[],
            tool_version: "0.0.0",
        };
        let mut buf = Vec::new();
        write(&rep, &mut buf).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn exact_shape() {
        let text = render(&findings(), 7);
        assert!(text.ends_with("}\n"));
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            v,
            json!({
                "version": 1,
                "files_scanned": 7,
                "findings": [
                    {"rule": "emscripten-script-dir", "severity": "error",
                     "file": "dist/a b.min.js", "line": 1592, "column": 3829,
                     "message": "`e` read \"unguarded\"\n\x1b[31m",
                     "original": {"file": "src/glue.js", "line": 88, "column": 9,
                                  "name": "_scriptDir"}},
                    {"rule": "undeclared-void-compare", "severity": "warning",
                     "file": "b.js", "line": 1, "column": 1, "message": "m",
                     "original": {"file": "o.js", "line": 2, "column": 3, "name": null}},
                    {"rule": "guard-lost", "severity": "info", "file": "c.js",
                     "line": 4, "column": 5, "message": "i", "original": null}
                ]
            })
        );
        // Exactly these keys, in this order (serde_json's Value sorts, so check the text).
        let first = &v["findings"][0];
        let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 7);
        let order = [
            "\"rule\"",
            "\"severity\"",
            "\"file\"",
            "\"line\"",
            "\"column\"",
            "\"message\"",
            "\"original\"",
        ];
        let pos: Vec<usize> = order.iter().map(|k| text.find(k).unwrap()).collect();
        assert!(pos.windows(2).all(|w| w[0] < w[1]), "{text}");
        // Control characters are escaped, never written raw.
        assert!(!text.contains('\x1b'));
        assert!(text.contains("\\u001b[31m"));
        assert!(text.contains(r#"\"unguarded\"\n"#));
    }

    #[test]
    fn empty_report() {
        let text = render(&[], 0);
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v, json!({"version": 1, "files_scanned": 0, "findings": []}));
        assert!(text.ends_with('\n'));
    }
}
