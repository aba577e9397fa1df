//! Reading an input into checked text: UTF-8 validated (with the position of the first bad
//! byte), binary files refused, a BOM remembered and removed.

use crate::diagnostic::{FileError, FileErrorKind, LineIndex};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What a file looked like when it was read (size, modification time, identity), so that a
/// later look can tell whether it was changed or replaced since.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    /// Device and inode: an editor's save renames a new file over the old one.
    id: Option<(u64, u64)>,
}

impl Stamp {
    pub fn of(meta: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        let id = {
            use std::os::unix::fs::MetadataExt;
            Some((meta.dev(), meta.ino()))
        };
        #[cfg(not(unix))]
        let id = None;
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            id,
        }
    }
}

/// One input file, as text.
#[derive(Clone, Debug)]
pub struct Source {
    /// The name shown to the user (the path as given, or `<stdin>`).
    pub name: String,
    /// Where it was read from; `None` for stdin.
    pub path: Option<PathBuf>,
    /// The text, without a leading BOM.
    pub text: String,
    /// Whether the file started with a UTF-8 BOM.
    pub had_bom: bool,
}

impl Source {
    pub fn read(path: &Path, name: String) -> Result<Source, FileError> {
        let bytes = std::fs::read(path).map_err(|e| {
            FileError::new(FileErrorKind::Io, name.clone(), format!("cannot read: {e}"))
        })?;
        let mut s = Source::from_bytes(name, bytes)?;
        s.path = Some(path.to_path_buf());
        Ok(s)
    }

    /// Like [`Source::read`], also returning the file's [`Stamp`] from just before the
    /// read, for [`Source::unchanged_on_disk`].
    pub fn read_stamped(path: &Path, name: String) -> Result<(Source, Stamp), FileError> {
        let io = |e: std::io::Error| {
            FileError::new(FileErrorKind::Io, name.clone(), format!("cannot read: {e}"))
        };
        let mut f = std::fs::File::open(path).map_err(io)?;
        let meta = f.metadata().map_err(io)?;
        let stamp = Stamp::of(&meta);
        let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
        f.read_to_end(&mut bytes).map_err(io)?;
        let mut s = Source::from_bytes(name, bytes)?;
        s.path = Some(path.to_path_buf());
        Ok((s, stamp))
    }

    /// Whether the file this source was read from still holds exactly what was read: the
    /// same file (not one renamed over it), with the same size, modification time and
    /// bytes. `false` also when it is gone. Catches a file that was being written while it
    /// was read (a torn read) as well as one saved again since.
    pub fn unchanged_on_disk(&self, stamp: &Stamp) -> std::io::Result<bool> {
        let Some(path) = &self.path else {
            return Ok(true);
        };
        let mut f = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e),
        };
        let now = Stamp::of(&f.metadata()?);
        if now != *stamp {
            return Ok(false);
        }
        let bom: &[u8] = if self.had_bom { b"\xEF\xBB\xBF" } else { b"" };
        let want = bom.len() + self.text.len();
        let mut bytes = Vec::with_capacity(want + 1);
        // One byte more than expected is enough to see that it grew.
        (&mut f).take(want as u64 + 1).read_to_end(&mut bytes)?;
        Ok(bytes.len() == want
            && bytes[..bom.len()] == *bom
            && bytes[bom.len()..] == *self.text.as_bytes())
    }

    /// Checks `bytes` and turns them into a `Source` with no path.
    pub fn from_bytes(name: String, mut bytes: Vec<u8>) -> Result<Source, FileError> {
        let had_bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
        if had_bom {
            bytes.drain(..3);
        }
        if let Some(nul) = bytes.iter().position(|&b| b == 0) {
            let mut e = FileError::new(
                FileErrorKind::Input,
                name,
                "binary file (contains a NUL byte): not JavaScript; exclude it with --exclude",
            );
            e.position = Some(line_col_bytes(&bytes, nul));
            return Err(e);
        }
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Source {
                name,
                path: None,
                text,
                had_bom,
            }),
            Err(e) => {
                let good = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                let prefix = std::str::from_utf8(&bytes[..good]).unwrap_or_default();
                Err(FileError::new(
                    FileErrorKind::Input,
                    name,
                    format!(
                        "not valid UTF-8 (byte 0x{:02X} at offset {good}); guardmin reads JavaScript as UTF-8: re-encode the file",
                        bytes[good]
                    ),
                )
                .at_plain(prefix, good))
            }
        }
    }
}

/// `(line, column)`, 1-based, of byte `offset` in `bytes` that need not be UTF-8 (a binary
/// file): lines end at `\n`, `\r`, `\r\n`, U+2028 and U+2029 as in JavaScript, and columns
/// count characters, each invalid sequence counting as one (as it shows, replaced).
fn line_col_bytes(bytes: &[u8], offset: usize) -> (u32, u32) {
    let offset = offset.min(bytes.len());
    let (mut line, mut start, mut i) = (1u32, 0usize, 0usize);
    while i < offset {
        let end = match bytes[i] {
            b'\n' => Some(i + 1),
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => Some(i + 1),
            0xE2 if bytes.get(i + 1) == Some(&0x80)
                && matches!(bytes.get(i + 2), Some(0xA8) | Some(0xA9)) =>
            {
                Some(i + 3)
            }
            _ => None,
        };
        match end {
            Some(e) if e <= offset => {
                line += 1;
                start = e;
                i = e;
            }
            _ => i += 1,
        }
    }
    let col = String::from_utf8_lossy(&bytes[start..offset])
        .chars()
        .count();
    (line, col as u32 + 1)
}

impl FileError {
    /// Adds a position (no frame) computed from the valid text before `offset`.
    fn at_plain(mut self, valid_prefix: &str, offset: usize) -> Self {
        let idx = LineIndex::new(valid_prefix);
        self.position = Some(idx.line_col(offset.min(valid_prefix.len())));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_has_position() {
        let e = Source::from_bytes("a.js".into(), b"var a;\nvar \xff = 1;".to_vec()).unwrap_err();
        assert_eq!(e.kind, FileErrorKind::Input);
        assert_eq!(e.position, Some((2, 5)));
        assert!(e.message.contains("UTF-8"));
    }

    #[test]
    fn nul_is_binary() {
        let e = Source::from_bytes("a.js".into(), b"ab\0cd".to_vec()).unwrap_err();
        assert!(e.message.contains("binary"));
        assert_eq!(e.position, Some((1, 3)));
    }

    #[test]
    fn binary_position_counts_invalid_bytes_as_characters() {
        // A PNG header: the NUL is on the third line, and 0x89 before it is one character.
        let e = Source::from_bytes("a.js".into(), b"\x89PNG\r\n\x1a\n\0\0".to_vec()).unwrap_err();
        assert_eq!(e.position, Some((3, 1)));
        let e = Source::from_bytes("a.js".into(), b"\xff\xfeab\0".to_vec()).unwrap_err();
        assert_eq!(e.position, Some((1, 5)));
        let e =
            Source::from_bytes("a.js".into(), "a\u{2028}b\rc\0".as_bytes().to_vec()).unwrap_err();
        assert_eq!(e.position, Some((3, 2)));
    }

    #[test]
    fn notices_a_changed_file() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("a.js");
        std::fs::write(&f, "\u{FEFF}var a = 1;").unwrap();
        let (s, stamp) = Source::read_stamped(&f, "a.js".into()).unwrap();
        assert!(s.had_bom);
        assert!(s.unchanged_on_disk(&stamp).unwrap());
        // Same size, same bytes but one: caught by the bytes even with an equal stamp.
        std::fs::write(&f, "\u{FEFF}var a = 2;").unwrap();
        assert!(!s.unchanged_on_disk(&stamp).unwrap());
        // Replaced by another file with the old bytes: another inode.
        let tmp = d.path().join("b.js");
        std::fs::write(&tmp, "\u{FEFF}var a = 1;").unwrap();
        std::fs::rename(&tmp, &f).unwrap();
        assert!(!s.unchanged_on_disk(&stamp).unwrap());
        std::fs::remove_file(&f).unwrap();
        assert!(!s.unchanged_on_disk(&stamp).unwrap());
    }

    #[test]
    fn bom_is_stripped() {
        let s = Source::from_bytes("a.js".into(), b"\xEF\xBB\xBFvar a".to_vec()).unwrap();
        assert!(s.had_bom);
        assert_eq!(s.text, "var a");
    }
}
