//! Parsing with swc: module or script, comments kept, errors turned into [`FileError`]s
//! that name the file, line and column with a code frame.

use crate::diagnostic::{FileError, FileErrorKind};
use crate::source::Source;
use swc_common::comments::SingleThreadedComments;
use swc_common::{sync::Lrc, FileName, Mark, SourceFile, SourceMap, Spanned};
use swc_ecma_ast::{EsVersion, Program};
use swc_ecma_parser::error::SyntaxError;
use swc_ecma_parser::{EsSyntax, Parser, StringInput, Syntax};

mod annex_b;
mod early;
mod html_comments;
pub mod limits;
pub mod nesting;

pub use annex_b::wrap_if_functions;
pub use early::early_error;
use html_comments::{may_have_html_comments, neutralize_html_comments};

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
    // HTML-like comments (`<!--` anywhere, `-->` at a line start; scripts only, Annex B) throw
    // swc 47's lexer off by a few bytes: the next token's text and span start inside the
    // comment (`r=<!--\n``==x` became "r=`!--\n``==x"). Where the parser met one, it is
    // rewritten into a `//` comment of the same length and the file parsed again: every
    // position stays where it was.
    let html = may_have_html_comments(text);
    let parsed = parse_once(src, text, mode, keep_comments || html)?;
    if html && matches!(parsed.program, Program::Script(_)) {
        let start = parsed.fm.start_pos.0;
        if let Some(fixed) = neutralize_html_comments(text, &parsed.comments, start) {
            return parse_once(src, &fixed, mode, keep_comments);
        }
    }
    Ok(parsed)
}

fn parse_once(
    src: &Source,
    text: &str,
    mode: ParseMode,
    keep_comments: bool,
) -> Result<Parsed, FileError> {
    nesting::check_tokens(src, text)?;
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
    let program = result.map_err(to_err)?;
    // Before any walk of the tree, all of which recurse.
    let mut program = limits::check_depth(src, text, program, start)?;
    let errors = parser.take_errors();
    if !errors.is_empty() {
        let decl_not_allowed =
            |e: &swc_ecma_parser::error::Error| matches!(e.kind(), SyntaxError::DeclNotAllowed);
        let annex_b = if errors.iter().all(decl_not_allowed) {
            annex_b::sloppy_if_functions(&program)
        } else {
            Vec::new()
        };
        if let Some(e) = errors
            .into_iter()
            .find(|e| !(decl_not_allowed(e) && annex_b.contains(&e.span().lo)))
        {
            return Err(to_err(e));
        }
        annex_b::wrap_if_functions(&mut program);
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

    #[test]
    fn html_like_comments_leave_the_next_token_whole() {
        struct Tpl(Vec<String>);
        impl Visit for Tpl {
            fn visit_tpl_element(&mut self, t: &swc_ecma_ast::TplElement) {
                self.0.push(t.raw.to_string());
            }
        }
        let quasis = |code: &str| {
            let src = Source::from_bytes("t.js".into(), code.as_bytes().to_vec()).unwrap();
            swc_common::GLOBALS.set(&Default::default(), || {
                let p = parse(&src, &src.text, ParseMode::Script).unwrap();
                let mut v = Tpl(Vec::new());
                p.program.visit_with(&mut v);
                v.0
            })
        };
        assert_eq!(quasis("r=<!-- comment\n`a`==x"), vec!["a"]);
        assert_eq!(quasis("r=1;\n--> comment\nf(`b`)"), vec!["b"]);
        // Inside strings and templates the markers are text, not comments.
        assert_eq!(quasis("r='<!--'\n`<!--`"), vec!["<!--"]);
        assert_eq!(quasis("r=`\n-->`"), vec!["\n-->"]);
    }
}
