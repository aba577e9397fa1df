//! The optimizer flags of `minify` and `batch`, checked and turned into [`Options`] before
//! any file is read: each flag's value is validated here, each combination that cannot work
//! is refused here, and every error says what to write instead.

use crate::cli::OptimizeArgs;
use crate::minify::comments::CommentsMode;
use crate::minify::name_cache::{NameCache, NameCacheError};
use crate::minify::target::{self, TargetError};
use crate::minify::{self, Options};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// A flag (or a combination) that cannot be used; the message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{0}")]
    Define(String),
    #[error("--drop {0:?}: guardmin can drop `console` (every console.* call) and `debugger` (debugger statements), e.g. --drop console,debugger")]
    UnknownDrop(String),
    #[error("{0}")]
    PureFunc(String),
    #[error(
        "{flag} is done by the compressor, which --no-compress turns off; remove one of the two"
    )]
    NeedsCompress { flag: &'static str },
    #[error("--ecma {ecma} and --target {target} both set the output's ECMAScript edition; keep one (--target es{ecma} is the same as --ecma {ecma})")]
    EcmaAndTarget { ecma: String, target: String },
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error("--name-cache names top-level variables, which --no-mangle turns off; remove one of the two")]
    NameCacheWithoutMangle,
    #[error("--name-cache {0}: that is a directory; give the path of a JSON file (it is created when missing)")]
    NameCacheIsDir(String),
    #[error(transparent)]
    NameCache(#[from] NameCacheError),
    #[error("--passes 0: give at least 1 (or leave --passes out for swc's default)")]
    ZeroPasses,
}

/// The checked optimizer options, and what the command reports or saves at the end.
#[derive(Debug)]
pub struct Plan {
    pub options: Options,
    /// For a browserslist `--target`: `"<query>" -> <edition> (decided by <browser>)`.
    pub target_note: Option<String>,
    /// Where the name cache is written back.
    pub name_cache_path: Option<PathBuf>,
}

/// Checks the optimizer flags and builds the options.
pub fn plan(a: &OptimizeArgs) -> Result<Plan, PlanError> {
    let mut defines = Vec::new();
    for d in &a.define {
        let Some((k, v)) = d.split_once('=') else {
            return Err(PlanError::Define(format!(
                "--define {d}: expected NAME=EXPR, e.g. --define DEBUG=false"
            )));
        };
        minify::check_define(k.trim(), v.trim()).map_err(PlanError::Define)?;
        defines.push((k.trim().to_string(), v.trim().to_string()));
    }

    let (mut drop_console, mut drop_debugger) = (false, true);
    for d in &a.drop {
        match d.trim() {
            "console" => drop_console = true,
            "debugger" => drop_debugger = true,
            other => return Err(PlanError::UnknownDrop(other.to_string())),
        }
    }
    let mut pure_funcs = Vec::new();
    for f in &a.pure_funcs {
        let f = f.trim();
        minify::check_pure_func(f).map_err(PlanError::PureFunc)?;
        if !pure_funcs.iter().any(|p| p == f) {
            pure_funcs.push(f.to_string());
        }
    }
    if a.no_compress {
        if !a.drop.is_empty() {
            return Err(PlanError::NeedsCompress { flag: "--drop" });
        }
        if !pure_funcs.is_empty() {
            return Err(PlanError::NeedsCompress {
                flag: "--pure-funcs",
            });
        }
        if !defines.is_empty() {
            return Err(PlanError::NeedsCompress { flag: "--define" });
        }
    }
    if a.passes == Some(0) {
        return Err(PlanError::ZeroPasses);
    }

    let (ecma, target_note) = match (&a.ecma, &a.target) {
        (Some(e), Some(t)) => {
            return Err(PlanError::EcmaAndTarget {
                ecma: e.clone(),
                target: t.clone(),
            })
        }
        (Some(e), None) => (target::edition(e), None),
        (None, Some(t)) => {
            let r = target::resolve(t)?;
            let note = r.decided_by.map(|by| {
                format!(
                    "--target {:?} is {} (the oldest matched browser is {by})",
                    t.trim(),
                    target::name(r.ecma)
                )
            });
            (Some(r.ecma), note)
        }
        (None, None) => (None, None),
    };

    let (name_cache, name_cache_path) = match &a.name_cache {
        None => (None, None),
        Some(p) => {
            if a.no_mangle {
                return Err(PlanError::NameCacheWithoutMangle);
            }
            if p.is_dir() {
                return Err(PlanError::NameCacheIsDir(p.display().to_string()));
            }
            let c = NameCache::load(p)?;
            (Some(Arc::new(Mutex::new(c))), Some(p.clone()))
        }
    };

    Ok(Plan {
        options: Options {
            compress: !a.no_compress,
            mangle: !a.no_mangle,
            ecma,
            toplevel: a.toplevel,
            keep_fnames: a.keep_fnames,
            keep_classnames: a.keep_classnames,
            passes: a.passes.unwrap_or(0),
            defines,
            comments: a.comments,
            drop_console,
            drop_debugger,
            pure_funcs,
            name_cache,
            allow_broken_input: a.allow_broken_input,
            ..Options::default()
        },
        target_note,
        name_cache_path,
    })
}

/// `--comments external` and `linked` write a file beside each output: refused for stdout.
pub fn check_comments_dest(mode: CommentsMode, to_stdout: bool) -> Result<(), String> {
    if mode.to_file() && to_stdout {
        return Err(format!(
            "--comments {} writes OUTPUT.LICENSE.txt beside each output, and stdout has no file to put it beside: give -o FILE, --out-dir DIR or --in-place, or use --comments license or eof",
            mode.name()
        ));
    }
    Ok(())
}

impl Plan {
    /// Writes the name cache back when it changed.
    pub fn save_name_cache(&self, loaded: Option<&NameCache>) -> Result<(), NameCacheError> {
        let (Some(path), Some(cache)) = (&self.name_cache_path, &self.options.name_cache) else {
            return Ok(());
        };
        let now = cache.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if loaded == Some(&now) && path.exists() {
            return Ok(());
        }
        now.save(path)
    }

    /// The cache as read, to compare with at the end.
    pub fn name_cache_snapshot(&self) -> Option<NameCache> {
        self.options
            .name_cache
            .as_ref()
            .map(|c| c.lock().unwrap_or_else(|e| e.into_inner()).clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn plan_of(args: &[&str]) -> Result<Plan, PlanError> {
        let mut all = vec!["guardmin", "batch"];
        all.extend_from_slice(args);
        match Cli::try_parse_from(all).expect("clap accepts it").command {
            Command::Batch(b) => plan(&b.opts),
            _ => unreachable!(),
        }
    }

    fn err(args: &[&str]) -> String {
        plan_of(args).unwrap_err().to_string()
    }

    #[test]
    fn flags_map_onto_options() {
        let p = plan_of(&[
            "--drop",
            "console,debugger",
            "--pure-funcs",
            "console.log, Math.floor",
            "--pure-funcs",
            "debug",
            "--target",
            "es2017",
        ])
        .unwrap();
        let o = &p.options;
        assert!(o.drop_console && o.drop_debugger);
        assert_eq!(o.pure_funcs, ["console.log", "Math.floor", "debug"]);
        assert_eq!(o.ecma, Some(swc_ecma_ast::EsVersion::Es2017));
        assert!(p.target_note.is_none());
        let d = plan_of(&[]).unwrap().options;
        assert!(!d.drop_console && d.drop_debugger && d.ecma.is_none());
        let q = plan_of(&["--target", "chrome 70"]).unwrap();
        assert_eq!(q.options.ecma, Some(swc_ecma_ast::EsVersion::Es2019));
        assert!(q.target_note.unwrap().contains("chrome 70"));
    }

    #[test]
    fn errors_say_what_to_do() {
        assert!(err(&["--drop", "alert"]).contains("--drop console,debugger"));
        assert!(err(&["--pure-funcs", "console.log()"]).contains("dotted path"));
        assert!(err(&["--pure-funcs", "a..b"]).contains("dotted path"));
        assert!(err(&["--no-compress", "--drop", "console"]).contains("remove one"));
        assert!(err(&["--no-compress", "--pure-funcs", "f"]).contains("--no-compress"));
        assert!(err(&["--ecma", "2015", "--target", "es2017"]).contains("keep one"));
        assert!(err(&["--target", "netscape 4"]).contains("browserslist"));
        assert!(err(&["--passes", "0"]).contains("at least 1"));
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().to_str().unwrap();
        assert!(err(&["--name-cache", dir]).contains("directory"));
        let bad = d.path().join("bad.json");
        std::fs::write(&bad, "{\"vars\": []}").unwrap();
        let e = err(&["--name-cache", bad.to_str().unwrap()]);
        assert!(
            e.contains("not a terser name cache") && e.contains("delete it"),
            "{e}"
        );
        let fresh = d.path().join("new.json");
        assert!(
            err(&["--name-cache", fresh.to_str().unwrap(), "--no-mangle"]).contains("--no-mangle")
        );
        assert!(plan_of(&["--name-cache", fresh.to_str().unwrap()]).is_ok());
        assert!(check_comments_dest(CommentsMode::External, true)
            .unwrap_err()
            .contains("-o FILE"));
        assert!(check_comments_dest(CommentsMode::Linked, false).is_ok());
        assert!(check_comments_dest(CommentsMode::Eof, true).is_ok());
    }
}
