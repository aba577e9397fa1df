//! `--target`: the newest ECMAScript edition the output may use, given as an edition
//! (`es2015`, `esnext`) or as a browserslist query (`chrome 80, safari 14`, `defaults`).
//!
//! swc_ecma_minifier takes an edition only (`ecma`, and the code generator's `target`), so a
//! query is resolved with browserslist-rs (the Rust port of browserslist, with its own copy
//! of the Can I Use data) into browser versions, and each version into the newest edition it
//! runs in full, from [`EDITIONS`]. The output may use the oldest of those.

use swc_ecma_ast::EsVersion;

/// Why a `--target` is not usable; the message says what to write instead.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("--target {query:?}: {reason}; write an edition (es5, es2015 ... es2024, esnext) or a browserslist query such as \"chrome 80, safari 14\" or \"defaults\"")]
    Query { query: String, reason: String },
    #[error("--target {query:?} matches no browser guardmin knows the editions of ({names}); name browsers such as chrome, edge, firefox, safari, ios_saf, samsung, opera, node, or an edition such as es2017")]
    NoKnownBrowser { query: String, names: String },
}

/// A resolved `--target`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub ecma: EsVersion,
    /// For a query: the browser whose edition decided (`safari 13.1: es2019`), to print.
    pub decided_by: Option<String>,
}

/// Editions by their command-line names.
const NAMES: [(&str, EsVersion); 14] = [
    ("es5", EsVersion::Es5),
    ("es6", EsVersion::Es2015),
    ("es2015", EsVersion::Es2015),
    ("es2016", EsVersion::Es2016),
    ("es2017", EsVersion::Es2017),
    ("es2018", EsVersion::Es2018),
    ("es2019", EsVersion::Es2019),
    ("es2020", EsVersion::Es2020),
    ("es2021", EsVersion::Es2021),
    ("es2022", EsVersion::Es2022),
    ("es2023", EsVersion::Es2023),
    ("es2024", EsVersion::Es2024),
    ("esnext", EsVersion::EsNext),
    ("latest", EsVersion::EsNext),
];

/// An edition by name (`es2017`, `ES2017`, `2017`, `5`), or `None` when `s` is no edition.
pub fn edition(s: &str) -> Option<EsVersion> {
    let t = s.trim().to_ascii_lowercase();
    let t = if t.chars().all(|c| c.is_ascii_digit()) && !t.is_empty() {
        format!("es{t}")
    } else {
        t
    };
    NAMES.iter().find(|(n, _)| *n == t).map(|(_, v)| *v)
}

/// The first version of each browser that runs every feature of an edition without a
/// transform, from Babel's compat data (`@babel/compat-data` 7.29, `data/plugins.json`: the
/// highest version over the transforms of that edition and all before it). Columns:
/// ES2015 ... ES2022; `None`: never. Editions after ES2022 add no syntax the minifier writes.
/// Babel counts engine bugs too (Safari's parameter scope bug puts its ES2015 at 16.3), so
/// this is on the safe side. Browsers not listed (Opera Mini, KaiOS, UC, QQ, Baidu) are left
/// out of the decision, as Babel does.
const EDITIONS: [(&str, [Option<&str>; 8]); 12] = [
    (
        "chrome",
        [
            Some("51"),
            Some("52"),
            Some("55"),
            Some("64"),
            Some("66"),
            Some("91"),
            Some("91"),
            Some("94"),
        ],
    ),
    (
        "edge",
        [
            Some("79"),
            Some("79"),
            Some("79"),
            Some("79"),
            Some("79"),
            Some("91"),
            Some("91"),
            Some("94"),
        ],
    ),
    (
        "firefox",
        [
            Some("53"),
            Some("53"),
            Some("53"),
            Some("78"),
            Some("78"),
            Some("80"),
            Some("80"),
            Some("93"),
        ],
    ),
    (
        "safari",
        [
            Some("16.3"),
            Some("16.3"),
            Some("16.3"),
            Some("16.3"),
            Some("16.3"),
            Some("16.3"),
            Some("16.3"),
            Some("16.4"),
        ],
    ),
    (
        "ios_saf",
        [
            Some("16.3"),
            Some("16.3"),
            Some("16.3"),
            Some("16.3"),
            Some("16.3"),
            Some("16.3"),
            Some("16.3"),
            Some("16.4"),
        ],
    ),
    (
        "opera",
        [
            Some("38"),
            Some("39"),
            Some("42"),
            Some("51"),
            Some("53"),
            Some("77"),
            Some("77"),
            Some("80"),
        ],
    ),
    (
        "op_mob",
        [
            Some("41"),
            Some("41"),
            Some("42"),
            Some("47"),
            Some("47"),
            Some("64"),
            Some("64"),
            Some("66"),
        ],
    ),
    (
        "samsung",
        [
            Some("5"),
            Some("6"),
            Some("6"),
            Some("9"),
            Some("9"),
            Some("16"),
            Some("16"),
            Some("17"),
        ],
    ),
    (
        "node",
        [
            Some("6.5"),
            Some("7"),
            Some("7.6"),
            Some("10"),
            Some("10"),
            Some("16.9"),
            Some("16.9"),
            Some("16.11"),
        ],
    ),
    ("ie", [None; 8]),
    ("ie_mob", [None; 8]),
    ("bb", [None; 8]),
];

/// Browserslist names that take another browser's column: Chrome and Firefox for Android,
/// and Android's WebView (Chromium, same version numbers, from 37 on).
fn column_name(browser: &str) -> &str {
    match browser {
        "and_chr" | "android" => "chrome",
        "and_ff" => "firefox",
        b => b,
    }
}

const ORDER: [EsVersion; 8] = [
    EsVersion::Es2015,
    EsVersion::Es2016,
    EsVersion::Es2017,
    EsVersion::Es2018,
    EsVersion::Es2019,
    EsVersion::Es2020,
    EsVersion::Es2021,
    EsVersion::Es2022,
];

/// Compares dotted versions numerically (`16.11` > `16.9`); a range (`15.2-15.3`) counts as
/// its first version.
fn version_ge(v: &str, min: &str) -> bool {
    let parts = |s: &str| -> Vec<u32> {
        s.split('-')
            .next()
            .unwrap_or("")
            .split('.')
            .map(|p| p.parse().unwrap_or(0))
            .collect()
    };
    let (a, b) = (parts(v), parts(min));
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (
            a.get(i).copied().unwrap_or(0),
            b.get(i).copied().unwrap_or(0),
        );
        if x != y {
            return x > y;
        }
    }
    true
}

/// The newest edition one browser version runs in full; `None` for a browser without data.
pub fn browser_edition(browser: &str, version: &str) -> Option<EsVersion> {
    let col = column_name(browser);
    let (_, mins) = EDITIONS.iter().find(|(b, _)| *b == col)?;
    if browser == "android" && !version_ge(version, "37") {
        return Some(EsVersion::Es5);
    }
    let mut best = EsVersion::Es5;
    for (min, ed) in mins.iter().zip(ORDER) {
        match min {
            Some(m) if version_ge(version, m) => best = ed,
            _ => break,
        }
    }
    if best == EsVersion::Es2022 {
        best = EsVersion::EsNext;
    }
    Some(best)
}

/// Resolves a `--target` value.
pub fn resolve(s: &str) -> Result<Target, TargetError> {
    if let Some(ecma) = edition(s) {
        return Ok(Target {
            ecma,
            decided_by: None,
        });
    }
    let query = s.trim().to_string();
    if query.is_empty() {
        return Err(TargetError::Query {
            query,
            reason: "empty".into(),
        });
    }
    let distribs = browserslist::resolve([query.as_str()], &browserslist::Opts::default())
        .map_err(|e| TargetError::Query {
            query: query.clone(),
            reason: format!("not a browserslist query ({e})"),
        })?;
    let mut lowest: Option<(EsVersion, String)> = None;
    let mut unknown = Vec::new();
    for d in &distribs {
        match browser_edition(d.name(), d.version()) {
            Some(ed) => {
                if lowest.as_ref().is_none_or(|(l, _)| ed < *l) {
                    lowest = Some((ed, format!("{} {}", d.name(), d.version())));
                }
            }
            None => unknown.push(d.name().to_string()),
        }
    }
    match lowest {
        Some((ecma, by)) => Ok(Target {
            ecma,
            decided_by: Some(by),
        }),
        None => {
            unknown.dedup();
            Err(TargetError::NoKnownBrowser {
                query,
                names: if unknown.is_empty() {
                    "it matched nothing".into()
                } else {
                    unknown.join(", ")
                },
            })
        }
    }
}

/// The edition's name as `--target` takes it.
pub fn name(v: EsVersion) -> &'static str {
    NAMES
        .iter()
        .rev()
        .find(|(_, e)| *e == v)
        .map(|(n, _)| *n)
        .filter(|n| *n != "latest")
        .unwrap_or("esnext")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editions_by_name() {
        assert_eq!(edition("es2015"), Some(EsVersion::Es2015));
        assert_eq!(edition("ES6"), Some(EsVersion::Es2015));
        assert_eq!(edition("2020"), Some(EsVersion::Es2020));
        assert_eq!(edition("5"), Some(EsVersion::Es5));
        assert_eq!(edition("esnext"), Some(EsVersion::EsNext));
        assert_eq!(edition("es2014"), None);
        assert_eq!(edition("chrome 80"), None);
        assert_eq!(name(EsVersion::Es2015), "es2015");
        assert_eq!(name(EsVersion::EsNext), "esnext");
    }

    #[test]
    fn browser_versions_to_editions() {
        assert_eq!(browser_edition("chrome", "80"), Some(EsVersion::Es2019));
        assert_eq!(browser_edition("chrome", "120"), Some(EsVersion::EsNext));
        assert_eq!(browser_edition("and_chr", "51"), Some(EsVersion::Es2015));
        assert_eq!(browser_edition("firefox", "52"), Some(EsVersion::Es5));
        assert_eq!(browser_edition("node", "16.11"), Some(EsVersion::EsNext));
        assert_eq!(browser_edition("node", "16.10"), Some(EsVersion::Es2021));
        assert_eq!(
            browser_edition("ios_saf", "15.2-15.3"),
            Some(EsVersion::Es5)
        );
        assert_eq!(browser_edition("ie", "11"), Some(EsVersion::Es5));
        assert_eq!(browser_edition("android", "4.4"), Some(EsVersion::Es5));
        assert_eq!(browser_edition("op_mini", "all"), None);
    }

    #[test]
    fn queries_take_the_oldest_browser() {
        let t = resolve("chrome 80, firefox 100").unwrap();
        assert_eq!(t.ecma, EsVersion::Es2019);
        assert_eq!(t.decided_by.as_deref(), Some("chrome 80"));
        assert_eq!(resolve("ie 11").unwrap().ecma, EsVersion::Es5);
        assert_eq!(resolve("es2017").unwrap().ecma, EsVersion::Es2017);
        let e = resolve("chrome banana").unwrap_err().to_string();
        assert!(e.contains("browserslist query"), "{e}");
        let e = resolve("op_mini all").unwrap_err().to_string();
        assert!(e.contains("op_mini"), "{e}");
    }
}
