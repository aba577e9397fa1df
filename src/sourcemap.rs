//! Source maps: finding a file's input map (`//# sourceMappingURL=` pointing at a file next
//! to it or an inline `data:` URL, or one given explicitly), mapping positions back to the
//! original sources, and the settings for the maps guardmin writes.

use crate::diagnostic::{FileError, FileErrorKind, OriginalPosition};
use crate::source::Source;
use base64::Engine;
use std::path::{Path, PathBuf};
use swc_sourcemap::SourceMap;

/// How `guardmin minify` writes a source map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SourceMapMode {
    /// `OUT.map` beside the output, and a `//# sourceMappingURL=` comment.
    File,
    /// A `data:` URL in the `//# sourceMappingURL=` comment.
    Inline,
    /// `OUT.map` beside the output, no comment (for error trackers).
    Hidden,
    /// No map.
    None,
}

/// An input file's map and where it came from.
pub struct InputMap {
    pub map: SourceMap,
    /// The map's bytes as read (for cache keys).
    pub raw: Vec<u8>,
    /// The map file, or `inline` for a data URL.
    pub origin: String,
    /// The map file it was read from (`None`: a data URL or handed over in memory).
    pub path: Option<PathBuf>,
}

/// The URL in the last `sourceMappingURL` comment of `text`, if any.
pub fn mapping_url(text: &str) -> Option<&str> {
    // Only the tail matters: the comment must be the last thing in the file apart from
    // other comments and white space. Looking at the last few lines is enough in practice.
    for line in text.lines().rev().take(8) {
        let t = line.trim();
        let body = t
            .strip_prefix("//# sourceMappingURL=")
            .or_else(|| t.strip_prefix("//@ sourceMappingURL="))
            .or_else(|| {
                t.strip_prefix("/*# sourceMappingURL=")
                    .and_then(|r| r.strip_suffix("*/"))
            });
        if let Some(url) = body {
            let url = url.trim();
            if !url.is_empty() {
                return Some(url);
            }
        }
    }
    None
}

fn parse_map(
    bytes: &[u8],
    file: &str,
    origin: String,
    path: Option<PathBuf>,
) -> Result<InputMap, FileError> {
    SourceMap::from_slice(bytes)
        .map(|map| InputMap {
            map,
            raw: bytes.to_vec(),
            origin: origin.clone(),
            path,
        })
        .map_err(|e| {
            FileError::new(
                FileErrorKind::Input,
                file,
                format!("invalid source map {origin}: {e}"),
            )
        })
}

impl InputMap {
    /// A map handed over as JSON text (batch mode).
    pub fn from_json(json: &[u8], file: &str) -> Result<InputMap, FileError> {
        parse_map(json, file, "the request".into(), None)
    }
}

/// Decodes a `data:application/json[;charset=..];base64,` URL.
fn decode_data_url(url: &str) -> Option<Vec<u8>> {
    let rest = url.strip_prefix("data:")?;
    let (meta, data) = rest.split_once(',')?;
    if !meta.starts_with("application/json") {
        return None;
    }
    if meta.ends_with(";base64") {
        base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .ok()
    } else {
        Some(percent_decode(data).into_bytes())
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Finds the input map of `src`: `explicit` when given, else its `sourceMappingURL`
/// comment (a data URL, or a relative path next to the file). A comment naming a file that
/// does not exist, or a remote URL, gives `Ok(None)`.
pub fn find_input_map(
    src: &Source,
    explicit: Option<&Path>,
) -> Result<Option<InputMap>, FileError> {
    if let Some(p) = explicit {
        let bytes = std::fs::read(p).map_err(|e| {
            FileError::new(
                FileErrorKind::Io,
                src.name.clone(),
                format!("cannot read source map {}: {e}", p.display()),
            )
        })?;
        return parse_map(
            &bytes,
            &src.name,
            p.display().to_string(),
            Some(p.to_path_buf()),
        )
        .map(Some);
    }
    let Some(url) = mapping_url(&src.text) else {
        return Ok(None);
    };
    if url.starts_with("data:") {
        return match decode_data_url(url) {
            Some(bytes) => parse_map(&bytes, &src.name, "inline".into(), None).map(Some),
            None => Ok(None),
        };
    }
    if url.contains("://") {
        return Ok(None);
    }
    let Some(dir) = src.path.as_deref().and_then(Path::parent) else {
        return Ok(None);
    };
    let rel = percent_decode(url.split(['?', '#']).next().unwrap_or(url));
    let path: PathBuf = dir.join(rel);
    match std::fs::read(&path) {
        Ok(bytes) => {
            let origin = path.display().to_string();
            parse_map(&bytes, &src.name, origin, Some(path)).map(Some)
        }
        Err(_) => Ok(None),
    }
}

/// `text` with the URL of its last `sourceMappingURL` comment (the one [`mapping_url`]
/// finds) replaced by `url`; `None` when it has no such comment.
pub fn replace_mapping_url(text: &str, url: &str) -> Option<String> {
    let old = mapping_url(text)?;
    // `old` borrows from `text`: its offset is where it starts.
    let start = old.as_ptr() as usize - text.as_ptr() as usize;
    let end = start + old.len();
    Some(format!("{}{url}{}", &text[..start], &text[end..]))
}

/// Maps a 1-based line and column of the generated file to the original source.
pub fn original_position(map: &SourceMap, line: u32, column: u32) -> Option<OriginalPosition> {
    let tok = map.lookup_token(line.checked_sub(1)?, column.checked_sub(1)?)?;
    // lookup_token returns the closest token at or before the position; only accept one on
    // the same generated line.
    if tok.get_dst_line() != line - 1 {
        return None;
    }
    let file = tok.get_source()?.to_string();
    Some(OriginalPosition {
        file,
        line: tok.get_src_line() + 1,
        column: tok.get_src_col() + 1,
        name: tok.get_name().map(|n| n.to_string()),
    })
}

/// Serializes a map to JSON.
pub fn to_json(map: &SourceMap) -> Vec<u8> {
    let mut out = Vec::new();
    map.to_writer(&mut out)
        .expect("writing a source map to memory cannot fail");
    out
}

/// `//# sourceMappingURL=data:...` for an inline map.
pub fn inline_comment(json: &[u8]) -> String {
    format!(
        "//# sourceMappingURL=data:application/json;charset=utf-8;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(json)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_last_mapping_url() {
        let t = "a()\n//# sourceMappingURL=old.map\nb()\n//# sourceMappingURL=x.js.map\n";
        assert_eq!(mapping_url(t), Some("x.js.map"));
        assert_eq!(mapping_url("a()"), None);
    }

    #[test]
    fn replaces_the_last_mapping_url() {
        let t = "a()\n//# sourceMappingURL=old.map\nb()\n//# sourceMappingURL=x.js.map\n";
        assert_eq!(
            replace_mapping_url(t, "y.js.map").unwrap(),
            "a()\n//# sourceMappingURL=old.map\nb()\n//# sourceMappingURL=y.js.map\n"
        );
        let block = "a()\n/*# sourceMappingURL=x.map */";
        assert_eq!(
            replace_mapping_url(block, "z.map").unwrap(),
            "a()\n/*# sourceMappingURL=z.map */"
        );
        assert_eq!(replace_mapping_url("a()", "z.map"), None);
    }

    #[test]
    fn decodes_inline_maps() {
        let json = br#"{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA"}"#;
        let url = inline_comment(json);
        let url = url.strip_prefix("//# sourceMappingURL=").unwrap();
        assert_eq!(decode_data_url(url).unwrap(), json.to_vec());
    }
}
