//! Text splices: each edit replaces one byte range of the file with new text. Edits never
//! overlap; everything outside them is kept byte for byte. An edit also says where, inside
//! its new text, the tokens of the old text it kept went (the repaired identifier), so that
//! the source map can follow them ([`super::mappings`]).

/// One splice: `old[lo..hi]` becomes `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub lo: usize,
    pub hi: usize,
    pub text: String,
    /// `(offset in the old range, offset in the new text)` of every old token that survives
    /// the edit at a known place (a replaced guard's identifier). A token at `lo` of a
    /// replacement stays at the start; an insertion (`lo == hi`) moves everything after it.
    pub anchors: Vec<(usize, usize)>,
}

impl Edit {
    /// Inserts `text` before byte `at`.
    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit {
            lo: at,
            hi: at,
            text: text.into(),
            anchors: Vec::new(),
        }
    }

    /// Replaces `lo..hi` with `text`.
    pub fn replace(lo: usize, hi: usize, text: impl Into<String>) -> Edit {
        Edit {
            lo,
            hi,
            text: text.into(),
            anchors: Vec::new(),
        }
    }

    /// How many bytes the edit adds (negative: removes).
    pub fn growth(&self) -> isize {
        self.text.len() as isize - (self.hi - self.lo) as isize
    }
}

/// Sorts `edits` by position and checks that none overlaps another (two insertions at the
/// same place are kept in the order given). `Err` names the first overlap.
pub fn sort_checked(edits: &mut [Edit]) -> Result<(), (usize, usize)> {
    edits.sort_by_key(|e| (e.lo, e.hi != e.lo, e.hi));
    for w in edits.windows(2) {
        if w[1].lo < w[0].hi || (w[0].lo == w[1].lo && w[0].hi > w[0].lo && w[1].hi > w[1].lo) {
            return Err((w[0].lo, w[1].lo));
        }
    }
    Ok(())
}

/// `text` with the (sorted, non-overlapping) `edits` applied.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let grow: isize = edits.iter().map(Edit::growth).sum();
    let mut out = String::with_capacity((text.len() as isize + grow).max(0) as usize);
    let mut at = 0;
    for e in edits {
        out.push_str(&text[at..e.lo]);
        out.push_str(&e.text);
        at = e.hi;
    }
    out.push_str(&text[at..]);
    out
}

/// Where a byte offset of the old text is in the new one. Offsets inside a replaced range
/// go to its start, or to the anchor that names them.
pub fn new_offset(edits: &[Edit], old: usize) -> usize {
    let mut shift: isize = 0;
    for e in edits {
        if old < e.lo {
            break;
        }
        if e.lo == e.hi {
            // Insertion: text at or after it moves.
            shift += e.growth();
            continue;
        }
        if old < e.hi {
            let rel = old - e.lo;
            let inner = e
                .anchors
                .iter()
                .find(|(o, _)| *o == rel)
                .map(|(_, n)| *n)
                .unwrap_or(0);
            return (e.lo as isize + shift) as usize + inner;
        }
        shift += e.growth();
    }
    (old as isize + shift) as usize
}

/// Where a byte offset of the new text came from in the old one: the inverse of
/// [`new_offset`] outside the edits; inside an edit's new text, its old range's start.
pub fn old_offset(edits: &[Edit], new: usize) -> usize {
    let mut shift: isize = 0;
    for e in edits {
        let new_lo = (e.lo as isize + shift) as usize;
        if new < new_lo {
            break;
        }
        let new_hi = new_lo + e.text.len();
        if new < new_hi {
            let rel = new - new_lo;
            let inner = e
                .anchors
                .iter()
                .find(|(_, n)| *n == rel)
                .map(|(o, _)| *o)
                .unwrap_or(0);
            return e.lo + inner;
        }
        shift += e.growth();
    }
    (new as isize - shift) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_sorted_splices() {
        let text = "a=void 0!==e&&e;b=e&&f()";
        let mut edits = vec![
            Edit::insert(18, "typeof e<\"u\"&&"),
            Edit::replace(2, 12, "typeof e<\"u\""),
        ];
        sort_checked(&mut edits).unwrap();
        assert_eq!(
            apply(text, &edits),
            "a=typeof e<\"u\"&&e;b=typeof e<\"u\"&&e&&f()"
        );
    }

    #[test]
    fn overlaps_are_refused() {
        let mut edits = vec![Edit::replace(2, 6, "x"), Edit::replace(4, 8, "y")];
        assert!(sort_checked(&mut edits).is_err());
        let mut touching = vec![Edit::replace(2, 4, "x"), Edit::replace(4, 8, "y")];
        assert!(sort_checked(&mut touching).is_ok());
        let mut wrap = vec![
            Edit::insert(4, "("),
            Edit::insert(4, "!"),
            Edit::insert(9, ")"),
        ];
        assert!(sort_checked(&mut wrap).is_ok());
    }

    #[test]
    fn offsets_follow_the_edits() {
        // "void 0!==e" (2..12) -> "typeof e<\"u\"", the `e` (old 11) kept at new offset 7.
        let mut r = Edit::replace(2, 12, "typeof e<\"u\"");
        r.anchors.push((9, 7));
        let edits = vec![r, Edit::insert(17, "(")];
        assert_eq!(new_offset(&edits, 0), 0);
        assert_eq!(new_offset(&edits, 2), 2);
        assert_eq!(new_offset(&edits, 11), 9);
        assert_eq!(new_offset(&edits, 5), 2);
        assert_eq!(new_offset(&edits, 12), 14);
        assert_eq!(new_offset(&edits, 17), 20);
        assert_eq!(old_offset(&edits, 20), 17);
        assert_eq!(old_offset(&edits, 9), 11);
        assert_eq!(old_offset(&edits, 14), 12);
        assert_eq!(old_offset(&edits, 19), 17);
    }
}
