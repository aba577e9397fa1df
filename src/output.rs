//! Atomic writes: a temporary file in the destination's folder, flushed and synced, then
//! renamed over the destination. A reader (or a crash) sees the old file or the new one,
//! never half of either.
//!
//! Files that belong together (code and its source map) are first all written to temporary
//! files ([`stage`]); only when every one of them is complete are they renamed into place
//! ([`commit_all`]). A full disk therefore leaves the old pair, never new code with an old
//! map or a map without its code.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// Temporary names beside a destination: `.NAME.XXXXXX.guardmin-tmp`.
fn tmp_builder(prefix: &str) -> tempfile::Builder<'_, 'static> {
    let mut b = tempfile::Builder::new();
    b.prefix(prefix).suffix(".guardmin-tmp");
    b
}

fn parent_dir(dest: &Path) -> &Path {
    match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn file_name(dest: &Path) -> String {
    dest.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A file written completely (flushed and synced) under a temporary name beside its
/// destination, not yet in place. Dropping it removes the temporary file.
pub struct Staged {
    tmp: tempfile::TempPath,
    dest: PathBuf,
}

impl Staged {
    /// Where it goes.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Renames it over its destination.
    pub fn commit(self) -> std::io::Result<()> {
        self.tmp.persist(&self.dest).map_err(|e| e.error)
    }
}

/// Writes `data` to a temporary file beside `dest` (creating missing parent folders), with
/// the mode, owner and group of the file it will replace (owner and group as far as this
/// process may set them), or mode 0644 for a new file.
pub fn stage(dest: &Path, data: &[u8]) -> std::io::Result<Staged> {
    let dir = parent_dir(dest);
    std::fs::create_dir_all(dir)?;
    let prefix = format!(".{}.", file_name(dest));
    let mut tmp = tmp_builder(&prefix).tempfile_in(dir)?;
    tmp.write_all(data)?;
    match std::fs::metadata(dest) {
        Ok(meta) => {
            #[cfg(unix)]
            keep_owner(tmp.as_file(), &meta);
            // After chown, which may clear set-user-ID and set-group-ID bits.
            tmp.as_file().set_permissions(meta.permissions())?;
        }
        // A new file gets the usual mode, not the temporary file's private 0600.
        #[cfg(unix)]
        Err(_) => {
            use std::os::unix::fs::PermissionsExt;
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644))?;
        }
        #[cfg(not(unix))]
        Err(_) => {}
    }
    tmp.as_file().sync_all()?;
    Ok(Staged {
        tmp: tmp.into_temp_path(),
        dest: dest.to_path_buf(),
    })
}

/// Gives `file` the owner and group of `like`, as `sed -i` does: both when this process may
/// (root, or the owner changing only the group to one of its own), else the group alone,
/// else nothing (the file then belongs to whoever runs guardmin, as any new file would).
#[cfg(unix)]
fn keep_owner(file: &std::fs::File, like: &std::fs::Metadata) {
    use std::os::unix::fs::{fchown, MetadataExt};
    let Ok(now) = file.metadata() else { return };
    if (now.uid(), now.gid()) == (like.uid(), like.gid()) {
        return;
    }
    if fchown(file, Some(like.uid()), Some(like.gid())).is_err() && now.gid() != like.gid() {
        let _ = fchown(file, None, Some(like.gid()));
    }
}

/// Puts staged files in place, in order (put the one that makes the change visible, the
/// code, last). If one cannot be renamed, those already renamed get their old files back
/// (kept meanwhile under a second, hard-linked name) or are removed when there was none,
/// and the rest are dropped. `Err` names the destination that failed.
pub fn commit_all(files: Vec<Staged>) -> Result<(), (PathBuf, std::io::Error)> {
    let mut done: Vec<(PathBuf, Undo)> = Vec::new();
    let last = files.len().saturating_sub(1);
    for (i, f) in files.into_iter().enumerate() {
        let dest = f.dest.clone();
        // How to undo it if a later rename fails; nothing to undo after the last one.
        let undo = if i < last { undo(&dest) } else { Undo::Nothing };
        match f.commit() {
            Ok(()) => done.push((dest, undo)),
            Err(e) => {
                for (d, u) in done.into_iter().rev() {
                    match u {
                        Undo::Restore(old) => {
                            let _ = old.persist(&d);
                        }
                        Undo::Remove => {
                            let _ = std::fs::remove_file(&d);
                        }
                        Undo::Nothing => {}
                    }
                }
                return Err((dest, e));
            }
        }
    }
    Ok(())
}

enum Undo {
    /// The old file, under a second (hard-linked) name that is removed when dropped.
    Restore(tempfile::TempPath),
    /// There was no old file.
    Remove,
    /// The old file cannot be kept (no hard links here): leave the new one.
    Nothing,
}

fn undo(dest: &Path) -> Undo {
    let Ok(meta) = std::fs::symlink_metadata(dest) else {
        return Undo::Remove;
    };
    if !meta.is_file() {
        return Undo::Nothing;
    }
    let prefix = format!(".{}.", file_name(dest));
    match tmp_builder(&prefix).make_in(parent_dir(dest), |p| std::fs::hard_link(dest, p)) {
        Ok(t) => Undo::Restore(t.into_temp_path()),
        Err(_) => Undo::Nothing,
    }
}

/// Writes `data` to `dest` atomically. Creates missing parent folders. Keeps the mode,
/// owner and group of an existing file.
pub fn write_atomic(dest: &Path, data: &[u8]) -> std::io::Result<()> {
    stage(dest, data)?.commit()
}

/// Creates `root/rel` folder by folder (`root` itself may be anything the user named),
/// refusing to go through a symbolic link below `root`: a link left in an output folder
/// must not send writes outside it. `rel` must be relative, without `..`.
pub fn create_dirs_inside(root: &Path, rel: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(root)?;
    let mut dir = root.to_path_buf();
    for c in rel.components() {
        let Component::Normal(part) = c else {
            return Err(std::io::Error::other(format!(
                "{} leaves {}",
                rel.display(),
                root.display()
            )));
        };
        dir.push(part);
        match std::fs::symlink_metadata(&dir) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(std::io::Error::other(format!(
                    "{} is a symbolic link; guardmin does not write through links inside the output folder (remove it)",
                    dir.display()
                )));
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match std::fs::create_dir(&dir) {
                Ok(()) => {}
                // Made meanwhile by another thread: look again.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    if std::fs::symlink_metadata(&dir)?.file_type().is_symlink() {
                        return Err(std::io::Error::other(format!(
                            "{} is a symbolic link; guardmin does not write through links inside the output folder (remove it)",
                            dir.display()
                        )));
                    }
                }
                Err(e) => return Err(e),
            },
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_leaves_no_temp() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("a.js");
        std::fs::write(&f, "old").unwrap();
        write_atomic(&f, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "new");
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn new_files_are_world_readable() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("new.js");
        write_atomic(&f, b"x").unwrap();
        assert_eq!(
            std::fs::metadata(&f).unwrap().permissions().mode() & 0o777,
            0o644
        );
    }

    #[cfg(unix)]
    #[test]
    fn replaced_files_keep_their_mode() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("a.js");
        std::fs::write(&f, "old").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&f, b"new").unwrap();
        assert_eq!(
            std::fs::metadata(&f).unwrap().permissions().mode() & 0o7777,
            0o640
        );
    }

    #[test]
    fn failure_leaves_nothing() {
        let d = tempfile::tempdir().unwrap();
        // Destination is an existing directory: rename fails, temp file must be gone.
        let target = d.path().join("sub");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("x"), "x").unwrap();
        assert!(write_atomic(&target, b"data").is_err());
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_failed_commit_puts_the_earlier_files_back() {
        let d = tempfile::tempdir().unwrap();
        let (map, code) = (d.path().join("a.js.map"), d.path().join("a.js"));
        std::fs::write(&map, "old map").unwrap();
        let new_map = d.path().join("new.js.map");
        let staged = vec![
            stage(&map, b"new map").unwrap(),
            stage(&new_map, b"x").unwrap(),
        ];
        // The code's destination is a folder: its rename fails after the maps were renamed.
        std::fs::create_dir(&code).unwrap();
        std::fs::write(code.join("x"), "x").unwrap();
        let staged = staged
            .into_iter()
            .chain([stage(&code, b"code").unwrap()])
            .collect();
        let (failed, _) = commit_all(staged).unwrap_err();
        assert_eq!(failed, code);
        assert_eq!(std::fs::read_to_string(&map).unwrap(), "old map");
        assert!(!new_map.exists());
        let mut names: Vec<_> = std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["a.js", "a.js.map"]);
    }

    #[test]
    fn dropped_stages_leave_nothing() {
        let d = tempfile::tempdir().unwrap();
        let s = stage(&d.path().join("a.js"), b"x").unwrap();
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
        drop(s);
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 0);
    }

    #[cfg(unix)]
    #[test]
    fn no_folder_is_created_through_a_link() {
        let d = tempfile::tempdir().unwrap();
        let (out, elsewhere) = (d.path().join("out"), d.path().join("elsewhere"));
        std::fs::create_dir_all(&out).unwrap();
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, out.join("sub")).unwrap();
        let e = create_dirs_inside(&out, Path::new("sub/deeper")).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
        create_dirs_inside(&out, Path::new("a/b")).unwrap();
        assert!(out.join("a/b").is_dir());
    }
}
