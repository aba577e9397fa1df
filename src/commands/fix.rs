//! `guardmin fix`: the flags become a [`Plan`] first (every usage error is found before any
//! file is read), then each file is repaired in parallel ([`crate::fix::fix`]) and written
//! with its source map ([`super::dest`]), then reported ([`crate::fix::report`]).

use super::dest::{check_unchanged, map_path, relative, Dests};
use super::minify::parse_mode;
use super::{
    catch_panic, clean, hint_syntax_error, progress, read_input_stamped, run_parallel, threads,
    EXIT_FAILED, EXIT_OK, EXIT_USAGE,
};
use crate::cli::{FixArgs, FixFormat};
use crate::diagnostic::{FileError, FileErrorKind};
use crate::discover::{self, Filters, Input};
use crate::fix::report::{self, FileReport, Status};
use crate::fix::{self, FixError, Outcome};
use crate::source::Source;
use crate::sourcemap;
use anyhow::{bail, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What to do, from the flags.
struct Plan {
    inputs: Vec<Input>,
    threads: usize,
    opts: fix::Options,
}

pub fn run(args: FixArgs) -> i32 {
    match plan(&args) {
        Ok(p) => execute(&args, &p),
        Err(e) => {
            eprintln!("guardmin fix: {}", clean(&format!("{e:#}")));
            EXIT_USAGE
        }
    }
}

fn dests(args: &FixArgs) -> Dests<'_> {
    Dests {
        output: args.output.as_ref(),
        out_dir: args.out_dir.as_ref(),
        in_place: args.in_place,
        stdin_name: "stdin.js",
    }
}

fn plan(args: &FixArgs) -> Result<Plan> {
    let filters = Filters {
        include: args.input.include.clone(),
        exclude: args.input.exclude.clone(),
    };
    let found = discover::discover(&args.input.paths, &filters)?;
    if !args.input.quiet {
        for l in &found.skipped_links {
            eprintln!("guardmin: skipped symbolic link {} (links are not followed inside directories; name the file itself to repair it)", clean(&l.display().to_string()));
        }
    }
    let inputs = found.inputs;
    if inputs.is_empty() {
        bail!(
            "no input files found (directories are searched for .js, .mjs and .cjs; see --include)"
        );
    }
    if !args.check {
        if let Err(e) = dests(args).check(&args.input.paths, &inputs) {
            bail!(e);
        }
    }
    if args.input_source_map.is_some() && inputs.len() != 1 {
        bail!("--input-source-map takes exactly one input file");
    }
    if args.format == FixFormat::Json && !args.check && dests(args).to_stdout() {
        bail!("--format json prints the report on stdout, where the code would go: add -o, --out-dir, --in-place or --check");
    }
    Ok(Plan {
        threads: threads(args.input.threads),
        opts: fix::Options {
            parse_mode: parse_mode(args.input.module, args.input.script),
        },
        inputs,
    })
}

/// One file's result, and the code to print when it goes to stdout.
struct Done {
    report: FileReport,
    stdout: Option<Vec<u8>>,
}

fn execute(args: &FixArgs, plan: &Plan) -> i32 {
    let pb = progress(
        plan.inputs.len(),
        args.input.quiet || args.format != FixFormat::Human,
    );
    let results = run_parallel(
        &plan.inputs,
        plan.threads,
        |input| process(args, plan, input),
        |_| pb.inc(1),
    );
    pb.finish_and_clear();

    let mut stdout = std::io::stdout().lock();
    for d in &results {
        if let Some(code) = &d.stdout {
            if stdout.write_all(code).and_then(|_| stdout.flush()).is_err() {
                return EXIT_USAGE;
            }
        }
    }
    let reports: Vec<FileReport> = results.into_iter().map(|d| d.report).collect();
    let written = match args.format {
        FixFormat::Human => report::human(
            &reports,
            args.check,
            args.input.quiet,
            &mut std::io::stderr().lock(),
        ),
        FixFormat::Json => {
            report::json(&reports, args.check, &mut stdout).and_then(|_| stdout.flush())
        }
    };
    if written.is_err() {
        return EXIT_USAGE;
    }
    exit_code(&reports, args.check)
}

/// As for scan: 2 when a file could not be read or written, 1 when an error is left in a
/// file (with `--check`: found), else 0.
fn exit_code(reports: &[FileReport], check: bool) -> i32 {
    let io = reports
        .iter()
        .any(|r| matches!(&r.error, Some(e) if e.kind == FileErrorKind::Io));
    if io {
        return EXIT_USAGE;
    }
    let errors = reports.iter().any(|r| match r.status {
        Status::NotRepairable | Status::Failed => true,
        Status::Repaired => check,
        Status::Unchanged => false,
    });
    if errors {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

fn process(args: &FixArgs, plan: &Plan, input: &Input) -> Done {
    let name = input.display();
    let mut report = FileReport {
        file: name.clone(),
        status: Status::Failed,
        repairs: Vec::new(),
        unrepairable: Vec::new(),
        error: None,
    };
    let result = catch_panic(&name, || repair_one(args, plan, input));
    match result {
        Ok((outcome, stdout)) => {
            report.status = if !outcome.unrepairable.is_empty() {
                Status::NotRepairable
            } else if outcome.repairs.is_empty() {
                Status::Unchanged
            } else {
                Status::Repaired
            };
            report.repairs = outcome.repairs;
            report.unrepairable = outcome.unrepairable;
            Done { report, stdout }
        }
        Err(e) => {
            report.error = Some(e);
            Done {
                report,
                stdout: None,
            }
        }
    }
}

type Repaired = (Outcome, Option<Vec<u8>>);

fn repair_one(args: &FixArgs, plan: &Plan, input: &Input) -> Result<Repaired, FileError> {
    let (src, stamp) = read_input_stamped(input)?;
    let name = src.name.clone();
    let explicit = args.input_source_map.as_deref();
    let map = match sourcemap::find_input_map(&src, explicit) {
        Ok(m) => m.map(Ok),
        // A map named on the command line must be readable; one found by its comment
        // matters only if something is repaired.
        Err(e) if explicit.is_some() && e.kind == FileErrorKind::Io => return Err(e),
        Err(e) => Some(Err(e)),
    };
    // A map file, and its text: copied beside a new output even when nothing changed.
    let (map_file, original_map) = match &map {
        Some(Ok(m)) if m.path.is_some() => (
            m.path.clone(),
            Some(String::from_utf8_lossy(&m.raw).into_owned()),
        ),
        _ => (None, None),
    };
    let outcome = fix::fix(&src, &plan.opts, map).map_err(|e| match e {
        FixError::File(e) => hint_syntax_error(e, &src),
        other => FileError::new(FileErrorKind::Internal, name.clone(), other.to_string()),
    })?;
    if args.check || !outcome.unrepairable.is_empty() {
        return Ok((outcome, None));
    }
    let dests = dests(args);
    let dest = dests.checked_dest(input, &name)?;
    if args.in_place && !outcome.changed() {
        return Ok((outcome, None)); // nothing to write
    }
    let updated_map = if outcome.changed() {
        outcome.map.clone()
    } else if dest.is_some() {
        original_map
    } else {
        None
    };
    let files = place(
        &src,
        &outcome.text,
        updated_map,
        map_file,
        dest.as_deref(),
        args,
    );
    let unchanged = || check_unchanged(&src, stamp.as_ref(), args.in_place, "repairing");
    match dest {
        Some(p) => {
            let map = files
                .map
                .as_ref()
                .map(|(mp, m)| (mp.as_path(), m.as_bytes()));
            dests.write(input, &name, &p, &files.code, map, unchanged)?;
            Ok((outcome, None))
        }
        None => {
            unchanged()?;
            Ok((outcome, Some(files.code)))
        }
    }
}

/// The bytes to write: the code, and the map file with its path.
struct Files {
    code: Vec<u8>,
    map: Option<(PathBuf, String)>,
}

/// Where the (updated) map goes and what the code's `sourceMappingURL` comment says:
/// - a map inline in the code stays inline;
/// - a map file is rewritten in place with `--in-place`, written as `OUT.map` beside a new
///   output (its relative `sources` rebased, the comment pointing at it), or inlined when the
///   code goes to stdout.
fn place(
    src: &Source,
    text: &str,
    map: Option<String>,
    map_file: Option<PathBuf>,
    dest: Option<&Path>,
    args: &FixArgs,
) -> Files {
    let bom: &[u8] = if src.had_bom { b"\xEF\xBB\xBF" } else { b"" };
    let with_bom = |t: &str| [bom, t.as_bytes()].concat();
    let Some(json) = map else {
        return Files {
            code: with_bom(text),
            map: None,
        };
    };
    let inline_url = |j: &str| {
        sourcemap::inline_comment(j.as_bytes())
            .trim_start_matches("//# sourceMappingURL=")
            .to_string()
    };
    let comment_url = sourcemap::mapping_url(text);
    let inline = comment_url.is_some_and(|u| u.starts_with("data:"));
    match (dest, map_file) {
        // Inline stays inline; stdout gets the map inline.
        (_, None) | (None, Some(_)) if inline || dest.is_none() => {
            let url = inline_url(&json);
            let code = sourcemap::replace_mapping_url(text, &url)
                .unwrap_or_else(|| format!("{text}\n//# sourceMappingURL={url}\n"));
            Files {
                code: with_bom(&code),
                map: None,
            }
        }
        (Some(_), Some(old)) if args.in_place => Files {
            code: with_bom(text),
            map: Some((old, json)),
        },
        (Some(out), Some(old)) => {
            let new = map_path(out);
            let json = rebase_sources(&json, old.parent(), new.parent());
            let file = new.file_name().unwrap_or_default().to_string_lossy();
            let code = match comment_url {
                Some(_) => {
                    sourcemap::replace_mapping_url(text, &file).unwrap_or_else(|| text.to_string())
                }
                None => text.to_string(),
            };
            Files {
                code: with_bom(&code),
                map: Some((new, json)),
            }
        }
        // A map handed over without a file and without an inline comment: nothing to keep.
        _ => Files {
            code: with_bom(text),
            map: None,
        },
    }
}

/// The map with its relative `sources` made relative to `to` instead of `from` (when the two
/// folders differ and the map has no `sourceRoot`). Other text of the map is kept.
fn rebase_sources(json: &str, from: Option<&Path>, to: Option<&Path>) -> String {
    let dir = |d: Option<&Path>| match d {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let (from, to) = (dir(from), dir(to));
    if super::dest::same_file(&from, &to) {
        return json.to_string();
    }
    let Ok(mut v) = serde_json::from_str::<serde_json::Value>(json) else {
        return json.to_string();
    };
    if v.get("sourceRoot")
        .and_then(|r| r.as_str())
        .is_some_and(|r| !r.is_empty())
    {
        return json.to_string();
    }
    if let Some(sources) = v.get_mut("sources").and_then(|s| s.as_array_mut()) {
        for s in sources.iter_mut() {
            let Some(p) = s.as_str() else { continue };
            if p.contains(':') || p.starts_with('/') {
                continue; // a URL (webpack://, file:) or an absolute path
            }
            *s = relative(&from.join(p), &to).into();
        }
    }
    serde_json::to_string(&v).unwrap_or_else(|_| json.to_string())
}
