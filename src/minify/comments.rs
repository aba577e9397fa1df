//! Which comments survive minification: license comments by default (`/*!`, `//!`,
//! `@license`, `@preserve`, `@copyright`, `@cc_on`), all, or none.
//!
//! License comments are collected from the whole input, in source order and without
//! duplicates, and written at the top of the output (after a `#!` line), at its end (`eof`),
//! or into a file beside it (`external`, `linked`: esbuild's `legalComments` modes). That way
//! none is lost with the node it was attached to, whatever the optimizer removes.

use swc_common::comments::{Comment, CommentKind, SingleThreadedComments};

/// `--comments`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CommentsMode {
    /// License comments only, moved to the top of the file.
    #[default]
    License,
    /// Every comment the optimizer keeps attached to surviving code.
    All,
    /// No comments.
    None,
    /// License comments only, moved to the end of the file (esbuild's `eof`).
    Eof,
    /// License comments moved into OUTPUT.LICENSE.txt beside the output, with no reference
    /// to it in the code (esbuild's `external`; needs an output file).
    External,
    /// As external, and the code ends with `/*! For license information please see
    /// OUTPUT.LICENSE.txt */` (esbuild's `linked`, terser-webpack-plugin's extractComments).
    Linked,
}

impl CommentsMode {
    /// Whether the license comments go to a file of their own.
    pub fn to_file(self) -> bool {
        matches!(self, CommentsMode::External | CommentsMode::Linked)
    }

    /// Whether the license comments are collected (to the top, the end or a file).
    pub fn collects_licenses(self) -> bool {
        !matches!(self, CommentsMode::All | CommentsMode::None)
    }

    /// The name as `--comments` takes it.
    pub fn name(self) -> &'static str {
        match self {
            CommentsMode::License => "license",
            CommentsMode::All => "all",
            CommentsMode::None => "none",
            CommentsMode::Eof => "eof",
            CommentsMode::External => "external",
            CommentsMode::Linked => "linked",
        }
    }
}

/// The file the license comments of `output` go to: `OUTPUT.LICENSE.txt`, beside it.
pub fn license_file(output: &std::path::Path) -> std::path::PathBuf {
    std::path::PathBuf::from(format!("{}.LICENSE.txt", output.display()))
}

/// The comment `--comments linked` ends the code with, naming the license file.
pub fn license_banner(file_name: &str) -> String {
    format!(
        "/*! For license information please see {} */",
        file_name.replace("*/", "*\\/")
    )
}

/// Whether a comment is a license comment: terser's and esbuild's rules (`/*!`, `//!`,
/// `@license`, `@preserve`, `@copyright`, `@cc_on`), except the module banners webpack writes
/// with `/*!` (`/*! react */`, `/*!*** ./src/util.ts ***!*\`), which name a module and
/// license nothing.
pub fn is_license(c: &Comment) -> bool {
    let t = &*c.text;
    let lower = t.to_ascii_lowercase();
    if lower.contains("@license")
        || lower.contains("@preserve")
        || lower.contains("@copyright")
        || lower.contains("@cc_on")
    {
        return true;
    }
    t.starts_with('!') && !is_module_banner(t)
}

/// A `/*!` comment holding nothing but one module path or name between `*`, `!` and `\`.
fn is_module_banner(t: &str) -> bool {
    let lower = t.to_ascii_lowercase();
    if ["licen", "copyright", "(c)", "©", "rights"]
        .iter()
        .any(|w| lower.contains(w))
    {
        return false;
    }
    let words: Vec<&str> = t
        .split(|c: char| c.is_whitespace() || matches!(c, '*' | '!' | '\\'))
        .filter(|w| !w.is_empty())
        .collect();
    // One module name, a relative path (`/*! ./components sync ... */`), or webpack's
    // pathinfo frame (`/*!****!*\\ !*** ./src/a.ts + 1 modules ***! \\****/`).
    words.len() == 1
        || words
            .first()
            .is_some_and(|w| w.starts_with("./") || w.starts_with("../"))
        || (t.contains("!***") && t.contains("***!"))
}

/// Whether a comment is a `sourceMappingURL` directive (never copied to the output).
pub fn is_source_map_directive(c: &Comment) -> bool {
    let t = c.text.trim_start();
    (t.starts_with("# sourceMappingURL=") || t.starts_with("@ sourceMappingURL="))
        && c.kind == CommentKind::Line
        || t.starts_with("# sourceMappingURL=")
}

/// The license comments of a file as source text, in order, deduplicated, one per line.
pub fn license_preamble(comments: &SingleThreadedComments) -> String {
    let (leading, trailing) = comments.borrow_all();
    let mut all: Vec<&Comment> = leading
        .values()
        .chain(trailing.values())
        .flatten()
        .filter(|c| is_license(c))
        .collect();
    all.sort_by_key(|c| c.span.lo);
    let mut seen = std::collections::HashSet::new();
    let mut out = String::new();
    for c in all {
        if !seen.insert(c.text.clone()) {
            continue;
        }
        match c.kind {
            CommentKind::Line => {
                out.push_str("//");
                out.push_str(&c.text);
            }
            CommentKind::Block => {
                out.push_str("/*");
                out.push_str(&c.text);
                out.push_str("*/");
            }
        }
        out.push('\n');
    }
    out
}

/// Removes `sourceMappingURL` directives (for `--comments all`: guardmin writes its own).
pub fn drop_source_map_directives(comments: &SingleThreadedComments) {
    let (mut leading, mut trailing) = comments.borrow_all_mut();
    for list in leading.values_mut().chain(trailing.values_mut()) {
        list.retain(|c| !is_source_map_directive(c));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use swc_common::DUMMY_SP;

    fn block(text: &str) -> Comment {
        Comment {
            kind: CommentKind::Block,
            span: DUMMY_SP,
            text: text.into(),
        }
    }

    #[test]
    fn licenses_and_banners() {
        assert!(is_license(&block(
            "!\n * antd v5.29.3\n * Copyright 2015-present, Alipay, Inc.\n "
        )));
        assert!(is_license(&block(
            "! jQuery v4.0.0 | (c) OpenJS Foundation "
        )));
        assert!(is_license(&block(
            "*\n * @license\n * Copyright 2024 Google LLC\n "
        )));
        assert!(is_license(&block("! keep me ")));
        assert!(is_license(&block("@cc_on")));
        assert!(!is_license(&block("! react ")));
        assert!(!is_license(&block("! ../../theme/useToken ")));
        assert!(!is_license(&block("!**************************!*\\\n  !*** ./alias/cssinjs.js ***!\n  \\**************************")));
        assert!(!is_license(&block(" plain ")));
        assert!(!is_license(&block(
            "!******!*\\\n  !*** ./components/button/style/index.ts + 1 modules ***!\n  \\*****"
        )));
        assert!(!is_license(&block(
            "! ./components sync ^\\.\\/[^_][\\w-]+\\/style\\/index\\.tsx?$ "
        )));
    }
}
