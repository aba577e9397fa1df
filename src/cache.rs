//! A cache of finished outputs for repeated builds.
//!
//! The key is a BLAKE3 hash of everything that decides the output bytes: guardmin's version,
//! the options, the input's name and bytes, its source map's bytes, and the output's file
//! name (it appears in the map and the `sourceMappingURL` comment). An entry stores the
//! final output, the final map and the summary numbers, behind a header with its own
//! checksum; it is written atomically, and an entry that fails the check on read is ignored
//! (and replaced), never emitted.

use crate::output::write_atomic;
use std::path::{Path, PathBuf};

// 2: entries no longer carry the gzip size (computed for the summary when shown).
// 3: entries carry the license file (`--comments external`, `linked`).
const MAGIC: &str = "guardmin-cache 3";

/// What a cached run produces for one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub code: Vec<u8>,
    pub map: Option<Vec<u8>>,
    pub guards: usize,
    /// The license file's bytes (`--comments external`, `linked`).
    pub licenses: Option<Vec<u8>>,
}

pub struct Cache {
    dir: PathBuf,
}

/// Builds a key from the parts that decide an output.
#[derive(Default)]
pub struct KeyBuilder(blake3::Hasher);

impl KeyBuilder {
    pub fn new() -> Self {
        let mut h = blake3::Hasher::new();
        h.update(MAGIC.as_bytes());
        h.update(crate::VERSION.as_bytes());
        KeyBuilder(h)
    }
    /// Adds one part; parts are length-prefixed so that boundaries cannot shift.
    pub fn part(mut self, bytes: &[u8]) -> Self {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }
    pub fn finish(self) -> String {
        self.0.finalize().to_hex().to_string()
    }
}

impl Cache {
    /// Opens (creating) a cache directory.
    pub fn open(dir: &Path) -> std::io::Result<Cache> {
        std::fs::create_dir_all(dir)?;
        Ok(Cache {
            dir: dir.to_path_buf(),
        })
    }

    /// The default location: `node_modules/.cache/guardmin` when `node_modules` exists in
    /// the current directory, as other build tools do; otherwise no cache.
    pub fn default_dir() -> Option<PathBuf> {
        let nm = Path::new("node_modules");
        nm.is_dir().then(|| nm.join(".cache").join("guardmin"))
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(&key[..2]).join(&key[2..])
    }

    /// The entry for `key`, if present and intact.
    pub fn get(&self, key: &str) -> Option<Entry> {
        let bytes = std::fs::read(self.path(key)).ok()?;
        decode(&bytes)
    }

    /// Stores an entry (atomically). Errors are returned for the caller to ignore or report.
    pub fn put(&self, key: &str, e: &Entry) -> std::io::Result<()> {
        write_atomic(&self.path(key), &encode(e))
    }
}

fn encode(e: &Entry) -> Vec<u8> {
    let len = |b: &Option<Vec<u8>>| b.as_ref().map(|m| m.len() as i64).unwrap_or(-1);
    let mut body = format!(
        "{} {} {} {}\n",
        e.code.len(),
        len(&e.map),
        e.guards,
        len(&e.licenses)
    )
    .into_bytes();
    body.extend_from_slice(&e.code);
    for part in [&e.map, &e.licenses].into_iter().flatten() {
        body.extend_from_slice(part);
    }
    let mut out = format!("{MAGIC} {}\n", blake3::hash(&body).to_hex()).into_bytes();
    out.extend_from_slice(&body);
    out
}

fn decode(bytes: &[u8]) -> Option<Entry> {
    let nl = bytes.iter().position(|&b| b == b'\n')?;
    let header = std::str::from_utf8(&bytes[..nl]).ok()?;
    let sum = header.strip_prefix(MAGIC)?.trim();
    let body = &bytes[nl + 1..];
    if blake3::hash(body).to_hex().as_str() != sum {
        return None;
    }
    let nl = body.iter().position(|&b| b == b'\n')?;
    let mut nums = std::str::from_utf8(&body[..nl]).ok()?.split(' ');
    let code_len: usize = nums.next()?.parse().ok()?;
    let map_len: i64 = nums.next()?.parse().ok()?;
    let guards = nums.next()?.parse().ok()?;
    let lic_len: i64 = nums.next()?.parse().ok()?;
    let mut rest = &body[nl + 1..];
    let mut take = |n: i64| -> Option<Option<Vec<u8>>> {
        if n == -1 {
            return Some(None);
        }
        let n = usize::try_from(n).ok()?;
        let part = rest.get(..n)?.to_vec();
        rest = &rest[n..];
        Some(Some(part))
    };
    let code = take(i64::try_from(code_len).ok()?)??;
    let map = take(map_len)?;
    let licenses = take(lic_len)?;
    rest.is_empty().then_some(Entry {
        code,
        map,
        guards,
        licenses,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            code: b"var a=1;\n".to_vec(),
            map: Some(b"{\"version\":3}".to_vec()),
            guards: 2,
            licenses: Some(b"/*! MIT */\n".to_vec()),
        }
    }

    #[test]
    fn roundtrip_and_keys() {
        let d = tempfile::tempdir().unwrap();
        let c = Cache::open(d.path()).unwrap();
        let k = KeyBuilder::new().part(b"input").part(b"opts").finish();
        assert_ne!(k, KeyBuilder::new().part(b"inpu").part(b"topts").finish());
        assert!(c.get(&k).is_none());
        c.put(&k, &entry()).unwrap();
        assert_eq!(c.get(&k), Some(entry()));
        let no_map = Entry {
            map: None,
            ..entry()
        };
        c.put(&k, &no_map).unwrap();
        assert_eq!(c.get(&k), Some(no_map));
    }

    #[test]
    fn corrupt_entries_are_ignored() {
        let d = tempfile::tempdir().unwrap();
        let c = Cache::open(d.path()).unwrap();
        let k = KeyBuilder::new().part(b"x").finish();
        c.put(&k, &entry()).unwrap();
        let p = c.path(&k);
        let mut bytes = std::fs::read(&p).unwrap();
        // Flip one byte of the code.
        let last = bytes.len() - 20;
        bytes[last] ^= 1;
        std::fs::write(&p, &bytes).unwrap();
        assert!(c.get(&k).is_none());
        // Truncated.
        c.put(&k, &entry()).unwrap();
        let bytes = std::fs::read(&p).unwrap();
        std::fs::write(&p, &bytes[..bytes.len() - 3]).unwrap();
        assert!(c.get(&k).is_none());
        std::fs::write(&p, b"garbage").unwrap();
        assert!(c.get(&k).is_none());
    }
}
