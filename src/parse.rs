//! Parsing with swc: module or script, comments kept, errors turned into [`FileError`]s
//! that name the file, line and column with a code frame.

use crate::diagnostic::{FileError, FileErrorKind};
use crate::source::Source;
use swc_common::comments::SingleThreadedComments;
use swc_common::{sync::Lrc, FileName, Mark, SourceFile, SourceMap, Spanned};
use swc_ecma_ast::{EsVersion, Program};
use swc_ecma_parser::{EsSyntax, Parser, StringInput, Syntax};

/// How to parse: decided from the extension (`.mjs` module, `.cjs` script), forced with
/// `--module` / `--script`, or detected from the code (`import`/`export` make a module).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ParseMode {
    #[default]
    Auto,
    Module,
    Script,
}

impl ParseMode {
    /// The mode for a file: an explicit choice wins, then the extension.
    pub fn for_file(self, name: &str) -> ParseMode {
        if self != ParseMode::Auto {
            return self;
        }
        if name.ends_with(".mjs") {
            ParseMode::Module
        } else if name.ends_with(".cjs") {
            ParseMode::Script
        } else {
            ParseMode::Auto
        }
    }
}

/// A parsed file. Must be used inside the `swc_common::GLOBALS` it was created in.
pub struct Parsed {
    pub cm: Lrc<SourceMap>,
    pub fm: Lrc<SourceFile>,
    pub program: Program,
    pub comments: SingleThreadedComments,
}

impl Parsed {
    /// Byte offset into the source text of a position in this file.
    pub fn offset(&self, pos: swc_common::BytePos) -> usize {
        (pos.0.saturating_sub(self.fm.start_pos.0)) as usize
    }
}

/// Deepest bracket nesting guardmin accepts. swc's parser and minifier recurse once per
/// level; far beyond what real bundles use (a few hundred), far below what overflows the
/// stack guardmin runs them on.
pub const MAX_NESTING: usize = 2_000;

/// Most operators guardmin accepts in one run of code without `;`, `{` or `}`: an operator
/// chain nests as deep as it is long, and a million-deep one overflows any stack.
pub const MAX_CHAIN: usize = 300_000;

/// Parses `src`, comments kept. The caller must have entered `swc_common::GLOBALS`.
pub fn parse(src: &Source, text: &str, mode: ParseMode) -> Result<Parsed, FileError> {
    parse_with(src, text, mode, true)
}

/// Parses `src`; `keep_comments: false` leaves [`Parsed::comments`] empty, which saves the
/// parser recording every comment where nobody reads them.
pub fn parse_with(
    src: &Source,
    text: &str,
    mode: ParseMode,
    keep_comments: bool,
) -> Result<Parsed, FileError> {
    check_nesting(src, text)?;
    let cm: Lrc<SourceMap> = Default::default();
    let fm = cm.new_source_file(
        Lrc::new(FileName::Custom(src.name.clone())),
        text.to_string(),
    );
    let comments = SingleThreadedComments::default();
    let syntax = Syntax::Es(EsSyntax {
        allow_return_outside_function: false,
        ..Default::default()
    });
    let mut parser = Parser::new(
        syntax,
        StringInput::from(&*fm),
        keep_comments.then_some(&comments),
    );
    let mode = mode.for_file(&src.name);
    // swc's parser panics on a few malformed tokens (an `unreachable!()` when a template
    // literal holds a bad `\u` escape after a line break): a syntax error where it stopped.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match mode {
        ParseMode::Module => parser.parse_module().map(Program::Module),
        ParseMode::Script => parser.parse_script().map(Program::Script),
        ParseMode::Auto => parser.parse_program(),
    }));
    let start = fm.start_pos.0;
    let result = match result {
        Ok(r) => r,
        Err(_) => {
            let off = parser.cur_pos().0.saturating_sub(start) as usize;
            return Err(FileError::new(
                FileErrorKind::Syntax,
                src.name.clone(),
                "syntax error: invalid token (an invalid escape sequence or an unterminated literal)",
            )
            .at(text, off));
        }
    };
    let to_err = |e: swc_ecma_parser::error::Error| {
        let off = e.span().lo.0.saturating_sub(start) as usize;
        FileError::new(
            FileErrorKind::Syntax,
            src.name.clone(),
            format!("syntax error: {}", e.kind().msg()),
        )
        .at(text, off)
    };
    let mut program = result.map_err(to_err)?;
    if text.contains("-->") {
        repair_html_close_comment_names(&mut program, text, start);
    }
    if let Some(e) = parser.take_errors().into_iter().next() {
        return Err(to_err(e));
    }
    // Code that turned out to be a module (auto mode, at its first `import`/`export`) is
    // strict: swc keeps what only strict mode forbids (reserved words as names, `with`, octal
    // literals) aside in case the file is a script, and leaves it there for a module.
    if matches!(program, Program::Module(_)) {
        if let Some(e) = parser.take_script_module_errors().into_iter().next() {
            return Err(to_err(e));
        }
        // Nor does it say that a word strict mode reserves (`yield`, `static`, `let`, ...)
        // read as a name is one of those (it does in a `.mjs`). The output would not parse.
        if mode == ParseMode::Auto && STRICT_RESERVED.iter().any(|w| text.contains(w)) {
            if let Some((pos, word)) = strict_reserved_name(&program) {
                let off = pos.0.saturating_sub(start) as usize;
                return Err(FileError::new(
                    FileErrorKind::Syntax,
                    src.name.clone(),
                    format!("syntax error: `{word}` is reserved in strict mode and cannot be used as an identifier (this file is a module: it has import, export or import.meta)"),
                )
                .at(text, off));
            }
        }
    }
    let _ = EsVersion::latest();
    let _ = Mark::root();
    Ok(Parsed {
        cm,
        fm,
        program,
        comments,
    })
}

/// swc 47's lexer starts the token after an HTML close comment (`-->` at the start of a line,
/// Annex B) at the comment: the name's span covers the comment, and a contextual keyword read
/// as a name takes its text from that span (`c\n-->\nasync` gives the identifier
/// `"-->\nasync"`, which the code generator writes out verbatim: found by fuzzing, refused by
/// the self-check). Such names and spans are cut back to the identifier at their end.
fn repair_html_close_comment_names(program: &mut Program, text: &str, start: u32) {
    use swc_ecma_visit::{VisitMut, VisitMutWith};
    struct Repair<'a> {
        text: &'a str,
        start: u32,
    }
    impl Repair<'_> {
        fn repair(&self, sym: &mut swc_atoms::Atom, span: &mut swc_common::Span) {
            let lo = span.lo.0.saturating_sub(self.start) as usize;
            let hi = span.hi.0.saturating_sub(self.start) as usize;
            let Some(slice) = self.text.get(lo..hi) else {
                return;
            };
            if !slice.starts_with("-->") {
                return;
            }
            let name_at = slice
                .char_indices()
                .rev()
                .take_while(|(_, c)| c.is_alphanumeric() || *c == '_' || *c == '$')
                .last()
                .map_or(slice.len(), |(i, _)| i);
            let name = &slice[name_at..];
            if name.is_empty() {
                return;
            }
            span.lo = span.hi - swc_common::BytePos(name.len() as u32);
            if sym.contains(['\n', '\r', '\u{2028}', '\u{2029}', '-']) {
                *sym = name.into();
            }
        }
    }
    impl VisitMut for Repair<'_> {
        fn visit_mut_ident(&mut self, i: &mut swc_ecma_ast::Ident) {
            self.repair(&mut i.sym, &mut i.span);
        }
        fn visit_mut_ident_name(&mut self, i: &mut swc_ecma_ast::IdentName) {
            self.repair(&mut i.sym, &mut i.span);
        }
    }
    program.visit_mut_with(&mut Repair { text, start });
}

/// The words only strict mode reserves (ES2024 12.7.2), `await` aside (swc reports it).
const STRICT_RESERVED: [&str; 9] = [
    "implements",
    "interface",
    "let",
    "package",
    "private",
    "protected",
    "public",
    "static",
    "yield",
];

/// Where a word of [`STRICT_RESERVED`] is used as a name (a reference, a binding or a label),
/// which module code never allows.
fn strict_reserved_name(program: &Program) -> Option<(swc_common::BytePos, &'static str)> {
    use swc_ecma_visit::{Visit, VisitWith};
    struct Find(Option<(swc_common::BytePos, &'static str)>);
    impl Visit for Find {
        fn visit_ident(&mut self, i: &swc_ecma_ast::Ident) {
            if self.0.is_none() {
                if let Some(w) = STRICT_RESERVED.iter().find(|w| **w == &*i.sym) {
                    self.0 = Some((i.span.lo, w));
                }
            }
        }
        // `import { yield as y }`, `export { y as yield }`: names of exports, not bindings.
        fn visit_module_export_name(&mut self, _: &swc_ecma_ast::ModuleExportName) {}
    }
    let mut f = Find(None);
    program.visit_with(&mut f);
    f.0
}

/// Refuses code nested deeper than [`MAX_NESTING`] before swc recurses into it. Strings,
/// comments, template literals and regular expressions are skipped roughly; the count only
/// needs to be an upper bound of what the parser will see.
fn check_nesting(src: &Source, text: &str) -> Result<(), FileError> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    // Operators since the last `;`, `{` or `}`: a chain like `1+1+...` or `!!!...` nests as
    // deep as it is long, without a bracket.
    let mut chain = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'^' | b'?' | b'!' | b'~' | b'<'
            | b'>' | b'='
                if !(b[i] == b'/' && matches!(b.get(i + 1), Some(b'/') | Some(b'*'))) =>
            {
                chain += 1;
                if chain > MAX_CHAIN {
                    return Err(FileError::new(
                        FileErrorKind::Input,
                        src.name.clone(),
                        format!("an expression chains more than {MAX_CHAIN} operators; guardmin refuses it rather than risk running out of stack"),
                    )
                    .at(text, i));
                }
            }
            b';' => chain = 0,
            b'(' | b'[' | b'{' => {
                if b[i] == b'{' {
                    chain = 0;
                }
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(FileError::new(
                        FileErrorKind::Input,
                        src.name.clone(),
                        format!(
                            "code nested more than {MAX_NESTING} levels deep; guardmin refuses it rather than risk running out of stack"
                        ),
                    )
                    .at(text, i));
                }
            }
            b')' | b']' | b'}' => {
                if b[i] == b'}' {
                    chain = 0;
                }
                depth = depth.saturating_sub(1);
            }
            q @ (b'"' | b'\'') => {
                i += 1;
                while i < b.len() && b[i] != q && b[i] != b'\n' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use swc_ecma_visit::{Visit, VisitWith};

    fn names(code: &str) -> Vec<(String, usize)> {
        struct V(Vec<(String, usize)>, u32);
        impl Visit for V {
            fn visit_ident(&mut self, i: &swc_ecma_ast::Ident) {
                self.0
                    .push((i.sym.to_string(), (i.span.lo.0 - self.1) as usize));
            }
        }
        let src = Source::from_bytes("t.js".into(), code.as_bytes().to_vec()).unwrap();
        swc_common::GLOBALS.set(&Default::default(), || {
            let p = parse(&src, &src.text, ParseMode::Script).unwrap();
            let mut v = V(Vec::new(), p.fm.start_pos.0);
            p.program.visit_with(&mut v);
            v.0
        })
    }

    #[test]
    fn names_after_an_html_close_comment_are_only_the_name() {
        for kw in ["async", "let", "yield", "of"] {
            let code = format!("c\n--> a comment\n{kw}\n");
            let at = code.rfind(kw).unwrap();
            assert_eq!(
                names(&code),
                vec![("c".to_string(), 0), (kw.to_string(), at)],
                "{code:?}"
            );
        }
        // A plain name after the comment was never affected; nor is code without one.
        // (Positions below are byte offsets.)
        assert_eq!(names("a\n-->\nb"), vec![("a".into(), 0), ("b".into(), 6)]);
        assert_eq!(names("a-- > b"), vec![("a".into(), 0), ("b".into(), 6)]);
    }

    #[test]
    fn strict_reserved_words_as_names_in_a_module_are_syntax_errors() {
        let err = |code: &str| {
            let src = Source::from_bytes("t.js".into(), code.as_bytes().to_vec()).unwrap();
            swc_common::GLOBALS.set(&Default::default(), || {
                parse(&src, &src.text, ParseMode::Auto)
                    .err()
                    .map(|e| e.message)
            })
        };
        for w in STRICT_RESERVED {
            let m = err(&format!("import.meta\n{w}\n")).unwrap_or_else(|| panic!("{w} accepted"));
            assert!(
                m.contains(&format!("`{w}`")) && m.contains("strict mode"),
                "{m}"
            );
            // A script may use them as names; a module may use them as property names.
            assert_eq!(err(&format!("var {w} = 1;\n")), None, "{w}");
            assert_eq!(
                err(&format!("export const o = {{ {w}: 1 }}; o.{w};\n")),
                None,
                "{w}"
            );
        }
    }
}
