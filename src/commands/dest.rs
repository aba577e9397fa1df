//! Where a command's output goes (`-o`, `--out-dir`, `--in-place`, stdout), the checks on
//! those flags, and the write itself: code and source map staged, the input checked
//! unchanged, then both renamed into place. Shared by `minify` and `fix`.

use crate::diagnostic::{FileError, FileErrorKind};
use crate::discover::Input;
use crate::output::{commit_all, create_dirs_inside, stage};
use crate::source::{Source, Stamp};
use std::path::{Component, Path, PathBuf};

/// The destination flags of a command.
pub struct Dests<'a> {
    pub output: Option<&'a PathBuf>,
    pub out_dir: Option<&'a PathBuf>,
    pub in_place: bool,
    /// File name of stdin's output under `--out-dir`.
    pub stdin_name: &'static str,
}

impl Dests<'_> {
    /// Whether a single input goes to stdout.
    pub fn to_stdout(&self) -> bool {
        self.output.is_none() && self.out_dir.is_none() && !self.in_place
    }

    /// Checks the flags against the inputs; `Err` is a usage message.
    pub fn check(&self, paths: &[PathBuf], inputs: &[Input]) -> Result<(), String> {
        let has_stdin = inputs.iter().any(|i| matches!(i, Input::Stdin));
        let has_dir = paths.iter().any(|p| p.is_dir());
        if self.in_place && has_stdin {
            return Err("--in-place cannot be used with stdin (-)".into());
        }
        if self.output.is_some() && (inputs.len() != 1 || has_dir) {
            return Err(
                "-o takes exactly one input file; use --out-dir or --in-place for several".into(),
            );
        }
        if self.to_stdout() && (inputs.len() != 1 || has_dir) {
            return Err(
                "several inputs need --out-dir DIR or --in-place (only a single file goes to stdout)"
                    .into(),
            );
        }
        // Refuse an output that would overwrite its input without --in-place.
        if !self.in_place {
            for input in inputs {
                if let Input::File { path, .. } = input {
                    if let Some(dest) = self.dest_for(input) {
                        if same_file(path, &dest) {
                            return Err(format!(
                                "the output for {} is the input itself; use --in-place to replace inputs",
                                path.display()
                            ));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The output path of an input, `None` for stdout.
    pub fn dest_for(&self, input: &Input) -> Option<PathBuf> {
        match input {
            Input::Stdin => self
                .output
                .cloned()
                .or_else(|| self.out_dir.map(|d| d.join(self.stdin_name))),
            Input::File { path, rel, .. } => {
                if self.in_place {
                    Some(path.clone())
                } else if let Some(o) = self.output {
                    Some(o.clone())
                } else {
                    self.out_dir.map(|d| d.join(rel))
                }
            }
        }
    }

    /// The output path of an input after checking that it stays inside `--out-dir`.
    pub fn checked_dest(&self, input: &Input, name: &str) -> Result<Option<PathBuf>, FileError> {
        let Some(p) = self.dest_for(input) else {
            return Ok(None);
        };
        // Never write outside --out-dir: relative paths only, no `..`.
        if let (Some(_), Input::File { rel, .. }) = (self.out_dir, input) {
            if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
                return Err(FileError::new(
                    FileErrorKind::Io,
                    name,
                    "refusing to write outside --out-dir",
                ));
            }
        }
        Ok(Some(p))
    }

    /// Writes `code` to `dest` and `map` (if any) beside it, both or neither: the folders
    /// inside `--out-dir` are made without going through links, the files staged, `unchanged`
    /// checked last, then everything renamed into place (the code last).
    pub fn write(
        &self,
        input: &Input,
        name: &str,
        dest: &Path,
        code: &[u8],
        map: Option<(&Path, &[u8])>,
        unchanged: impl FnOnce() -> Result<(), FileError>,
    ) -> Result<(), FileError> {
        let side: Vec<(&Path, &[u8])> = map.into_iter().collect();
        self.write_with(input, name, dest, code, &side, unchanged)
    }

    /// [`Dests::write`] with any files beside the code (its source map, its license file):
    /// all staged, then renamed into place, the code last.
    pub fn write_with(
        &self,
        input: &Input,
        name: &str,
        dest: &Path,
        code: &[u8],
        side: &[(&Path, &[u8])],
        unchanged: impl FnOnce() -> Result<(), FileError>,
    ) -> Result<(), FileError> {
        let io_err = |what: &str, p: &Path, e: std::io::Error| {
            FileError::new(
                FileErrorKind::Io,
                name,
                format!("cannot write {what} {}: {e}", p.display()),
            )
        };
        // No folder inside --out-dir may lead elsewhere through a symbolic link.
        if let (Some(out_dir), Input::File { rel, .. }) = (self.out_dir, input) {
            let rel_dir = rel.parent().unwrap_or(Path::new(""));
            create_dirs_inside(out_dir, rel_dir).map_err(|e| io_err("output", dest, e))?;
        }
        // The code and its map are both written in full before either replaces anything,
        // the code last: a failure leaves the old pair (or nothing).
        let mut staged = Vec::new();
        let what = |p: &Path| {
            if p == dest {
                "output"
            } else if p.to_string_lossy().ends_with(".map") {
                "source map"
            } else {
                "license file"
            }
        };
        for (path, bytes) in side {
            staged.push(stage(path, bytes).map_err(|e| io_err(what(path), path, e))?);
        }
        staged.push(stage(dest, code).map_err(|e| io_err("output", dest, e))?);
        unchanged()?;
        commit_all(staged).map_err(|(failed, e)| io_err(what(&failed), &failed, e))
    }
}

/// Checks that the input is still exactly what was read: a file saved again meanwhile (or
/// being written while it was read) is not replaced with output made from a version that
/// never existed whole. `doing` names the work ("minifying"), `in_place` picks the words.
pub fn check_unchanged(
    src: &Source,
    stamp: Option<&Stamp>,
    in_place: bool,
    doing: &str,
) -> Result<(), FileError> {
    let Some(stamp) = stamp else { return Ok(()) };
    let what = if in_place {
        "it was left as it is"
    } else {
        "nothing was written"
    };
    match src.unchanged_on_disk(stamp) {
        Ok(true) => Ok(()),
        Ok(false) => Err(FileError::new(
            FileErrorKind::Io,
            src.name.clone(),
            format!("the file changed while guardmin was {doing} it; {what} (run guardmin again once it is saved)"),
        )),
        Err(e) => Err(FileError::new(
            FileErrorKind::Io,
            src.name.clone(),
            format!("cannot read the file again to check that it did not change: {e}; {what}"),
        )),
    }
}

pub fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// `OUT.map`.
pub fn map_path(out: &Path) -> PathBuf {
    PathBuf::from(format!("{}.map", out.display()))
}

/// `target` relative to the folder `from_dir`, with `/` separators.
pub fn relative(target: &Path, from_dir: &Path) -> String {
    let abs = |p: &Path| {
        p.canonicalize()
            .unwrap_or_else(|_| std::env::current_dir().unwrap_or_default().join(p))
    };
    let t = abs(target);
    let f = abs(if from_dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        from_dir
    });
    let tc: Vec<_> = t.components().collect();
    let fc: Vec<_> = f.components().collect();
    let common = tc.iter().zip(&fc).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = std::iter::repeat_n("..".to_string(), fc.len() - common).collect();
    parts.extend(
        tc[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}
