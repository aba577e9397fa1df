//! Reading an input into checked text: UTF-8 validated (with the position of the first bad
//! byte), binary files refused, a BOM remembered and removed.

use crate::diagnostic::{FileError, FileErrorKind, LineIndex};
use std::path::{Path, PathBuf};

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

    /// Checks `bytes` and turns them into a `Source` with no path.
    pub fn from_bytes(name: String, mut bytes: Vec<u8>) -> Result<Source, FileError> {
        let had_bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
        if had_bom {
            bytes.drain(..3);
        }
        if let Some(nul) = bytes.iter().position(|&b| b == 0) {
            let valid = String::from_utf8_lossy(&bytes[..nul]).into_owned();
            return Err(FileError::new(
                FileErrorKind::Input,
                name,
                "binary file (contains a NUL byte): not JavaScript; exclude it with --exclude",
            )
            .at_plain(&valid, nul));
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
    fn bom_is_stripped() {
        let s = Source::from_bytes("a.js".into(), b"\xEF\xBB\xBFvar a".to_vec()).unwrap();
        assert!(s.had_bom);
        assert_eq!(s.text, "var a");
    }
}
