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

/// Whether `text` may hold an HTML-like comment: `<!--` anywhere, or `-->` with nothing but
/// whitespace (or the end of a `/* */` comment) before it on its line. Text only: strings hold
/// these too, which costs nothing but a parse that records comments.
fn may_have_html_comments(text: &str) -> bool {
    text.contains("<!--")
        || text.match_indices("-->").any(|(at, _)| {
            let line = &text[..at];
            let from = line
                .rfind(['\n', '\r', '\u{2028}', '\u{2029}'])
                .map_or(0, |i| i + 1);
            let before = &line[from..];
            before.trim().is_empty() || before.contains("*/")
        })
}

/// `text` with each HTML-like comment the parser recorded turned into a `//` comment of the
/// same length (`<!--` -> `//--`, `-->` -> `//>`); `None` when there is none.
fn neutralize_html_comments(
    text: &str,
    comments: &SingleThreadedComments,
    start: u32,
) -> Option<String> {
    let mut bytes = text.as_bytes().to_vec();
    let mut changed = false;
    let (leading, trailing) = comments.borrow_all();
    for c in leading.values().chain(trailing.values()).flatten() {
        let lo = c.span.lo.0.saturating_sub(start) as usize;
        let rest = &text.as_bytes()[lo.min(text.len())..];
        if rest.starts_with(b"//") || rest.starts_with(b"/*") {
            continue; // an ordinary comment
        }
        // The marker sits at, or a few bytes before, where swc says the comment starts.
        let from = lo.saturating_sub(4);
        let to = (lo + 4).min(text.len());
        let window = &text.as_bytes()[from..to];
        let found = [(&b"<!--"[..], &b"//--"[..]), (&b"-->"[..], &b"//>"[..])]
            .into_iter()
            .filter_map(|(marker, with)| {
                window
                    .windows(marker.len())
                    .rposition(|w| w == marker)
                    .map(|i| (from + i, with))
            })
            .min_by_key(|(at, _)| at.abs_diff(lo));
        if let Some((at, with)) = found {
            bytes[at..at + with.len()].copy_from_slice(with);
            changed = true;
        }
    }
    drop((leading, trailing));
    if !changed {
        return None;
    }
    // Only ASCII bytes were replaced by ASCII bytes.
    String::from_utf8(bytes).ok()
}

fn parse_once(
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
    let program = result.map_err(to_err)?;
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

/// Early errors swc 47 misses: `break` outside a loop or `switch` when it sits in a labelled
/// statement (`e: break`), and `break`/`continue` to a label that does not enclose them, or
/// `continue` to one that is not a loop. The first one, with swc's wording. Only run when the
/// minified output of an accepted file does not parse (fuzzing found `e:break` minified to
/// `break;`), to tell the input's fault from guardmin's.
pub fn early_error(program: &Program) -> Option<(swc_common::BytePos, &'static str)> {
    use swc_ecma_ast::*;
    use swc_ecma_visit::{Visit, VisitWith};
    #[derive(Default)]
    struct Early {
        loops: u32,
        switches: u32,
        labels: Vec<(swc_atoms::Atom, bool)>,
        found: Option<(swc_common::BytePos, &'static str)>,
    }
    impl Early {
        fn fresh<T: VisitWith<Self>>(&mut self, node: &T) {
            let saved = std::mem::take(self);
            node.visit_children_with(self);
            let found = self.found.or(saved.found);
            *self = saved;
            self.found = found;
        }
        fn in_loop<T: VisitWith<Self>>(&mut self, node: &T) {
            self.loops += 1;
            node.visit_children_with(self);
            self.loops -= 1;
        }
        fn fail(&mut self, at: swc_common::BytePos, msg: &'static str) {
            self.found.get_or_insert((at, msg));
        }
    }
    impl Visit for Early {
        fn visit_function(&mut self, n: &Function) {
            self.fresh(n)
        }
        fn visit_arrow_expr(&mut self, n: &ArrowExpr) {
            self.fresh(n)
        }
        fn visit_getter_prop(&mut self, n: &GetterProp) {
            self.fresh(n)
        }
        fn visit_setter_prop(&mut self, n: &SetterProp) {
            self.fresh(n)
        }
        fn visit_constructor(&mut self, n: &Constructor) {
            self.fresh(n)
        }
        fn visit_static_block(&mut self, n: &StaticBlock) {
            self.fresh(n)
        }
        fn visit_class_prop(&mut self, n: &ClassProp) {
            self.fresh(n)
        }
        fn visit_for_stmt(&mut self, n: &ForStmt) {
            self.in_loop(n)
        }
        fn visit_for_in_stmt(&mut self, n: &ForInStmt) {
            self.in_loop(n)
        }
        fn visit_for_of_stmt(&mut self, n: &ForOfStmt) {
            self.in_loop(n)
        }
        fn visit_while_stmt(&mut self, n: &WhileStmt) {
            self.in_loop(n)
        }
        fn visit_do_while_stmt(&mut self, n: &DoWhileStmt) {
            self.in_loop(n)
        }
        fn visit_switch_stmt(&mut self, n: &SwitchStmt) {
            self.switches += 1;
            n.visit_children_with(self);
            self.switches -= 1;
        }
        fn visit_labeled_stmt(&mut self, n: &LabeledStmt) {
            let is_loop = matches!(
                &*n.body,
                Stmt::For(_) | Stmt::ForIn(_) | Stmt::ForOf(_) | Stmt::While(_) | Stmt::DoWhile(_)
            );
            self.labels.push((n.label.sym.clone(), is_loop));
            n.body.visit_with(self);
            self.labels.pop();
        }
        fn visit_break_stmt(&mut self, n: &BreakStmt) {
            match &n.label {
                None if self.loops == 0 && self.switches == 0 => self.fail(
                    n.span.lo,
                    "A 'break' statement can only be used within an enclosing iteration or switch statement",
                ),
                Some(l) if !self.labels.iter().any(|(s, _)| *s == l.sym) => {
                    self.fail(n.span.lo, "a 'break' to a label that does not enclose it")
                }
                _ => {}
            }
        }
        fn visit_continue_stmt(&mut self, n: &ContinueStmt) {
            match &n.label {
                None if self.loops == 0 => self.fail(
                    n.span.lo,
                    "A 'continue' statement can only be used within an enclosing iteration statement",
                ),
                Some(l) if !self.labels.iter().any(|(s, is_loop)| *s == l.sym && *is_loop) => self
                    .fail(
                        n.span.lo,
                        "a 'continue' to a label that is not an enclosing loop",
                    ),
                _ => {}
            }
        }
    }
    let mut v = Early::default();
    program.visit_with(&mut v);
    v.found
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

    #[test]
    fn early_errors_swc_misses() {
        let first = |code: &str| {
            let src = Source::from_bytes("t.js".into(), code.as_bytes().to_vec()).unwrap();
            swc_common::GLOBALS.set(&Default::default(), || {
                let p = parse(&src, &src.text, ParseMode::Script).unwrap();
                early_error(&p.program).map(|(pos, m)| ((pos.0 - p.fm.start_pos.0) as usize, m))
            })
        };
        assert_eq!(first("e:break").map(|e| e.0), Some(2));
        assert!(first("e:break e").is_none());
        assert!(first("e:{break e}").is_none());
        assert!(first("for(;;){e:break}").is_none());
        assert!(first("switch(1){case 1:e:break}").is_none());
        assert!(first("a:for(;;){continue a}").is_none());
        assert!(first("for(;;){(function(){ x: break x })()}").is_none());
        assert!(first("a:{for(;;){continue a}}").is_some());
        assert!(first("for(;;){(function(){ e: break })()}").is_some());
    }
}
