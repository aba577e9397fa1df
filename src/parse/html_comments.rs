//! HTML-like comments (`<!--`, `-->` at a line start; scripts only, Annex B.1.1), which throw
//! swc 47's lexer off by a few bytes.

use swc_common::comments::SingleThreadedComments;

/// Whether `text` may hold an HTML-like comment: `<!--` anywhere, or `-->` with nothing but
/// whitespace (or the end of a `/* */` comment) before it on its line. Text only: strings hold
/// these too, which costs nothing but a parse that records comments.
pub(super) fn may_have_html_comments(text: &str) -> bool {
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
pub(super) fn neutralize_html_comments(
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
