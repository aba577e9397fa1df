//! Finding references in JavaScript: a small lexer that knows strings, templates, comments
//! and regular expressions, enough to see `new Worker(...)`, `import(...)`, `importScripts`,
//! `new URL(..., import.meta.url)` and `.wasm` literals.

use super::*;

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
