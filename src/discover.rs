//! Which files a run processes: explicit files as given, directories walked recursively
//! (`.js`, `.mjs`, `.cjs` by default; `--include` / `--exclude` globs), `-` for stdin.
//! Symbolic links met inside a walk are not followed (and are reported), so a walk never
//! loops or leaves the tree; a path named on the command line is taken through its links,
//! as `find -H` does (`dist -> build/dist` is walked).

use anyhow::{anyhow, bail, Context, Result};
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};

/// One input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Stdin,
    File {
        path: PathBuf,
        /// Path relative to the directory argument it was found under (the file name for
        /// a file given directly); used to mirror the tree under `--out-dir`.
        rel: PathBuf,
        /// Size in bytes, for biggest-first scheduling.
        size: u64,
    },
}

impl Input {
    pub fn display(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".into(),
            Input::File { path, .. } => path.display().to_string(),
        }
    }
    pub fn size(&self) -> u64 {
        match self {
            Input::Stdin => 0,
            Input::File { size, .. } => *size,
        }
    }
}

/// Filters for directory walks.
#[derive(Clone, Debug, Default)]
pub struct Filters {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

/// What a walk skipped and why (symbolic links), to tell the user.
#[derive(Debug, Default)]
pub struct Discovered {
    pub inputs: Vec<Input>,
    pub skipped_links: Vec<PathBuf>,
}

const DEFAULT_EXTS: &[&str] = &["js", "mjs", "cjs"];

fn globset(patterns: &[String], what: &str) -> Result<Option<GlobSet>> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let g = Glob::new(p).with_context(|| format!("invalid {what} glob {p:?}"))?;
        b.add(g);
        // `*.js` should also match below the directory, like ripgrep's globs.
        if !p.contains('/') {
            b.add(
                Glob::new(&format!("**/{p}"))
                    .with_context(|| format!("invalid {what} glob {p:?}"))?,
            );
        }
    }
    Ok(Some(b.build()?))
}

/// Expands the command-line paths into inputs, sorted biggest first (ties by path, so the
/// order is deterministic). Errors only for paths that do not exist.
pub fn discover(paths: &[PathBuf], filters: &Filters) -> Result<Discovered> {
    let include = globset(&filters.include, "--include")?;
    let exclude = globset(&filters.exclude, "--exclude")?;
    let mut out = Discovered::default();
    for p in paths {
        if p.as_os_str() == "-" {
            out.inputs.push(Input::Stdin);
            continue;
        }
        // Named by the user: follow links (a link that leads nowhere is taken as a file, and
        // reading it says why it fails).
        let meta = std::fs::metadata(p)
            .or_else(|_| std::fs::symlink_metadata(p))
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => {
                    anyhow!("{}: no such file or directory", p.display())
                }
                _ => anyhow!("{}: {e}", p.display()),
            })?;
        if meta.is_dir() {
            walk_dir(p, include.as_ref(), exclude.as_ref(), &mut out)?;
        } else {
            // A file named explicitly is taken whatever its extension (links too: the user
            // named it).
            let size = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
            let rel = PathBuf::from(p.file_name().unwrap_or(p.as_os_str()));
            out.inputs.push(Input::File {
                path: p.clone(),
                rel,
                size,
            });
        }
    }
    out.inputs.sort_by(|a, b| {
        b.size()
            .cmp(&a.size())
            .then_with(|| a.display().cmp(&b.display()))
    });
    out.inputs.dedup();
    Ok(out)
}

fn walk_dir(
    root: &Path,
    include: Option<&GlobSet>,
    exclude: Option<&GlobSet>,
    out: &mut Discovered,
) -> Result<()> {
    let walker = ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .hidden(false)
        .follow_links(false)
        .sort_by_file_path(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        let entry = entry.with_context(|| format!("cannot walk {}", root.display()))?;
        let Some(ft) = entry.file_type() else {
            continue;
        };
        if entry.depth() == 0 {
            // The directory named on the command line (through a link or not).
            continue;
        }
        let path = entry.path();
        let rel = path.strip_prefix(root).unwrap_or(path).to_path_buf();
        if ft.is_symlink() {
            out.skipped_links.push(path.to_path_buf());
            continue;
        }
        if !ft.is_file() {
            continue;
        }
        let matches_ext = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| DEFAULT_EXTS.contains(&e));
        let included = match include {
            Some(g) => g.is_match(&rel),
            None => matches_ext,
        };
        if !included || exclude.is_some_and(|g| g.is_match(&rel)) {
            continue;
        }
        if rel.components().any(|c| c.as_os_str() == "node_modules") && include.is_none() {
            continue;
        }
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        out.inputs.push(Input::File {
            path: path.to_path_buf(),
            rel,
            size,
        });
    }
    if out.inputs.is_empty() && !root.exists() {
        bail!("{}: no such directory", root.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_with_filters_and_orders_biggest_first() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("sub")).unwrap();
        std::fs::write(d.path().join("a.js"), "1").unwrap();
        std::fs::write(d.path().join("sub/b.mjs"), "12345").unwrap();
        std::fs::write(d.path().join("c.txt"), "x").unwrap();
        std::fs::write(d.path().join("sub/d.min.js"), "x").unwrap();
        let f = Filters {
            include: vec![],
            exclude: vec!["*.min.js".into()],
        };
        let got = discover(&[d.path().to_path_buf()], &f).unwrap();
        let rels: Vec<_> = got
            .inputs
            .iter()
            .map(|i| match i {
                Input::File { rel, .. } => rel.to_string_lossy().into_owned(),
                Input::Stdin => "-".into(),
            })
            .collect();
        assert_eq!(rels, vec!["sub/b.mjs", "a.js"]);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_not_followed() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("a.js"), "1").unwrap();
        std::os::unix::fs::symlink(d.path(), d.path().join("loop")).unwrap();
        let got = discover(&[d.path().to_path_buf()], &Filters::default()).unwrap();
        assert_eq!(got.inputs.len(), 1);
        assert_eq!(got.skipped_links.len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_directory_named_through_a_link_is_walked() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("build/dist/sub")).unwrap();
        std::fs::write(d.path().join("build/dist/sub/a.js"), "1").unwrap();
        let link = d.path().join("dist");
        std::os::unix::fs::symlink("build/dist", &link).unwrap();
        let got = discover(std::slice::from_ref(&link), &Filters::default()).unwrap();
        assert_eq!(
            got.inputs,
            vec![Input::File {
                path: link.join("sub/a.js"),
                rel: PathBuf::from("sub/a.js"),
                size: 1
            }]
        );
        assert!(got.skipped_links.is_empty());
    }
}
