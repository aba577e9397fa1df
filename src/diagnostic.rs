//! Findings and diagnostics shared by every stage: what a rule found, where, and how to
//! show the code around it.

use serde::Serialize;

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Static description of a rule, used by every report format (SARIF `rules`, `--help`).
#[derive(Clone, Copy, Debug)]
pub struct RuleMeta {
    /// Stable id, kebab-case, for example `serialized-closure`.
    pub id: &'static str,
    /// Severity the rule reports with.
    pub severity: Severity,
    /// One sentence: what the rule finds.
    pub summary: &'static str,
    /// One line: how to fix what it finds.
    pub help: &'static str,
}

/// A position mapped back through a source map to the original source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OriginalPosition {
    pub file: String,
    /// 1-based.
    pub line: u32,
    /// 1-based.
    pub column: u32,
    /// The binding's original name, when the source map gives one.
    pub name: Option<String>,
}

/// A few lines of source around a finding, already cut to a window and sanitized,
/// so reporters never see raw file bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CodeFrame {
    /// `(1-based line number, text)`; the text holds no control characters.
    pub lines: Vec<(u32, String)>,
    /// The line the caret goes under.
    pub caret_line: u32,
    /// 0-based offset of the caret in characters inside that line's *text* (after windowing).
    pub caret_offset: usize,
    /// Width of the caret in characters (at least 1).
    pub caret_len: usize,
}

/// One finding (or a per-file error such as a syntax error) in a scanned file.
#[derive(Clone, Debug)]
pub struct Finding {
    /// Rule id (see [`RuleMeta::id`]); `syntax-error` / `io-error` for files that could not be read.
    pub rule: &'static str,
    pub severity: Severity,
    /// The path as the user should see it.
    pub file: String,
    /// 1-based.
    pub line: u32,
    /// 1-based, in characters.
    pub column: u32,
    /// Full sentence; names the binding.
    pub message: String,
    /// One-line fix hint.
    pub help: String,
    pub original: Option<OriginalPosition>,
    pub frame: Option<CodeFrame>,
}

/// Why a file could not be processed. Names the file and, where there is one, the position.
#[derive(Clone, Debug)]
pub struct FileError {
    pub kind: FileErrorKind,
    pub file: String,
    /// 1-based line and column, when the error has a position.
    pub position: Option<(u32, u32)>,
    pub message: String,
    pub frame: Option<CodeFrame>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileErrorKind {
    /// Could not read or write.
    Io,
    /// Not valid UTF-8, binary, too deeply nested, not JavaScript.
    Input,
    /// The parser rejected the file.
    Syntax,
    /// The minified output failed guardmin's own checks; nothing was written.
    Guard,
    /// swc panicked; reported instead of crashing the run.
    Internal,
}

impl FileError {
    pub fn new(kind: FileErrorKind, file: impl Into<String>, message: impl Into<String>) -> Self {
        FileError {
            kind,
            file: file.into(),
            position: None,
            message: message.into(),
            frame: None,
        }
    }

    /// Adds a position and a code frame taken from `src`.
    pub fn at(mut self, src: &str, byte_offset: usize) -> Self {
        let idx = LineIndex::new(src);
        let (line, col) = idx.line_col(byte_offset);
        self.position = Some((line, col));
        self.frame = Some(idx.code_frame(line, col, 1, 2));
        self
    }

    /// `file:line:col: message`, then the code frame, for terminals and logs.
    pub fn render(&self) -> String {
        let mut s = match self.position {
            Some((l, c)) => format!(
                "{}:{}:{}: {}",
                sanitize(&self.file),
                l,
                c,
                sanitize(&self.message)
            ),
            None => format!("{}: {}", sanitize(&self.file), sanitize(&self.message)),
        };
        if let Some(frame) = &self.frame {
            s.push('\n');
            s.push_str(&render_frame(frame));
        }
        s
    }
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render())
    }
}

/// Plain-text code frame: `  12 | text` lines and a caret line.
pub fn render_frame(frame: &CodeFrame) -> String {
    let width = frame
        .lines
        .iter()
        .map(|(n, _)| n.to_string().len())
        .max()
        .unwrap_or(1);
    let mut out = String::new();
    for (n, text) in &frame.lines {
        out.push_str(&format!(" {:>width$} | {}\n", n, text));
        if *n == frame.caret_line {
            out.push_str(&format!(
                " {:>width$} | {}{}\n",
                "",
                " ".repeat(frame.caret_offset),
                "^".repeat(frame.caret_len)
            ));
        }
    }
    out.trim_end_matches('\n').to_string()
}

/// Maps byte offsets of one source text to 1-based line and column (columns counted in
/// characters).
pub struct LineIndex<'a> {
    src: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(src: &'a str) -> Self {
        let mut starts = vec![0];
        let bytes = src.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
                // U+2028 / U+2029 are line terminators in JS.
                0xE2 if bytes.get(i + 1) == Some(&0x80)
                    && matches!(bytes.get(i + 2), Some(0xA8) | Some(0xA9)) =>
                {
                    starts.push(i + 3);
                    i += 2;
                }
                _ => {}
            }
            i += 1;
        }
        LineIndex { src, starts }
    }

    /// `(line, column)`, both 1-based, of byte offset `pos` (clamped to the text).
    pub fn line_col(&self, pos: usize) -> (u32, u32) {
        let pos = pos.min(self.src.len());
        let line = match self.starts.binary_search(&pos) {
            Ok(l) => l,
            Err(l) => l - 1,
        };
        let start = self.starts[line];
        let col = self.src[start..floor_char(self.src, pos)].chars().count();
        (line as u32 + 1, col as u32 + 1)
    }

    /// Byte offset of a 1-based line and column, if inside the text.
    pub fn offset(&self, line: u32, column: u32) -> Option<usize> {
        let start = *self.starts.get((line as usize).checked_sub(1)?)?;
        let text = self.line_text(line)?;
        let mut off = start;
        for (n, c) in text.chars().enumerate() {
            if n + 1 == column as usize {
                return Some(off);
            }
            off += c.len_utf8();
        }
        (column as usize == text.chars().count() + 1).then_some(off)
    }

    /// The text of a 1-based line, without its terminator.
    pub fn line_text(&self, line: u32) -> Option<&'a str> {
        let i = (line as usize).checked_sub(1)?;
        let start = *self.starts.get(i)?;
        let end = self.starts.get(i + 1).copied().unwrap_or(self.src.len());
        let text = &self.src[start..end];
        Some(text.trim_end_matches(['\n', '\r', '\u{2028}', '\u{2029}']))
    }

    pub fn line_count(&self) -> u32 {
        self.starts.len() as u32
    }

    /// A code frame: `context` lines before and after, each cut to a window of about
    /// `width` characters around the column, control characters replaced.
    pub fn code_frame(&self, line: u32, column: u32, len: usize, context: u32) -> CodeFrame {
        const WIDTH: usize = 100;
        let col0 = column.saturating_sub(1) as usize;
        // Window start, shared by all lines so the caret lines up.
        let win_start = col0.saturating_sub(WIDTH / 2);
        let mut lines = Vec::new();
        let first = line.saturating_sub(context).max(1);
        let last = (line + context).min(self.line_count());
        for l in first..=last {
            let Some(text) = self.line_text(l) else {
                continue;
            };
            let total = text.chars().count();
            let mut s: String = text.chars().skip(win_start).take(WIDTH).collect();
            if l != line && s.trim().is_empty() {
                // Context lines with nothing in the window (minified code) only add noise.
                continue;
            }
            s = sanitize(&s);
            if win_start > 0 && total > 0 {
                s.insert(0, '…');
            }
            if win_start + WIDTH < total {
                s.push('…');
            }
            if l != line && s.trim().is_empty() {
                continue;
            }
            lines.push((l, s));
        }
        let caret_offset = col0 - win_start + usize::from(win_start > 0);
        CodeFrame {
            lines,
            caret_line: line,
            caret_offset,
            caret_len: len.clamp(1, WIDTH),
        }
    }
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Replaces control characters (ANSI escapes included) with visible stand-ins so that file
/// contents can never drive the terminal. Tabs become one space, to keep carets aligned.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' => ' ',
            c if c.is_control() => '\u{FFFD}',
            // Bidi overrides can visually reorder a report line.
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_roundtrip() {
        let src = "ab\ncdé\r\nfg";
        let idx = LineIndex::new(src);
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(3), (2, 1));
        assert_eq!(idx.line_col(7), (2, 4));
        assert_eq!(idx.line_col(9), (3, 1));
        assert_eq!(idx.offset(3, 2), Some(10));
        assert_eq!(idx.line_text(2), Some("cdé"));
    }

    #[test]
    fn sanitize_strips_escapes() {
        assert_eq!(sanitize("a\x1b[31mb"), "a\u{FFFD}[31mb");
    }

    #[test]
    fn frame_windows_long_lines() {
        let src = format!("{}X{}", "a".repeat(500), "b".repeat(500));
        let idx = LineIndex::new(&src);
        let f = idx.code_frame(1, 501, 1, 1);
        assert_eq!(f.lines.len(), 1);
        let text = &f.lines[0].1;
        assert_eq!(text.chars().nth(f.caret_offset), Some('X'));
        assert!(text.chars().count() <= 102);
    }
}
