//! Finding the scripts, workers and `.wasm` files a page and its scripts reference.
//!
//! Deliberately lexical, not a full parse: pages and bundles that do not parse (a template
//! in a `<script type="text/x-template">`, a syntax newer than the parser) still yield their
//! references. The HTML side reads tags and attributes; the JavaScript side tokenizes
//! (skipping comments, regular expressions and template text) and matches a few token
//! patterns:
//!
//! | pattern | kind | resolved against |
//! | --- | --- | --- |
//! | `new Worker('w.js')`, `new SharedWorker(...)` | worker | the document (or the worker it runs in) |
//! | `new Worker(new URL('w.js', import.meta.url))` | worker | the script |
//! | `new URL('x.wasm', import.meta.url)` | wasm (other files: asset) | the script |
//! | `import ... from './m.js'`, `import('./m.js')`, `import './m.js'` | module | the script |
//! | `importScripts('a.js', ...)` | classic script | the script |
//! | any other string literal ending in `.wasm` | wasm | the script |
//!
//! Only relative (`./x`, `../x`, `/x`, `x.wasm`) and http(s) URLs are kept; bare module
//! specifiers (`react`), `data:` and `blob:` URLs are skipped.

use super::policy::Kind;

mod js;
pub use js::scan_js;

/// What a reference's relative URL is resolved against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Against {
    /// The document's base URL (for code running in a worker: the worker's URL).
    Document,
    /// The URL of the script the reference was found in (`import.meta.url`, and where
    /// Emscripten glue looks for its `.wasm`).
    Script,
}

/// One reference found in a page or a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref {
    /// The URL as written.
    pub spec: String,
    pub kind: Kind,
    pub against: Against,
}

/// What a page references.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Page {
    /// `<base href>`, if any.
    pub base_href: Option<String>,
    /// `<script src>`, module preloads and `.wasm` attribute values (all resolved against
    /// the document).
    pub refs: Vec<Ref>,
    /// Inline script bodies (their references resolve against the document).
    pub inline_scripts: Vec<String>,
}

/// Scans an HTML page for `<base href>`, `<script>` (external and inline),
/// `<link rel=modulepreload|preload>` and attribute values ending in `.wasm`.
pub fn scan_html(html: &str) -> Page {
    let mut page = Page::default();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        i += off;
        let rest = &html[i..];
        if rest.starts_with("<!--") {
            i += rest.find("-->").map_or(rest.len(), |e| e + 3);
            continue;
        }
        let name_end = rest[1..]
            .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
            .map_or(rest.len(), |e| e + 1);
        let name = rest[1..name_end].to_ascii_lowercase();
        if name.is_empty() || !name.as_bytes()[0].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let (attrs, after) = parse_attrs(html, i + name_end);
        i = after;
        for (_, v) in &attrs {
            if is_wasm_spec(v) {
                push_unique(&mut page.refs, v, Kind::Wasm, Against::Document);
            }
        }
        let get = |n: &str| attrs.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        match name.as_str() {
            "base" if page.base_href.is_none() => {
                page.base_href = get("href").map(str::to_string);
            }
            "script" => {
                let ty = get("type").unwrap_or("").trim().to_ascii_lowercase();
                let module = ty == "module";
                let js = module
                    || ty.is_empty()
                    || ty.contains("javascript")
                    || ty.contains("ecmascript");
                // The body runs to `</script`, whatever it holds.
                let close = find_ci(&html[i..], "</script").map_or(html.len(), |e| i + e);
                let body = &html[i..close];
                i = close;
                if !js {
                    continue;
                }
                match get("src") {
                    Some(src) if keep_spec(src, false) => {
                        let kind = if module || get("crossorigin").is_some() {
                            Kind::CorsScript
                        } else {
                            Kind::Script
                        };
                        push_unique(&mut page.refs, src, kind, Against::Document);
                    }
                    Some(_) => {}
                    None => page.inline_scripts.push(body.to_string()),
                }
            }
            "link" => {
                let rel = get("rel").unwrap_or("").to_ascii_lowercase();
                let href = get("href").unwrap_or("");
                let rels: Vec<&str> = rel.split_ascii_whitespace().collect();
                if !keep_spec(href, false) {
                    continue;
                }
                if rels.contains(&"modulepreload") {
                    push_unique(&mut page.refs, href, Kind::CorsScript, Against::Document);
                } else if rels.contains(&"preload")
                    && get("as").is_some_and(|a| a.eq_ignore_ascii_case("script"))
                {
                    let kind = if get("crossorigin").is_some() {
                        Kind::CorsScript
                    } else {
                        Kind::Script
                    };
                    push_unique(&mut page.refs, href, kind, Against::Document);
                }
            }
            _ => {}
        }
    }
    page
}

/// Parses the attributes of a tag starting at `i` (just after its name); returns them
/// (names lowercased, values with the common entities decoded) and the index after `>`.
fn parse_attrs(html: &str, mut i: usize) -> (Vec<(String, String)>, usize) {
    let b = html.as_bytes();
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() {
            return (attrs, i);
        }
        if b[i] == b'>' {
            return (attrs, i + 1);
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = html[start..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let vs = i + 1;
                let ve = html[vs..].find(q as char).map_or(html.len(), |e| vs + e);
                value = decode_entities(&html[vs..ve]);
                i = (ve + 1).min(b.len());
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                value = decode_entities(&html[vs..i]);
            }
        }
        if !name.is_empty() {
            attrs.push((name, value));
        }
    }
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Case-insensitive ASCII find.
fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let h = hay.as_bytes();
    let n = needle.as_bytes();
    (0..=h.len().checked_sub(n.len())?).find(|&s| h[s..s + n.len()].eq_ignore_ascii_case(n))
}

fn push_unique(refs: &mut Vec<Ref>, spec: &str, kind: Kind, against: Against) {
    let spec = spec.trim().to_string();
    if !refs
        .iter()
        .any(|r| r.spec == spec && r.kind == kind && r.against == against)
    {
        refs.push(Ref {
            spec,
            kind,
            against,
        });
    }
}

/// Whether a URL as written is worth resolving: not empty, no whitespace or template
/// holes, not `data:`/`blob:`/`javascript:`; with `module_specifier`, also not a bare
/// specifier (`react`), which only an import map could resolve.
fn keep_spec(spec: &str, module_specifier: bool) -> bool {
    let s = spec.trim();
    if s.is_empty() || s.chars().any(char::is_whitespace) || s.contains("${") {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    if let Some((scheme, _)) = lower.split_once(':') {
        if scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            return scheme == "http" || scheme == "https";
        }
    }
    if module_specifier {
        return s.starts_with("./") || s.starts_with("../") || s.starts_with('/');
    }
    true
}

/// Whether a string names a `.wasm` file: ends in `.wasm` (before any `?` or `#`) with a
/// file name in front of it.
fn is_wasm_spec(s: &str) -> bool {
    let path = s.split(['?', '#']).next().unwrap_or("");
    let file = path.rsplit('/').next().unwrap_or("");
    file.len() > 5 && file.to_ascii_lowercase().ends_with(".wasm") && keep_spec(s, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs(refs: &[Ref]) -> Vec<(String, Kind, Against)> {
        refs.iter()
            .map(|r| (r.spec.clone(), r.kind, r.against))
            .collect()
    }

    #[test]
    fn html_scripts_base_and_wasm() {
        let page = scan_html(
            r#"<!doctype html><html><head>
<BASE HREF="/app/">
<!-- <script src="commented.js"></script> -->
<script src="a.js"></script>
<script type=module src='m.js'></script>
<script src="https://cdn.example/c.js" crossorigin></script>
<script type="text/x-template"><div>"x.wasm"</div></script>
<link rel="modulepreload" href="/chunk.js">
<link rel=preload as=fetch href="/w/model.wasm" crossorigin>
<script>
  const w = new Worker('worker.js');
  fetch("inline.wasm");
</script>
<script src="data:text/javascript,1"></script>
</head></html>"#,
        );
        assert_eq!(page.base_href.as_deref(), Some("/app/"));
        assert_eq!(
            specs(&page.refs),
            vec![
                ("a.js".into(), Kind::Script, Against::Document),
                ("m.js".into(), Kind::CorsScript, Against::Document),
                (
                    "https://cdn.example/c.js".into(),
                    Kind::CorsScript,
                    Against::Document
                ),
                ("/chunk.js".into(), Kind::CorsScript, Against::Document),
                ("/w/model.wasm".into(), Kind::Wasm, Against::Document),
            ]
        );
        assert_eq!(page.inline_scripts.len(), 1);
        assert!(page.inline_scripts[0].contains("new Worker"));
    }

    #[test]
    fn js_patterns() {
        let refs = scan_js(
            r#"
import x from "./dep.js"; import "./side.js"; import React from "react";
const m = await import('./lazy.js');
// new Worker("commented.js") and 'commented.wasm'
/* "block.wasm" */
var re = /"quote.wasm/g, half = 4 / 2, q = "a" / 1;
new Worker(new URL('./w.js', import.meta.url), { type: 'module' });
new SharedWorker("shared.js");
const u = new URL("../lib/engine.wasm", import.meta.url).href;
const img = new URL(`./logo.png`, import.meta.url);
importScripts('a.js', "b.js");
var wasmBinaryFile = "tfjs-backend-wasm-threaded-simd.wasm";
if (name.endsWith(".wasm")) {}
const t = `${base}/dyn.wasm`, k = `${"hole.wasm"}`;
var blob = "data:application/wasm;base64,AGFzbQ.wasm";
"#,
        );
        assert_eq!(
            specs(&refs),
            vec![
                ("./dep.js".into(), Kind::CorsScript, Against::Script),
                ("./side.js".into(), Kind::CorsScript, Against::Script),
                ("./lazy.js".into(), Kind::CorsScript, Against::Script),
                ("./w.js".into(), Kind::Worker, Against::Script),
                ("shared.js".into(), Kind::Worker, Against::Document),
                ("../lib/engine.wasm".into(), Kind::Wasm, Against::Script),
                ("./logo.png".into(), Kind::Asset, Against::Script),
                ("a.js".into(), Kind::Script, Against::Script),
                ("b.js".into(), Kind::Script, Against::Script),
                (
                    "tfjs-backend-wasm-threaded-simd.wasm".into(),
                    Kind::Wasm,
                    Against::Script
                ),
                ("hole.wasm".into(), Kind::Wasm, Against::Script),
            ]
        );
    }

    #[test]
    fn minified_and_escaped() {
        let refs = scan_js(
            r#"!function(){var e=new Worker("w\x2ejs");return e}();a=b/c/d;fetch("m\u002ewasm")"#,
        );
        assert_eq!(
            specs(&refs),
            vec![
                ("w.js".into(), Kind::Worker, Against::Document),
                ("m.wasm".into(), Kind::Wasm, Against::Script),
            ]
        );
    }

    #[test]
    fn unterminated_input_does_not_panic() {
        for s in [
            "'abc",
            "`${",
            "/* x",
            "a = /[/",
            "\"\\",
            "`\\u{",
            "é'ü.wasm",
        ] {
            let _ = scan_js(s);
            let _ = scan_html(s);
        }
        let _ = scan_html("<script src=");
        let _ = scan_html("<a href='x.wasm");
    }
}
