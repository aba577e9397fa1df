//! Keeping a source map true across splices. Only the `mappings` string of the map's JSON
//! changes (every other byte of the map is kept): each segment after a splice on its line
//! moves by what the splice added, a segment at the start of a replaced range stays there,
//! one on a kept identifier (an anchor) follows it, and the others inside a replaced range
//! are dropped. Splices never add or remove a line break, so lines stay where they were.
//! Columns are UTF-16 code units, as browsers count them.

use super::edit::Edit;
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum MapError {
    #[error(
        "the source map has no \"mappings\" string (an index map with sections is not supported)"
    )]
    NoMappings,
    #[error("the source map's \"mappings\" is not valid base64 VLQ at byte {0}")]
    BadVlq(usize),
}

/// One decoded segment: generated column and the optional source fields, all absolute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Segment {
    col: i64,
    /// `(source, line, column, name)`; `name` is `None` for 4-field segments.
    src: Option<(i64, i64, i64, Option<i64>)>,
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn b64_value(c: u8) -> Option<i64> {
    B64.iter().position(|&b| b == c).map(|p| p as i64)
}

/// Running values while decoding (the fields are relative to the previous segment).
#[derive(Default)]
struct Decoder {
    col: i64,
    src: i64,
    sline: i64,
    scol: i64,
    name: i64,
}

impl Decoder {
    fn segment(&mut self, fields: &[i64], at: usize) -> Result<Segment, MapError> {
        if !matches!(fields.len(), 1 | 4 | 5) {
            return Err(MapError::BadVlq(at));
        }
        self.col += fields[0];
        let src = if fields.len() >= 4 {
            self.src += fields[1];
            self.sline += fields[2];
            self.scol += fields[3];
            let n = fields.get(4).map(|d| {
                self.name += d;
                self.name
            });
            Some((self.src, self.sline, self.scol, n))
        } else {
            None
        };
        Ok(Segment { col: self.col, src })
    }
}

fn decode(mappings: &str) -> Result<Vec<Vec<Segment>>, MapError> {
    let bytes = mappings.as_bytes();
    let mut lines: Vec<Vec<Segment>> = vec![Vec::new()];
    let mut d = Decoder::default();
    let mut fields: Vec<i64> = Vec::with_capacity(5);
    let mut i = 0;
    while i <= bytes.len() {
        match bytes.get(i) {
            None | Some(b';') | Some(b',') => {
                if !fields.is_empty() {
                    let seg = d.segment(&fields, i)?;
                    lines.last_mut().expect("one line").push(seg);
                    fields.clear();
                }
                if bytes.get(i) == Some(&b';') {
                    lines.push(Vec::new());
                    d.col = 0;
                }
                i += 1;
            }
            Some(_) => {
                let (mut value, mut shift) = (0i64, 0u32);
                loop {
                    let digit = bytes
                        .get(i)
                        .and_then(|&c| b64_value(c))
                        .ok_or(MapError::BadVlq(i))?;
                    i += 1;
                    value |= (digit & 31) << shift;
                    shift += 5;
                    if digit & 32 == 0 {
                        break;
                    }
                    if shift > 60 {
                        return Err(MapError::BadVlq(i));
                    }
                }
                fields.push(if value & 1 == 1 {
                    -(value >> 1)
                } else {
                    value >> 1
                });
            }
        }
    }
    Ok(lines)
}

fn vlq(out: &mut String, v: i64) {
    let mut n = if v < 0 { ((-v) << 1) | 1 } else { v << 1 };
    loop {
        let mut d = n & 31;
        n >>= 5;
        if n > 0 {
            d |= 32;
        }
        out.push(B64[d as usize] as char);
        if n == 0 {
            break;
        }
    }
}

fn encode(lines: &[Vec<Segment>]) -> String {
    let mut out = String::new();
    let (mut src, mut sline, mut scol, mut name) = (0i64, 0i64, 0i64, 0i64);
    for (li, line) in lines.iter().enumerate() {
        if li > 0 {
            out.push(';');
        }
        let mut col = 0i64;
        for (si, s) in line.iter().enumerate() {
            if si > 0 {
                out.push(',');
            }
            vlq(&mut out, s.col - col);
            col = s.col;
            if let Some((a, b, c, n)) = s.src {
                vlq(&mut out, a - src);
                vlq(&mut out, b - sline);
                vlq(&mut out, c - scol);
                (src, sline, scol) = (a, b, c);
                if let Some(n) = n {
                    vlq(&mut out, n - name);
                    name = n;
                }
            }
        }
    }
    out
}

/// The byte range of the `mappings` string's contents in a source map's JSON.
fn find_mappings(json: &str) -> Option<(usize, usize)> {
    let b = json.as_bytes();
    let ws = |i: &mut usize| {
        while *i < b.len() && b[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    // End (exclusive) of the string starting at the quote `i`.
    let string_end = |mut i: usize| -> Option<usize> {
        i += 1;
        while i < b.len() {
            match b[i] {
                b'\\' => i += 2,
                b'"' => return Some(i + 1),
                _ => i += 1,
            }
        }
        None
    };
    let mut i = 0;
    ws(&mut i);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    loop {
        ws(&mut i);
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let kend = string_end(i)?;
        let key = &json[i + 1..kend - 1];
        i = kend;
        ws(&mut i);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i += 1;
        ws(&mut i);
        let vstart = i;
        // Skip the value: a string, or anything up to the `,`/`}` at this depth.
        if b.get(i) == Some(&b'"') {
            i = string_end(i)?;
            if key == "mappings" {
                return Some((vstart + 1, i - 1));
            }
        } else {
            let mut depth = 0i32;
            while i < b.len() {
                match b[i] {
                    b'"' => {
                        i = string_end(i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth > 0 => depth -= 1,
                    b',' | b'}' if depth == 0 => break,
                    _ => {}
                }
                i += 1;
            }
        }
        ws(&mut i);
        match b.get(i) {
            Some(b',') => i += 1,
            _ => return None,
        }
    }
}

/// Line starts of `text`, with JavaScript's line terminators.
fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => starts.push(i + 1),
            b'\r' if b.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
            0xE2 if b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0xA8 | 0xA9)) => {
                starts.push(i + 3);
            }
            _ => {}
        }
        i += 1;
    }
    starts
}

fn utf16_len(s: &str) -> i64 {
    s.encode_utf16().count() as i64
}

/// An edit as the map sees it: on one line, in UTF-16 columns.
struct ColEdit {
    line: usize,
    lo: i64,
    hi: i64,
    growth: i64,
    /// `(old column, new column)`, both absolute, of each anchor.
    anchors: Vec<(i64, i64)>,
}

/// The map's JSON with its `mappings` moved through `edits` (sorted, applied to `old`).
pub fn update(json: &str, old: &str, edits: &[Edit]) -> Result<String, MapError> {
    let (ms, me) = find_mappings(json).ok_or(MapError::NoMappings)?;
    let mut lines = decode(&json[ms..me])?;
    let starts = line_starts(old);
    let col_edits: Vec<ColEdit> = edits
        .iter()
        .map(|e| {
            let line = starts.partition_point(|&s| s <= e.lo) - 1;
            let ls = starts[line];
            let lo = utf16_len(&old[ls..e.lo]);
            let hi = lo + utf16_len(&old[e.lo..e.hi]);
            let anchors = e
                .anchors
                .iter()
                .map(|&(o, n)| {
                    (
                        lo + utf16_len(&old[e.lo..e.lo + o]),
                        lo + utf16_len(&e.text[..n]),
                    )
                })
                .collect();
            ColEdit {
                line,
                lo,
                hi,
                growth: utf16_len(&e.text) - (hi - lo),
                anchors,
            }
        })
        .collect();
    for (li, segs) in lines.iter_mut().enumerate() {
        let on_line: Vec<&ColEdit> = col_edits.iter().filter(|e| e.line == li).collect();
        if on_line.is_empty() {
            continue;
        }
        segs.retain_mut(|s| match moved(s.col, &on_line) {
            Some(c) => {
                s.col = c;
                true
            }
            None => false,
        });
    }
    Ok(format!("{}{}{}", &json[..ms], encode(&lines), &json[me..]))
}

/// Where a segment at column `col` goes, `None` when its token was replaced.
fn moved(col: i64, edits: &[&ColEdit]) -> Option<i64> {
    let mut shift = 0;
    for e in edits {
        if e.lo == e.hi {
            if col < e.lo {
                break;
            }
            shift += e.growth;
            continue;
        }
        if col < e.lo {
            break;
        }
        if col < e.hi {
            if col == e.lo {
                return Some(col + shift);
            }
            let (_, new) = e.anchors.iter().find(|(o, _)| *o == col)?;
            return Some(new + shift);
        }
        shift += e.growth;
    }
    Some(col + shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vlq_round_trips() {
        for m in [
            "AAAA,SAASA,IAAI;AACJ,CAAC",
            ";;AAAA,EAAE,GAAG",
            "4BAA0B,gBAAgBC",
            "",
            "A,C;E",
        ] {
            assert_eq!(encode(&decode(m).unwrap()), m, "{m}");
        }
        assert_eq!(decode("AA!A"), Err(MapError::BadVlq(2)));
    }

    #[test]
    fn finds_the_mappings_string() {
        let j = r#"{"version":3,"sources":["a\"b.js"],"x":{"mappings":"no"},"mappings":"AAAA","names":[]}"#;
        let (s, e) = find_mappings(j).unwrap();
        assert_eq!(&j[s..e], "AAAA");
        assert_eq!(find_mappings(r#"{"version":3,"sections":[]}"#), None);
    }

    #[test]
    fn segments_follow_the_splices() {
        // Line 0: `a=void 0!==e&&e;` with tokens at a(0), void(2), e(11), e(15).
        let old = "a=void 0!==e&&e;\nb()";
        let lines = vec![
            vec![
                Segment {
                    col: 0,
                    src: Some((0, 0, 0, None)),
                },
                Segment {
                    col: 2,
                    src: Some((0, 0, 4, None)),
                },
                Segment {
                    col: 7,
                    src: Some((0, 0, 9, None)),
                },
                Segment {
                    col: 11,
                    src: Some((0, 0, 20, Some(0))),
                },
                Segment {
                    col: 15,
                    src: Some((0, 0, 30, None)),
                },
            ],
            vec![Segment {
                col: 0,
                src: Some((0, 1, 0, None)),
            }],
        ];
        let json = format!(
            r#"{{"version":3,"mappings":"{}","names":["x"]}}"#,
            encode(&lines)
        );
        let mut e = Edit::replace(2, 12, "typeof e<\"u\"");
        e.anchors.push((9, 7));
        let out = update(&json, old, &[e]).unwrap();
        let (s, t) = find_mappings(&out).unwrap();
        let got = decode(&out[s..t]).unwrap();
        let cols: Vec<i64> = got[0].iter().map(|s| s.col).collect();
        // `0` of `void 0` (col 7) is gone; the `e` went to col 9; the last `e` moved by 2.
        assert_eq!(cols, [0, 2, 9, 17]);
        assert_eq!(got[0][2].src, Some((0, 0, 20, Some(0))));
        assert_eq!(got[1], lines[1]);
        assert!(out.ends_with(r#"","names":["x"]}"#));
    }

    #[test]
    fn insertions_move_what_follows_and_count_utf16() {
        // `é` is one UTF-16 unit and two bytes; `😀` two units and four bytes.
        let old = "x='é😀';e&&f()";
        let lines = vec![vec![
            Segment {
                col: 0,
                src: Some((0, 0, 0, None)),
            },
            Segment {
                col: 8,
                src: Some((0, 0, 8, None)),
            },
            Segment {
                col: 10,
                src: Some((0, 0, 10, None)),
            },
        ]];
        let json = format!(r#"{{"mappings":"{}"}}"#, encode(&lines));
        let at = old.find("e&&").unwrap();
        let out = update(&json, old, &[Edit::insert(at, "typeof e<\"u\"&&")]).unwrap();
        let (s, t) = find_mappings(&out).unwrap();
        let cols: Vec<i64> = decode(&out[s..t]).unwrap()[0]
            .iter()
            .map(|s| s.col)
            .collect();
        assert_eq!(cols, [0, 8 + 14, 10 + 14]);
    }
}
