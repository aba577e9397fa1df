//! SARIF 2.1.0, as GitHub code scanning (`github/codeql-action/upload-sarif`) takes it.
//!
//! One run; `tool.driver.rules` lists every rule of the report (plus a generated descriptor
//! for any rule id a finding uses that the list lacks, such as `io-error`), each result points
//! at its rule by `ruleId` and `ruleIndex`. Locations are URIs: a relative path becomes a
//! relative reference against `%SRCROOT%` (forward slashes, percent-encoded), an absolute one
//! a `file://` URI. A source-mapped original position becomes `relatedLocations[0]`
//! (`id` 1). `partialFingerprints.primaryLocationLineHash` is an FNV-1a hash of the rule, the
//! file and the flagged source line (whitespace removed), with the occurrence count of that
//! hash after a colon, so alerts survive unrelated edits. The output is deterministic: no
//! timestamps, no absolute paths that the findings do not have.
//!
//! The tests (`tests/sarif_schema.rs`) validate this output against the official schema.

use super::ScanReport;
use crate::diagnostic::{sanitize, Finding, RuleMeta, Severity};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{self, Write};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const INFORMATION_URI: &str = "https://github.com/guardmin/guardmin";
/// The base id that relative artifact URIs are resolved against (GitHub sets it to the
/// checkout).
pub const SRCROOT: &str = "%SRCROOT%";

pub fn write(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(report))?;
    writeln!(out)
}

/// The SARIF log as a JSON value.
pub fn to_value(report: &ScanReport) -> Value {
    // Rules: the report's, then one per unknown rule id in order of first use.
    let mut rules: Vec<Value> = report.rules.iter().map(rule_descriptor).collect();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, r) in report.rules.iter().enumerate() {
        index.entry(r.id).or_insert(i);
    }
    for f in report.findings {
        if !index.contains_key(f.rule) {
            index.insert(f.rule, rules.len());
            rules.push(generated_descriptor(f));
        }
    }

    let mut occurrences: HashMap<u64, u32> = HashMap::new();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let hash = line_hash(f);
            let n = occurrences.entry(hash).or_insert(0);
            *n += 1;
            result(f, index[f.rule], &format!("{hash:016x}:{n}"))
        })
        .collect();

    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "guardmin",
                    "version": report.tool_version,
                    "informationUri": INFORMATION_URI,
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

fn level(sev: Severity) -> &'static str {
    match sev {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// GitHub's `problem.severity` property.
fn problem_severity(sev: Severity) -> &'static str {
    match sev {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "recommendation",
    }
}

/// `serialized-closure` → `SerializedClosure`.
pub fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + cs.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn descriptor(id: &str, sev: Severity, summary: &str, help: &str) -> Value {
    let full = if help.is_empty() {
        summary.to_string()
    } else {
        format!("{summary} Fix: {help}.")
    };
    json!({
        "id": id,
        "name": pascal_case(id),
        "shortDescription": { "text": summary },
        "fullDescription": { "text": full },
        "help": { "text": if help.is_empty() { summary } else { help } },
        "defaultConfiguration": { "level": level(sev) },
        "properties": {
            "tags": ["correctness"],
            "problem.severity": problem_severity(sev),
        }
    })
}

fn rule_descriptor(r: &RuleMeta) -> Value {
    descriptor(r.id, r.severity, r.summary, r.help)
}

fn generated_descriptor(f: &Finding) -> Value {
    let summary = format!("guardmin reported `{}`.", sanitize(f.rule));
    descriptor(f.rule, f.severity, &summary, &sanitize(&f.help))
}

fn result(f: &Finding, rule_index: usize, fingerprint: &str) -> Value {
    let mut region = json!({ "startLine": f.line.max(1), "startColumn": f.column.max(1) });
    if let Some(fr) = &f.frame {
        if fr.caret_line == f.line {
            region["endColumn"] = json!(f.column.max(1) as usize + fr.caret_len);
        }
    }
    let mut res = json!({
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": { "text": sanitize(&f.message) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact_location(&to_uri(&f.file)),
                "region": region,
            }
        }],
        "partialFingerprints": { "primaryLocationLineHash": fingerprint },
    });
    if let Some(o) = &f.original {
        res["relatedLocations"] = json!([{
            "id": 1,
            "message": { "text": "original source" },
            "physicalLocation": {
                "artifactLocation": artifact_location(&original_to_uri(&o.file)),
                "region": { "startLine": o.line.max(1), "startColumn": o.column.max(1) },
            }
        }]);
    }
    res
}

/// `{"uri": ..., "uriBaseId": "%SRCROOT%"}` for a relative reference, `{"uri": ...}` for an
/// absolute one.
fn artifact_location((uri, relative): &(String, bool)) -> Value {
    if *relative {
        json!({ "uri": uri, "uriBaseId": SRCROOT })
    } else {
        json!({ "uri": uri })
    }
}

/// A source map's source: a URI as it is (`webpack://pkg/src/a.js`, percent-encoded where it
/// must be), anything else as a path.
pub fn original_to_uri(file: &str) -> (String, bool) {
    if has_scheme(file) {
        (encode(file, UriPart::Uri), false)
    } else {
        to_uri(file)
    }
}

/// A file system path as a URI reference, and whether it is relative: a relative path stays
/// relative (forward slashes, `./` dropped), an absolute one becomes a `file://` URI.
pub fn to_uri(file: &str) -> (String, bool) {
    let path = file.replace('\\', "/");
    let b = path.as_bytes();
    if b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/' {
        // Windows drive path: file:///C:/dir/f.js
        let (drive, rest) = path.split_at(2);
        return (
            format!("file:///{drive}{}", encode(rest, UriPart::Path)),
            false,
        );
    }
    if let Some(rest) = path.strip_prefix("//") {
        // UNC: file://server/share/f.js
        return (format!("file://{}", encode(rest, UriPart::Path)), false);
    }
    if path.starts_with('/') {
        return (format!("file://{}", encode(&path, UriPart::Path)), false);
    }
    let mut rel = path.as_str();
    while let Some(r) = rel.strip_prefix("./") {
        rel = r.trim_start_matches('/');
    }
    (encode(rel, UriPart::Path), true)
}

/// `scheme:` with a scheme of two characters or more (one letter is a Windows drive).
fn has_scheme(s: &str) -> bool {
    let Some(colon) = s.find(':') else {
        return false;
    };
    let scheme = &s[..colon];
    scheme.len() >= 2
        && scheme.as_bytes()[0].is_ascii_alphabetic()
        && scheme
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
}

#[derive(Clone, Copy, PartialEq)]
enum UriPart {
    /// A file system path: only unreserved characters, `/` and harmless sub-delimiters stay.
    Path,
    /// Already a URI: everything a URI may hold stays, existing `%XX` escapes included.
    Uri,
}

fn encode(s: &str, part: UriPart) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in bytes.iter().enumerate() {
        let keep = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'-' | b'.' | b'_' | b'~' | b'/' | b'!' | b'$' | b'&' | b'\'' | b'(' | b')'
            )
            || matches!(c, b'*' | b'+' | b',' | b';' | b'=' | b'@')
            || (part == UriPart::Uri
                && (matches!(c, b':' | b'?' | b'#' | b'[' | b']')
                    || (c == b'%'
                        && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                        && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))));
        if keep {
            out.push(c as char);
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
    out
}

/// FNV-1a (64 bit) of rule, file and the flagged line's text without whitespace; the
/// message stands in for the line when the finding has no code frame.
fn line_hash(f: &Finding) -> u64 {
    let line_text = f
        .frame
        .as_ref()
        .and_then(|fr| {
            fr.lines
                .iter()
                .find(|(n, _)| *n == fr.caret_line)
                .map(|(_, t)| t.as_str())
        })
        .unwrap_or(&f.message);
    let mut h = Fnv::new();
    h.write(f.rule.as_bytes());
    h.write(&[0]);
    h.write(f.file.replace('\\', "/").as_bytes());
    h.write(&[0]);
    for c in line_text.chars().filter(|c| !c.is_whitespace()) {
        let mut buf = [0u8; 4];
        h.write(c.encode_utf8(&mut buf).as_bytes());
    }
    h.0
}

struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{CodeFrame, OriginalPosition};

    const RULES: &[RuleMeta] = &[
        RuleMeta {
            id: "serialized-closure",
            severity: Severity::Error,
            summary: "A function reads an outer variable.",
            help: "guard the read",
        },
        RuleMeta {
            id: "undeclared-void-compare",
            severity: Severity::Warning,
            summary: "A global is compared with void 0.",
            help: "use typeof",
        },
    ];

    fn frame(line: u32, text: &str) -> CodeFrame {
        CodeFrame {
            lines: vec![(line, text.into())],
            caret_line: line,
            caret_offset: 2,
            caret_len: 3,
        }
    }

    fn findings() -> Vec<Finding> {
        vec![
            Finding {
                rule: "serialized-closure",
                severity: Severity::Error,
                file: "dist\\my app.min.js".into(),
                line: 3,
                column: 5,
                message: "`e` is read \x1b[31m".into(),
                help: "guard `e`".into(),
                original: Some(OriginalPosition {
                    file: "webpack://pkg/./src/glue.js".into(),
                    line: 88,
                    column: 9,
                    name: Some("_scriptDir".into()),
                }),
                frame: Some(frame(3, "  if (e) go();")),
            },
            Finding {
                rule: "serialized-closure",
                severity: Severity::Error,
                file: "dist\\my app.min.js".into(),
                line: 9,
                column: 5,
                message: "`e` is read".into(),
                help: "guard `e`".into(),
                original: None,
                frame: Some(frame(9, "if (e) go();   ")),
            },
            Finding {
                rule: "undeclared-void-compare",
                severity: Severity::Info,
                file: "/abs/x#1.js".into(),
                line: 1,
                column: 1,
                message: "m".into(),
                help: String::new(),
                original: None,
                frame: None,
            },
            Finding {
                rule: "io-error",
                severity: Severity::Error,
                file: "./c.js".into(),
                line: 1,
                column: 1,
                message: "cannot read".into(),
                help: "check permissions".into(),
                original: None,
                frame: None,
            },
        ]
    }

    fn log(findings: &[Finding]) -> (Value, String) {
        let rep = ScanReport {
            files_scanned: 3,
            findings,
            rules: RULES,
            tool_version: "1.2.3",
        };
        let mut buf = Vec::new();
        write(&rep, &mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        (serde_json::from_str(&text).unwrap(), text)
    }

    #[test]
    fn header_and_driver() {
        let (v, text) = log(&findings());
        assert!(text.ends_with("}\n"));
        assert_eq!(v["$schema"], SCHEMA_URI);
        assert_eq!(v["version"], "2.1.0");
        assert_eq!(v["runs"].as_array().unwrap().len(), 1);
        let driver = &v["runs"][0]["tool"]["driver"];
        assert_eq!(driver["name"], "guardmin");
        assert_eq!(driver["version"], "1.2.3");
        assert_eq!(driver["informationUri"], INFORMATION_URI);
        let rules = driver["rules"].as_array().unwrap();
        assert_eq!(rules.len(), 3, "two known rules and a generated io-error");
        assert_eq!(
            rules[0],
            json!({
                "id": "serialized-closure",
                "name": "SerializedClosure",
                "shortDescription": {"text": "A function reads an outer variable."},
                "fullDescription": {"text": "A function reads an outer variable. Fix: guard the read."},
                "help": {"text": "guard the read"},
                "defaultConfiguration": {"level": "error"},
                "properties": {"tags": ["correctness"], "problem.severity": "error"}
            })
        );
        assert_eq!(rules[1]["defaultConfiguration"]["level"], "warning");
        assert_eq!(rules[1]["properties"]["problem.severity"], "warning");
        assert_eq!(rules[2]["id"], "io-error");
        assert_eq!(rules[2]["name"], "IoError");
        assert_eq!(rules[2]["help"]["text"], "check permissions");
    }

    #[test]
    fn results() {
        let (v, _) = log(&findings());
        let results = v["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 4);
        let r0 = &results[0];
        assert_eq!(r0["ruleId"], "serialized-closure");
        assert_eq!(r0["ruleIndex"], 0);
        assert_eq!(r0["level"], "error");
        assert_eq!(r0["message"]["text"], "`e` is read \u{FFFD}[31m");
        assert_eq!(
            r0["locations"][0]["physicalLocation"],
            json!({
                "artifactLocation": {"uri": "dist/my%20app.min.js", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 3, "startColumn": 5, "endColumn": 8}
            })
        );
        assert_eq!(
            r0["relatedLocations"],
            json!([{
                "id": 1,
                "message": {"text": "original source"},
                "physicalLocation": {
                    "artifactLocation": {"uri": "webpack://pkg/./src/glue.js"},
                    "region": {"startLine": 88, "startColumn": 9}
                }
            }])
        );
        assert!(results[1].get("relatedLocations").is_none());
        assert_eq!(results[2]["level"], "note");
        assert_eq!(results[2]["ruleIndex"], 1);
        assert_eq!(
            results[2]["locations"][0]["physicalLocation"]["artifactLocation"],
            json!({"uri": "file:///abs/x%231.js"})
        );
        assert_eq!(results[3]["ruleId"], "io-error");
        assert_eq!(results[3]["ruleIndex"], 2);
        assert_eq!(
            results[3]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "c.js"
        );
        assert_eq!(
            results[3]["locations"][0]["physicalLocation"]["region"],
            json!({"startLine": 1, "startColumn": 1})
        );
    }

    #[test]
    fn fingerprints_are_stable_and_count_occurrences() {
        let (v, _) = log(&findings());
        let fps: Vec<String> = v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["primaryLocationLineHash"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        for fp in &fps {
            let (hash, n) = fp.split_once(':').unwrap();
            assert_eq!(hash.len(), 16, "{fp}");
            assert!(hash
                .bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
            assert!(n.parse::<u32>().unwrap() >= 1);
        }
        // Same rule, file and line text (whitespace aside) on lines 3 and 9: same hash,
        // occurrences 1 and 2.
        let (h0, n0) = fps[0].split_once(':').unwrap();
        let (h1, n1) = fps[1].split_once(':').unwrap();
        assert_eq!((h0, n0, n1), (h1, "1", "2"));
        assert_ne!(fps[2].split_once(':').unwrap().0, h0);
        // Moving the finding to another line keeps its fingerprint; editing the line changes it.
        let mut moved = findings();
        moved[0].line = 40;
        moved[0].frame = Some(frame(40, "if (e) go();"));
        let (v2, _) = log(&moved);
        assert_eq!(
            v2["runs"][0]["results"][0]["partialFingerprints"]["primaryLocationLineHash"],
            fps[0].as_str()
        );
        let mut edited = findings();
        edited[0].frame = Some(frame(3, "if (f) go();"));
        let (v3, _) = log(&edited);
        assert_ne!(
            v3["runs"][0]["results"][0]["partialFingerprints"]["primaryLocationLineHash"],
            fps[0].as_str()
        );
        // Known FNV-1a vectors.
        let mut h = Fnv::new();
        h.write(b"a");
        assert_eq!(h.0, 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn deterministic() {
        let (_, a) = log(&findings());
        let (_, b) = log(&findings());
        assert_eq!(a, b);
    }

    #[test]
    fn uris() {
        assert_eq!(to_uri("src/a.js"), ("src/a.js".into(), true));
        assert_eq!(to_uri("./src/a b.js"), ("src/a%20b.js".into(), true));
        assert_eq!(to_uri("src\\win\\f.js"), ("src/win/f.js".into(), true));
        assert_eq!(to_uri("../up/é.js"), ("../up/%C3%A9.js".into(), true));
        assert_eq!(to_uri("a:b%?.js"), ("a%3Ab%25%3F.js".into(), true));
        assert_eq!(
            to_uri("/home/u/a.js"),
            ("file:///home/u/a.js".into(), false)
        );
        assert_eq!(
            to_uri("C:\\Users\\me\\a b.js"),
            ("file:///C:/Users/me/a%20b.js".into(), false)
        );
        assert_eq!(
            to_uri("\\\\server\\share\\a.js"),
            ("file://server/share/a.js".into(), false)
        );
        assert_eq!(to_uri("ab:c.js"), ("ab%3Ac.js".into(), true));
        assert_eq!(
            original_to_uri("webpack://pkg/src/a b.js?x=1#y%41"),
            ("webpack://pkg/src/a%20b.js?x=1#y%41".into(), false)
        );
        assert_eq!(original_to_uri("src/a.js"), ("src/a.js".into(), true));
        assert_eq!(to_uri("c:/x.js"), ("file:///c:/x.js".into(), false));
    }

    #[test]
    fn pascal() {
        assert_eq!(pascal_case("serialized-closure"), "SerializedClosure");
        assert_eq!(pascal_case("emscripten-script-dir"), "EmscriptenScriptDir");
        assert_eq!(pascal_case("syntax-error"), "SyntaxError");
    }

    #[test]
    fn empty_report_still_lists_rules() {
        let (v, _) = log(&[]);
        assert_eq!(v["runs"][0]["results"], json!([]));
        assert_eq!(
            v["runs"][0]["tool"]["driver"]["rules"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
    }
}
