//! Which comments survive minification: license comments by default (`/*!`, `//!`,
//! `@license`, `@preserve`, `@copyright`, `@cc_on`), all, or none.
//!
//! License comments are collected from the whole input and written, in source order and
//! without duplicates, at the top of the output (after a `#!` line). That way none is lost
//! with the node it was attached to, whatever the optimizer removes.

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
}

/// Whether a comment is a license comment by terser's and esbuild's rules.
pub fn is_license(c: &Comment) -> bool {
    let t = &*c.text;
    t.starts_with('!') || {
        let lower = t.to_ascii_lowercase();
        lower.contains("@license")
            || lower.contains("@preserve")
            || lower.contains("@copyright")
            || lower.contains("@cc_on")
    }
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
