//! `guardmin minify`.

use super::{
    catch_panic, clean, hint_syntax_error, progress, read_input_stamped, run_parallel, threads,
    EXIT_FAILED, EXIT_OK, EXIT_USAGE,
};
use crate::cache::{Cache, Entry, KeyBuilder};
use crate::cli::{MinifyArgs, OptimizeArgs};
use crate::diagnostic::{FileError, FileErrorKind};
use crate::discover::{self, Filters, Input};
use crate::minify::{self, Options};
use crate::output::{commit_all, create_dirs_inside, stage};
use crate::parse::ParseMode;
use crate::sourcemap::{self, SourceMapMode};
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::time::Instant;

/// Where one file's output goes.
enum Dest {
    Stdout,
    File(PathBuf),
}

struct Done {
    bytes_in: usize,
    bytes_out: usize,
    gzip_out: usize,
    guards: usize,
    /// Stdout output is held until the end so nothing interleaves.
    stdout: Option<String>,
}

fn usage(msg: impl std::fmt::Display) -> i32 {
    eprintln!("guardmin minify: {}", clean(&msg.to_string()));
    EXIT_USAGE
}

pub fn run(mut args: MinifyArgs) -> i32 {
    let started = Instant::now();
    // `-o -` is stdout, as `-` is stdin for the inputs (`./-` names a file called `-`).
    if args.output.as_deref() == Some(std::path::Path::new("-")) {
        args.output = None;
    }
    let filters = Filters {
        include: args.input.include.clone(),
        exclude: args.input.exclude.clone(),
    };
    let found = match discover::discover(&args.input.paths, &filters) {
        Ok(f) => f,
        Err(e) => return usage(format!("{e:#}")),
    };
    let quiet = args.input.quiet;
    if !quiet {
        for l in &found.skipped_links {
            eprintln!("guardmin: skipped symbolic link {} (links are not followed inside directories; name the file itself to process it)", clean(&l.display().to_string()));
        }
    }
    let inputs = found.inputs;
    if inputs.is_empty() {
        return usage(
            "no input files found (directories are searched for .js, .mjs and .cjs; see --include)",
        );
    }
    let has_stdin = inputs.iter().any(|i| matches!(i, Input::Stdin));
    let has_dir = args.input.paths.iter().any(|p| p.is_dir());
    if args.in_place && has_stdin {
        return usage("--in-place cannot be used with stdin (-)");
    }
    if args.output.is_some() && (inputs.len() != 1 || has_dir) {
        return usage("-o takes exactly one input file; use --out-dir or --in-place for several");
    }
    if args.output.is_none()
        && args.out_dir.is_none()
        && !args.in_place
        && (inputs.len() != 1 || has_dir)
    {
        return usage(
            "several inputs need --out-dir DIR or --in-place (only a single file goes to stdout)",
        );
    }
    if args.input_source_map.is_some() && inputs.len() != 1 {
        return usage("--input-source-map takes exactly one input file");
    }
    let to_stdout = args.output.is_none() && args.out_dir.is_none() && !args.in_place;
    if to_stdout
        && matches!(
            args.source_map,
            Some(SourceMapMode::File) | Some(SourceMapMode::Hidden)
        )
    {
        return usage("--source-map file/hidden needs an output file (-o, --out-dir or --in-place); use --source-map inline with stdout");
    }
    let opts = match optimize_options(&args.opts) {
        Ok(mut o) => {
            o.parse_mode = parse_mode(args.input.module, args.input.script);
            o.source_map = args.source_map != Some(SourceMapMode::None);
            o.input_source_map = args.input_source_map.clone();
            o
        }
        Err(e) => return usage(e),
    };
    // Refuse an output that would overwrite its input without --in-place.
    if !args.in_place {
        for input in &inputs {
            if let Input::File { path, .. } = input {
                if let Some(dest) = dest_for(&args, input) {
                    if same_file(path, &dest) {
                        return usage(format!(
                            "the output for {} is the input itself; use --in-place to replace inputs",
                            path.display()
                        ));
                    }
                }
            }
        }
    }

    let cache = if args.no_cache {
        None
    } else {
        match args.cache_dir.clone().or_else(Cache::default_dir) {
            Some(dir) => match Cache::open(&dir) {
                Ok(c) => Some(c),
                Err(e) => {
                    if !quiet {
                        eprintln!(
                            "guardmin: cache disabled: cannot use {}",
                            clean(&format!("{}: {e}", dir.display()))
                        );
                    }
                    None
                }
            },
            None => None,
        }
    };
    let pb = progress(inputs.len(), quiet);
    let results = run_parallel(
        &inputs,
        threads(args.input.threads),
        |input| {
            let name = input.display();
            catch_panic(&name, || process(&args, &opts, cache.as_ref(), input))
        },
        |_| pb.inc(1),
    );
    pb.finish_and_clear();

    let mut failed = 0;
    let (mut files, mut bytes_in, mut bytes_out, mut gzip_out, mut guards) = (0, 0, 0, 0, 0);
    let mut stdout = std::io::stdout().lock();
    for r in &results {
        match r {
            Ok(d) => {
                files += 1;
                bytes_in += d.bytes_in;
                bytes_out += d.bytes_out;
                gzip_out += d.gzip_out;
                guards += d.guards;
                if let Some(code) = &d.stdout {
                    if stdout
                        .write_all(code.as_bytes())
                        .and_then(|_| stdout.flush())
                        .is_err()
                    {
                        return EXIT_FAILED;
                    }
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("error: {}", e.render());
            }
        }
    }
    if !quiet {
        let pct = if bytes_in > 0 {
            100.0 * bytes_out as f64 / bytes_in as f64
        } else {
            0.0
        };
        eprintln!(
            "guardmin: {files} file{} minified, {} -> {} ({pct:.1}%), gzip {}, {guards} typeof guard{} kept, {:.2}s{}",
            if files == 1 { "" } else { "s" },
            human_bytes(bytes_in),
            human_bytes(bytes_out),
            human_bytes(gzip_out),
            if guards == 1 { "" } else { "s" },
            started.elapsed().as_secs_f64(),
            if failed > 0 { format!("; {failed} file{} failed", if failed == 1 { "" } else { "s" }) } else { String::new() }
        );
    }
    if failed > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

/// Minify options from the optimizer flags; `Err` is a usage message.
pub fn optimize_options(a: &OptimizeArgs) -> Result<Options, String> {
    let mut defines = Vec::new();
    for d in &a.define {
        let Some((k, v)) = d.split_once('=') else {
            return Err(format!(
                "--define {d}: expected NAME=EXPR, e.g. --define DEBUG=false"
            ));
        };
        minify::check_define(k.trim(), v.trim())?;
        defines.push((k.trim().to_string(), v.trim().to_string()));
    }
    Ok(Options {
        compress: !a.no_compress,
        mangle: !a.no_mangle,
        ecma: a.ecma.as_deref().and_then(|e| e.parse().ok()),
        toplevel: a.toplevel,
        keep_fnames: a.keep_fnames,
        keep_classnames: a.keep_classnames,
        passes: a.passes.unwrap_or(0),
        defines,
        comments: a.comments,
        allow_broken_input: a.allow_broken_input,
        ..Options::default()
    })
}

/// `--module` / `--script` to a parse mode.
pub fn parse_mode(module: bool, script: bool) -> ParseMode {
    if module {
        ParseMode::Module
    } else if script {
        ParseMode::Script
    } else {
        ParseMode::Auto
    }
}

fn human_bytes(n: usize) -> String {
    if n >= 1 << 20 {
        format!("{:.2} MiB", n as f64 / (1 << 20) as f64)
    } else if n >= 1 << 10 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{n} B")
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// The output path of an input, `None` for stdout.
fn dest_for(args: &MinifyArgs, input: &Input) -> Option<PathBuf> {
    match input {
        Input::Stdin => args
            .output
            .clone()
            .or_else(|| args.out_dir.as_ref().map(|d| d.join("stdin.min.js"))),
        Input::File { path, rel, .. } => {
            if args.in_place {
                Some(path.clone())
            } else if let Some(o) = &args.output {
                Some(o.clone())
            } else {
                args.out_dir.as_ref().map(|d| d.join(rel))
            }
        }
    }
}

fn process(
    args: &MinifyArgs,
    opts: &Options,
    cache: Option<&Cache>,
    input: &Input,
) -> Result<Done, FileError> {
    let (src, stamp) = read_input_stamped(input)?;
    let name = src.name.clone();
    let dest = match dest_for(args, input) {
        Some(p) => {
            // Never write outside --out-dir: relative paths only, no `..`.
            if let (Some(_), Input::File { rel, .. }) = (&args.out_dir, input) {
                if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
                    return Err(FileError::new(
                        FileErrorKind::Io,
                        name,
                        "refusing to write outside --out-dir",
                    ));
                }
            }
            Dest::File(p)
        }
        None => Dest::Stdout,
    };
    let input_map = if opts.read_input_map || opts.input_source_map.is_some() {
        sourcemap::find_input_map(&src, opts.input_source_map.as_deref())?
    } else {
        None
    };
    // Everything that decides the bytes written.
    let key = cache.map(|_| {
        let dest_name = match &dest {
            Dest::File(p) => p.display().to_string(),
            Dest::Stdout => "-".into(),
        };
        let src_path = src
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        KeyBuilder::new()
            .part(format!("{opts:?}|{:?}", args.source_map).as_bytes())
            .part(name.as_bytes())
            .part(src_path.as_bytes())
            .part(dest_name.as_bytes())
            .part(src.text.as_bytes())
            .part(input_map.as_ref().map(|m| &m.raw[..]).unwrap_or(b""))
            .finish()
    });
    let cached = match (cache, &key) {
        (Some(c), Some(k)) => c.get(k),
        _ => None,
    };
    let entry = match cached {
        Some(e) => e,
        None => {
            let e = build(args, opts, &src, &dest, input_map)
                .map_err(|e| hint_syntax_error(e, &src))?;
            if let (Some(c), Some(k)) = (cache, &key) {
                // A cache that cannot be written only costs time next run.
                let _ = c.put(k, &e);
            }
            e
        }
    };
    let io_err = |what: &str, p: &Path, e: std::io::Error| {
        FileError::new(
            FileErrorKind::Io,
            name.clone(),
            format!("cannot write {what} {}: {e}", p.display()),
        )
    };
    // The input must still be what was read: a file saved again meanwhile (or being written
    // while it was read) is neither minified from a version that never existed whole nor,
    // with --in-place, overwritten with the minified old version.
    let check_unchanged = || -> Result<(), FileError> {
        let Some(stamp) = &stamp else { return Ok(()) };
        let what = if args.in_place {
            "it was left as it is"
        } else {
            "nothing was written"
        };
        match src.unchanged_on_disk(stamp) {
            Ok(true) => Ok(()),
            Ok(false) => Err(FileError::new(
                FileErrorKind::Io,
                name.clone(),
                format!("the file changed while guardmin was minifying it; {what} (run guardmin again once it is saved)"),
            )),
            Err(e) => Err(FileError::new(
                FileErrorKind::Io,
                name.clone(),
                format!("cannot read the file again to check that it did not change: {e}; {what}"),
            )),
        }
    };
    let done = Done {
        bytes_in: src.text.len(),
        bytes_out: entry.code.len(),
        // Compressing only feeds the summary line: skipped under --quiet.
        gzip_out: if args.input.quiet {
            0
        } else {
            gzip_len(&entry.code)
        },
        guards: entry.guards,
        stdout: None,
    };
    match dest {
        Dest::File(p) => {
            // No folder inside --out-dir may lead elsewhere through a symbolic link.
            if let (Some(out_dir), Input::File { rel, .. }) = (&args.out_dir, input) {
                let rel_dir = rel.parent().unwrap_or(Path::new(""));
                create_dirs_inside(out_dir, rel_dir).map_err(|e| io_err("output", &p, e))?;
            }
            // The code and its map are both written in full before either replaces
            // anything, the code last: a failure leaves the old pair (or nothing).
            let mut staged = Vec::new();
            if let Some(map) = &entry.map {
                let map_path = map_path(&p);
                staged.push(stage(&map_path, map).map_err(|e| io_err("source map", &map_path, e))?);
            }
            staged.push(stage(&p, &entry.code).map_err(|e| io_err("output", &p, e))?);
            check_unchanged()?;
            commit_all(staged).map_err(|(failed, e)| {
                io_err(
                    if failed == p { "output" } else { "source map" },
                    &failed,
                    e,
                )
            })?;
            Ok(done)
        }
        Dest::Stdout => {
            check_unchanged()?;
            Ok(Done {
                stdout: Some(String::from_utf8_lossy(&entry.code).into_owned()),
                ..done
            })
        }
    }
}

fn map_path(out: &Path) -> PathBuf {
    PathBuf::from(format!("{}.map", out.display()))
}

/// Minifies one source into the exact bytes to write: the code (with its
/// `sourceMappingURL` comment) and, for `file`/`hidden` maps, the map file.
fn build(
    args: &MinifyArgs,
    opts: &Options,
    src: &crate::source::Source,
    dest: &Dest,
    input_map: Option<sourcemap::InputMap>,
) -> Result<Entry, FileError> {
    let had_input_map = input_map.is_some();
    let mode = args.source_map.unwrap_or(match (dest, had_input_map) {
        (Dest::Stdout, true) => SourceMapMode::Inline,
        (_, true) => SourceMapMode::File,
        (_, false) => SourceMapMode::None,
    });
    // A map nobody writes is not worth building (names, mappings: ~10% of the time).
    let result = if opts.source_map && mode == SourceMapMode::None {
        let opts = minify::Options {
            source_map: false,
            ..opts.clone()
        };
        minify::minify_with_map(src, &opts, input_map)?
    } else {
        minify::minify_with_map(src, opts, input_map)?
    };
    let mut code = result.code;
    let mut map_file = None;
    if let Some(map) = result.map.filter(|_| mode != SourceMapMode::None) {
        let map = fix_map_paths(&map, src, dest, had_input_map);
        match (mode, dest) {
            (SourceMapMode::Inline, _) => {
                code.push('\n');
                code.push_str(&sourcemap::inline_comment(&map));
            }
            (SourceMapMode::File | SourceMapMode::Hidden, Dest::File(p)) => {
                if mode == SourceMapMode::File {
                    let mp = map_path(p);
                    let file = mp.file_name().unwrap_or_default().to_string_lossy();
                    code.push_str("\n//# sourceMappingURL=");
                    code.push_str(&file);
                }
                map_file = Some(map);
            }
            _ => {}
        }
    }
    if !code.ends_with('\n') {
        code.push('\n');
    }
    Ok(Entry {
        code: code.into_bytes(),
        map: map_file,
        guards: result.guards,
    })
}

/// Points `sources` of a map guardmin made from scratch at the input, relative to where the
/// map is written, and sets `file`.
fn fix_map_paths(map: &[u8], src: &crate::source::Source, dest: &Dest, composed: bool) -> Vec<u8> {
    let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(map) else {
        return map.to_vec();
    };
    if let Dest::File(out) = dest {
        if let Some(name) = out.file_name() {
            v["file"] = name.to_string_lossy().into_owned().into();
        }
        if !composed {
            if let (Some(input), Some(out_dir)) = (&src.path, out.parent()) {
                let rel = relative(input, out_dir);
                v["sources"] = serde_json::json!([rel]);
            }
        }
    }
    serde_json::to_vec(&v).unwrap_or_else(|_| map.to_vec())
}

fn relative(target: &Path, from_dir: &Path) -> String {
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

fn gzip_len(data: &[u8]) -> usize {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = enc.write_all(data);
    enc.finish().map(|v| v.len()).unwrap_or(0)
}
