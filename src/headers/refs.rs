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

/// A JavaScript token, as far as reference-finding needs.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    /// A string literal, or a template literal without substitutions (decoded).
    Str(String),
    /// An identifier, keyword or number.
    Word(String),
    /// Any other punctuator character.
    Punct(char),
}

/// A heuristic JavaScript tokenizer: comments skipped, regular expressions told from
/// division by the previous token, template substitutions tokenized recursively.
struct Lexer<'a> {
    s: &'a [u8],
    src: &'a str,
    i: usize,
    out: Vec<Tok>,
}

impl<'a> Lexer<'a> {
    fn new(src: &'a str) -> Self {
        Lexer {
            s: src.as_bytes(),
            src,
            i: 0,
            out: Vec::new(),
        }
    }

    fn regex_allowed(&self) -> bool {
        match self.out.last() {
            None => true,
            Some(Tok::Punct(c)) => !matches!(c, ')' | ']'),
            Some(Tok::Word(w)) => matches!(
                w.as_str(),
                "return"
                    | "typeof"
                    | "case"
                    | "do"
                    | "else"
                    | "in"
                    | "instanceof"
                    | "new"
                    | "delete"
                    | "void"
                    | "throw"
                    | "yield"
                    | "await"
                    | "of"
            ),
            Some(Tok::Str(_)) => false,
        }
    }

    /// Tokenizes until the end, or (with `until_brace`) until the `}` that closes a
    /// template substitution, which it consumes.
    fn run(&mut self, until_brace: bool) {
        let mut depth = 0usize;
        while self.i < self.s.len() {
            let c = self.s[self.i];
            match c {
                b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => self.i += 1,
                b'/' if self.s.get(self.i + 1) == Some(&b'/') => {
                    while self.i < self.s.len() && self.s[self.i] != b'\n' {
                        self.i += 1;
                    }
                }
                b'/' if self.s.get(self.i + 1) == Some(&b'*') => {
                    self.i = self.src[self.i + 2..]
                        .find("*/")
                        .map_or(self.s.len(), |e| self.i + 2 + e + 2);
                }
                b'/' if self.regex_allowed() => self.skip_regex(),
                b'\'' | b'"' => {
                    let s = self.string(c);
                    self.out.push(Tok::Str(s));
                }
                b'`' => self.template(),
                b'{' => {
                    depth += 1;
                    self.out.push(Tok::Punct('{'));
                    self.i += 1;
                }
                b'}' => {
                    self.i += 1;
                    if until_brace && depth == 0 {
                        return;
                    }
                    depth = depth.saturating_sub(1);
                    self.out.push(Tok::Punct('}'));
                }
                _ if c == b'$' || c == b'_' || c.is_ascii_alphanumeric() || c >= 0x80 => {
                    let start = self.i;
                    while self.i < self.s.len() {
                        let d = self.s[self.i];
                        if d == b'$' || d == b'_' || d.is_ascii_alphanumeric() || d >= 0x80 {
                            self.i += 1;
                        } else {
                            break;
                        }
                    }
                    // Stay on a char boundary (multi-byte identifiers are consumed whole).
                    while !self.src.is_char_boundary(self.i) {
                        self.i += 1;
                    }
                    self.out
                        .push(Tok::Word(self.src[start..self.i].to_string()));
                }
                _ => {
                    self.out.push(Tok::Punct(c as char));
                    self.i += 1;
                }
            }
        }
    }

    /// A quoted string starting at `self.i`; returns its decoded value.
    fn string(&mut self, q: u8) -> String {
        self.i += 1;
        let mut v = String::new();
        while self.i < self.s.len() {
            let c = self.s[self.i];
            if c == q {
                self.i += 1;
                return v;
            }
            if c == b'\n' {
                return v;
            }
            if c == b'\\' {
                self.i += 1;
                self.escape(&mut v);
                continue;
            }
            let ch = self.src[self.i..].chars().next().unwrap_or('\u{fffd}');
            v.push(ch);
            self.i += ch.len_utf8();
        }
        v
    }

    /// Decodes the escape after a backslash (at `self.i`) into `v`.
    fn escape(&mut self, v: &mut String) {
        let Some(&c) = self.s.get(self.i) else { return };
        let hex = |s: &str| u32::from_str_radix(s, 16).ok().and_then(char::from_u32);
        match c {
            b'n' => v.push('\n'),
            b't' => v.push('\t'),
            b'r' => v.push('\r'),
            b'x' if self.i + 3 <= self.s.len() => {
                if let Some(ch) = self.src.get(self.i + 1..self.i + 3).and_then(hex) {
                    v.push(ch);
                    self.i += 3;
                    return;
                }
                v.push('x');
            }
            b'u' if self.s.get(self.i + 1) == Some(&b'{') => {
                if let Some(end) = self.src[self.i..].find('}') {
                    if let Some(ch) = self.src.get(self.i + 2..self.i + end).and_then(hex) {
                        v.push(ch);
                    }
                    self.i += end + 1;
                    return;
                }
            }
            b'u' if self.i + 5 <= self.s.len() => {
                if let Some(ch) = self.src.get(self.i + 1..self.i + 5).and_then(hex) {
                    v.push(ch);
                    self.i += 5;
                    return;
                }
                v.push('u');
            }
            _ => {
                let ch = self.src[self.i..].chars().next().unwrap_or('\u{fffd}');
                if ch != '\n' && ch != '\r' {
                    v.push(ch);
                }
                self.i += ch.len_utf8();
                return;
            }
        }
        self.i += 1;
    }

    /// A template literal: without substitutions it becomes a string token; with them its
    /// text is dropped and each substitution is tokenized.
    fn template(&mut self) {
        self.i += 1;
        let mut text = String::new();
        let mut holes = false;
        while self.i < self.s.len() {
            let c = self.s[self.i];
            match c {
                b'`' => {
                    self.i += 1;
                    break;
                }
                b'\\' => {
                    self.i += 1;
                    self.escape(&mut text);
                }
                b'$' if self.s.get(self.i + 1) == Some(&b'{') => {
                    holes = true;
                    self.i += 2;
                    self.out.push(Tok::Punct('('));
                    self.run(true);
                    self.out.push(Tok::Punct(')'));
                }
                _ => {
                    let ch = self.src[self.i..].chars().next().unwrap_or('\u{fffd}');
                    text.push(ch);
                    self.i += ch.len_utf8();
                }
            }
        }
        if holes {
            self.out.push(Tok::Punct('`'));
        } else {
            self.out.push(Tok::Str(text));
        }
    }

    /// A regular expression literal (body, classes, flags); stops at a line end.
    fn skip_regex(&mut self) {
        self.i += 1;
        let mut class = false;
        while self.i < self.s.len() {
            match self.s[self.i] {
                b'\\' => self.i += 2,
                b'[' => {
                    class = true;
                    self.i += 1
                }
                b']' => {
                    class = false;
                    self.i += 1
                }
                b'/' if !class => {
                    self.i += 1;
                    break;
                }
                b'\n' => break,
                _ => self.i += 1,
            }
        }
        while self.i < self.s.len() && self.s[self.i].is_ascii_alphabetic() {
            self.i += 1;
        }
        self.i = self.i.min(self.s.len());
        while !self.src.is_char_boundary(self.i) {
            self.i += 1;
        }
        // Stands for the regex so the next `/` is division.
        self.out.push(Tok::Word("/re/".into()));
    }
}

/// Scans JavaScript source for worker, module, script and `.wasm` references.
pub fn scan_js(src: &str) -> Vec<Ref> {
    let mut lx = Lexer::new(src);
    lx.run(false);
    let t = lx.out;
    let mut refs = Vec::new();
    let mut used = vec![false; t.len()];
    let word = |k: usize, w: &str| matches!(t.get(k), Some(Tok::Word(x)) if x == w);
    let punct = |k: usize, p: char| t.get(k) == Some(&Tok::Punct(p));
    let string = |k: usize| match t.get(k) {
        Some(Tok::Str(s)) => Some(s.clone()),
        _ => None,
    };
    // `new URL(<str>, import.meta.url)` at k (the `new`): the string and its index.
    let new_url_meta = |k: usize| -> Option<(String, usize)> {
        if word(k, "new") && word(k + 1, "URL") && punct(k + 2, '(') && punct(k + 4, ',') {
            let s = string(k + 3)?;
            let meta = word(k + 5, "import")
                && punct(k + 6, '.')
                && word(k + 7, "meta")
                && punct(k + 8, '.')
                && word(k + 9, "url");
            if meta {
                return Some((s, k + 3));
            }
        }
        None
    };
    for k in 0..t.len() {
        // new Worker('w.js') / new Worker(new URL('w.js', import.meta.url))
        if word(k, "new")
            && (word(k + 1, "Worker") || word(k + 1, "SharedWorker"))
            && punct(k + 2, '(')
        {
            if let Some(s) = string(k + 3) {
                used[k + 3] = true;
                if keep_spec(&s, false) {
                    push_unique(&mut refs, &s, Kind::Worker, Against::Document);
                }
            } else if let Some((s, at)) = new_url_meta(k + 3) {
                used[at] = true;
                if keep_spec(&s, false) {
                    push_unique(&mut refs, &s, Kind::Worker, Against::Script);
                }
            }
            continue;
        }
        if let Some((s, at)) = new_url_meta(k) {
            if used[at] {
                continue;
            }
            used[at] = true;
            if keep_spec(&s, false) {
                let kind = if is_wasm_spec(&s) {
                    Kind::Wasm
                } else {
                    Kind::Asset
                };
                push_unique(&mut refs, &s, kind, Against::Script);
            }
            continue;
        }
        // import('./m.js'), import './m.js', ... from './m.js'
        let module_at = if word(k, "import") && punct(k + 1, '(') && string(k + 2).is_some() {
            Some(k + 2)
        } else if (word(k, "import") || word(k, "from")) && string(k + 1).is_some() {
            // `x.from 'a'` is not valid JS, but guard against `obj.from` anyway.
            (k == 0 || !punct(k - 1, '.')).then_some(k + 1)
        } else {
            None
        };
        if let Some(at) = module_at {
            let s = string(at).unwrap_or_default();
            used[at] = true;
            if keep_spec(&s, true) {
                push_unique(&mut refs, &s, Kind::CorsScript, Against::Script);
            }
            continue;
        }
        // importScripts('a.js', 'b.js')
        if word(k, "importScripts") && punct(k + 1, '(') {
            let mut j = k + 2;
            while let Some(s) = string(j) {
                used[j] = true;
                if keep_spec(&s, false) {
                    push_unique(&mut refs, &s, Kind::Script, Against::Script);
                }
                if !punct(j + 1, ',') {
                    break;
                }
                j += 2;
            }
        }
    }
    for (k, tok) in t.iter().enumerate() {
        if let Tok::Str(s) = tok {
            if !used[k] && is_wasm_spec(s) {
                push_unique(&mut refs, s, Kind::Wasm, Against::Script);
            }
        }
    }
    refs
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
