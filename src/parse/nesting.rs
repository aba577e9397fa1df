//! The pre-parse estimate of how deep swc's parser will recurse ([`check_tokens`]); see
//! [`super::limits`] for the limits and their measurements.
//!
//! It tokenizes as JavaScript does: strings, `//` and `/* */` comments, template literals
//! (text is text, `${ }` nests) and regular expressions, told from division by the token
//! before the `/` (after an operand it divides; after `)` it starts a regular expression only
//! when the parentheses closed an `if`, `while`, `for` or `with` head; after `}` only when the
//! braces were a block). Per bracket level it counts what the parser recurses into: prefix
//! operators until their operand ends, right-associative operators (`=`, `?`, `=>`, `**`)
//! until `,` or the end of the statement, statement heads (`if`, `else`, `while`, `for`,
//! `with`, `do`, labels) until their statement ends, and the links of left-associative chains.

use super::limits::{CHAIN_LIMIT, PARSE_LIMIT};
use crate::diagnostic::FileError;
use crate::source::Source;

#[derive(Default)]
struct Level {
    /// `(` after `if`/`while`/`for`/`with`; `{` of a block.
    head: bool,
    template: bool,
    prefix: usize,
    ops: usize,
    stmts: usize,
    chain: usize,
    /// A statement ended; the heads end with it unless `else` follows.
    ended: bool,
}

impl Level {
    fn levels(&self) -> usize {
        1 + self.prefix + self.ops + self.stmts
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Prev {
    /// Start, punctuator or keyword: an operand may follow (`/` starts a regex).
    Operator,
    /// Identifier, literal, closing bracket of an expression: `/` divides.
    Operand,
    /// `)` of a statement head, `}` of a block.
    HeadEnd,
    /// A statement head keyword (`if`, `while`, `for`, `with`) before its `(`.
    HeadKeyword,
    /// A name that may be a label (`l` in `l: ...`) at a statement start.
    MaybeLabel,
}

const OPERAND_WORDS: [&str; 5] = ["this", "super", "null", "true", "false"];
const PREFIX_WORDS: [&str; 6] = ["typeof", "void", "delete", "new", "await", "yield"];

/// Refuses code whose parse would nest deeper than [`PARSE_LIMIT`] levels or hold more
/// than [`CHAIN_LIMIT`] open chain links, at the token where it does.
pub(super) fn check_tokens(src: &Source, text: &str) -> Result<(), FileError> {
    within(text, PARSE_LIMIT, CHAIN_LIMIT)
        .map_err(|(at, what)| super::limits::refusal(src, text, at, what))
}

/// Whether `text` parses within `parse_limit` nesting levels and `chain_limit` open chain
/// links; else where and what goes past them.
pub fn within(text: &str, parse_limit: usize, chain_limit: usize) -> Result<(), (usize, String)> {
    let b = text.as_bytes();
    let mut levels: Vec<Level> = vec![Level {
        head: true,
        ..Default::default()
    }];
    let mut total = 1usize; // sum of levels()
    let mut chains = 0usize;
    let mut prev = Prev::Operator;
    let mut stmt_start = true;
    let mut newline = false;
    let mut i = 0;
    macro_rules! cur {
        () => {
            levels.last_mut().expect("the top level stays")
        };
    }
    macro_rules! bump {
        ($field:ident) => {{
            cur!().$field += 1;
            total += 1;
        }};
    }
    macro_rules! reset {
        ($field:ident) => {{
            let l = cur!();
            total -= l.$field;
            l.$field = 0;
        }};
    }
    loop {
        if total > parse_limit || chains > chain_limit {
            let what = if total > parse_limit {
                format!("code nested more than {parse_limit} levels deep")
            } else {
                format!("an expression chains more than {chain_limit} operations")
            };
            return Err((i, what));
        }
        if i >= b.len() {
            break;
        }
        let c = b[i];
        let at = i;
        // Whitespace and comments.
        match c {
            b'\n' | b'\r' => {
                newline = true;
                i += 1;
                continue;
            }
            b' ' | b'\t' | 0x0b | 0x0c => {
                i += 1;
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    newline |= b[i] == b'\n';
                    i += 1;
                }
                i += 2;
                continue;
            }
            _ => {}
        }
        // The token starting at `i`: its kind decides what ends and what nests.
        let word_end = {
            let mut j = i;
            while j < b.len()
                && (b[j].is_ascii_alphanumeric()
                    || matches!(b[j], b'_' | b'$' | b'\\')
                    || b[j] >= 0x80)
            {
                j += 1;
            }
            j
        };
        let word = &text[i..word_end.max(i)];
        let starts_operand = word_end > i || matches!(c, b'"' | b'\'' | b'`');
        // A statement ended by `;`, `}` of a block or a line break before a new operand:
        // the statement heads end unless `else` follows.
        if newline
            && prev == Prev::Operand
            && starts_operand
            && !matches!(word, "in" | "instanceof" | "of")
        {
            reset!(ops);
            reset!(prefix);
            cur!().ended = true;
        }
        if cur!().ended {
            cur!().ended = false;
            if word != "else" {
                reset!(stmts);
                chains -= cur!().chain;
                cur!().chain = 0;
            }
            stmt_start = true;
        }
        newline = false;
        if word_end > i {
            i = word_end;
            if c.is_ascii_digit() {
                i = number_end(b, i);
                prev = Prev::Operand;
            } else if matches!(word, "if" | "while" | "for" | "with") {
                bump!(stmts);
                prev = Prev::HeadKeyword;
            } else if matches!(word, "else" | "do") {
                bump!(stmts);
                prev = Prev::Operator;
                stmt_start = true;
                continue;
            } else if PREFIX_WORDS.contains(&word) {
                bump!(prefix);
                prev = Prev::Operator;
            } else if OPERAND_WORDS.contains(&word) || !is_keyword(word) {
                prev = if stmt_start {
                    Prev::MaybeLabel
                } else {
                    Prev::Operand
                };
            } else {
                prev = Prev::Operator;
            }
            stmt_start = false;
            continue;
        }
        stmt_start = false;
        let after_operand = matches!(prev, Prev::Operand | Prev::MaybeLabel);
        i += 1;
        match c {
            b'"' | b'\'' => {
                while i < b.len() && b[i] != c && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                prev = Prev::Operand;
            }
            b'`' => {
                if after_operand {
                    chains += 1;
                    cur!().chain += 1;
                }
                i = template_text(b, i, &mut levels, &mut total, &mut prev);
            }
            b'/' if !after_operand => {
                // A regular expression: up to the unescaped `/` outside a class.
                let mut class = false;
                while i < b.len() && b[i] != b'\n' && (class || b[i] != b'/') {
                    match b[i] {
                        b'\\' => i += 1,
                        b'[' => class = true,
                        b']' => class = false,
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
                prev = Prev::Operand;
            }
            b'(' | b'[' | b'{' => {
                if after_operand && c != b'{' {
                    chains += 1;
                    cur!().chain += 1;
                }
                let head = match c {
                    b'(' => prev == Prev::HeadKeyword,
                    b'{' => {
                        matches!(
                            prev,
                            Prev::Operator | Prev::HeadEnd | Prev::Operand | Prev::MaybeLabel
                        ) && !after_expr_operator(b, at)
                    }
                    _ => false,
                };
                levels.push(Level {
                    head,
                    ..Default::default()
                });
                total += 1;
                prev = Prev::Operator;
                stmt_start = c == b'{' && head;
            }
            b')' | b']' | b'}' => {
                if levels.len() > 1 {
                    let l = levels.pop().expect("more than one level");
                    total -= l.levels();
                    chains -= l.chain;
                    if l.template {
                        i = template_text(b, i, &mut levels, &mut total, &mut prev);
                        continue;
                    }
                    prev = if l.head { Prev::HeadEnd } else { Prev::Operand };
                    if c == b'}' && l.head {
                        cur!().ended = true;
                    }
                } else {
                    prev = Prev::Operand;
                }
            }
            b';' => {
                reset!(ops);
                reset!(prefix);
                cur!().ended = true;
                prev = Prev::Operator;
            }
            b',' => {
                reset!(ops);
                reset!(prefix);
                chains -= cur!().chain;
                cur!().chain = 0;
                prev = Prev::Operator;
            }
            b':' if prev == Prev::MaybeLabel => {
                bump!(stmts);
                prev = Prev::Operator;
                stmt_start = true;
            }
            b'.' if b.get(i).is_some_and(u8::is_ascii_digit) => {
                i = number_end(b, i);
                prev = Prev::Operand;
            }
            _ => {
                let op = punctuator(&text[at..]);
                i = at + op.len();
                match op {
                    "++" | "--" if after_operand => prev = Prev::Operand,
                    "!" | "~" | "+" | "-" | "++" | "--" | "..." if !after_operand => {
                        bump!(prefix);
                        prev = Prev::Operator;
                    }
                    "." | "?." => {
                        chains += 1;
                        cur!().chain += 1;
                        prev = Prev::Operator;
                    }
                    "=" | "?" | "=>" | "**" | "+=" | "-=" | "*=" | "/=" | "%=" | "**=" | "<<="
                    | ">>=" | ">>>=" | "&=" | "|=" | "^=" | "&&=" | "||=" | "??=" => {
                        reset!(prefix);
                        bump!(ops);
                        prev = Prev::Operator;
                    }
                    _ => {
                        reset!(prefix);
                        if after_operand {
                            chains += 1;
                            cur!().chain += 1;
                        }
                        prev = Prev::Operator;
                    }
                }
            }
        }
    }
    Ok(())
}

/// Whether the token before the `{` at `at` is an operator that takes an operand (`=`,
/// `(`, `,`, `:`, `?`, `[`, `return`...): then the braces are an object literal.
fn after_expr_operator(b: &[u8], at: usize) -> bool {
    let mut j = at;
    while j > 0 && b[j - 1].is_ascii_whitespace() {
        j -= 1;
    }
    match j.checked_sub(1).map(|k| b[k]) {
        None => false,
        Some(c) if b"=(,:?[!&|+-*%^~<>".contains(&c) => !b[..j].ends_with(b"=>"),
        Some(_) => b[..j].ends_with(b"return") || b[..j].ends_with(b"typeof"),
    }
}

/// Skips template text from `i` (just after `` ` `` or the `}` closing a substitution) to
/// the closing `` ` `` or the next `${`, which opens a level.
fn template_text(
    b: &[u8],
    mut i: usize,
    levels: &mut Vec<Level>,
    total: &mut usize,
    prev: &mut Prev,
) -> usize {
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'`' => {
                *prev = Prev::Operand;
                return i + 1;
            }
            b'$' if b.get(i + 1) == Some(&b'{') => {
                levels.push(Level {
                    template: true,
                    ..Default::default()
                });
                *total += 1;
                *prev = Prev::Operator;
                return i + 2;
            }
            _ => i += 1,
        }
    }
    i
}

fn is_keyword(w: &str) -> bool {
    matches!(
        w,
        "break"
            | "case"
            | "catch"
            | "class"
            | "const"
            | "continue"
            | "debugger"
            | "default"
            | "delete"
            | "do"
            | "else"
            | "export"
            | "extends"
            | "finally"
            | "for"
            | "function"
            | "if"
            | "import"
            | "in"
            | "instanceof"
            | "new"
            | "return"
            | "switch"
            | "throw"
            | "try"
            | "typeof"
            | "var"
            | "void"
            | "while"
            | "with"
            | "let"
            | "static"
    )
}

/// The end of the number whose digits continue at `i`: digits, letters, `_`, a fraction
/// and an exponent with its sign.
fn number_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'.' => i += 1,
            b'+' | b'-' if matches!(b[i - 1], b'e' | b'E') => i += 1,
            _ => break,
        }
    }
    i
}

/// The punctuator at the start of `s` (longest match; one byte for anything else).
fn punctuator(s: &str) -> &str {
    const LONG: [&str; 33] = [
        ">>>=", "...", "===", "!==", "**=", "<<=", ">>=", ">>>", "&&=", "||=", "??=", "=>", "==",
        "!=", "<=", ">=", "&&", "||", "??", "?.", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=",
        "|=", "^=", "**", "<<", ">>",
    ];
    for p in LONG {
        if s.starts_with(p) && !(p == "?." && s.as_bytes().get(2).is_some_and(u8::is_ascii_digit)) {
            return p;
        }
    }
    let n = s.chars().next().map_or(1, char::len_utf8);
    &s[..n.min(s.len())]
}

#[cfg(test)]
mod tests {
    use super::within;

    fn depth_ok(code: &str, limit: usize) -> bool {
        within(code, limit, 1_000_000).is_ok()
    }

    #[test]
    fn brackets_prefixes_and_heads_nest() {
        assert!(!depth_ok(&format!("x = {}1", "(".repeat(100)), 50));
        assert!(!depth_ok(&format!("x = {}1", "!".repeat(100)), 50));
        assert!(!depth_ok(&format!("{}1", "a=".repeat(100)), 50));
        assert!(!depth_ok(&format!("{};", "if(1)".repeat(100)), 50));
        assert!(!depth_ok(&format!("{}1", "`${".repeat(100)), 50));
    }

    #[test]
    fn text_and_flat_code_do_not() {
        assert!(depth_ok(&format!("x = `{}`", "(".repeat(100)), 50));
        assert!(depth_ok(&format!("x = '{}'", "(".repeat(100)), 50));
        assert!(depth_ok(&format!("x = /{}/", "\\(".repeat(100)), 50));
        assert!(depth_ok(
            &format!("// {}\n/* {} */", "(".repeat(100), "[".repeat(100)),
            50
        ));
        assert!(depth_ok(&"var a = 1;\n".repeat(1000), 5));
        assert!(depth_ok(&"a = b\n".repeat(1000), 5));
        assert!(depth_ok(&"if (a) b()\n".repeat(1000), 5));
        assert!(depth_ok(&"if (a) { b() } else { c() }\n".repeat(1000), 5));
        // A quote inside a regular expression opens no string.
        assert!(!depth_ok(
            &format!("r = /\"/; x = {}1", "(".repeat(100)),
            50
        ));
        assert!(!depth_ok(
            &format!("if (a) /'/.test(b); x = {}1", "[".repeat(100)),
            50
        ));
    }

    #[test]
    fn chains_are_counted_and_end_at_commas() {
        assert!(within(&"a+".repeat(100), 1_000, 50).is_err());
        assert!(within(&"a.b(), ".repeat(100), 1_000, 50).is_ok());
    }
}
