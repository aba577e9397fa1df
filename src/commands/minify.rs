//! `guardmin minify`.

use super::dest::{check_unchanged, map_path, relative, Dests};
use super::plan;
use super::{
    catch_panic, clean, hint_syntax_error, progress, read_input_stamped, run_parallel, threads,
    EXIT_FAILED, EXIT_OK, EXIT_USAGE,
};
use crate::cache::{Cache, Entry, KeyBuilder};
use crate::cli::MinifyArgs;
use crate::diagnostic::FileError;
use crate::discover::{self, Filters, Input};
use crate::minify::comments::{license_banner, license_file, CommentsMode};
use crate::minify::{self, Options};
use crate::parse::ParseMode;
use crate::sourcemap::{self, SourceMapMode};
use std::io::Write;
use std::path::PathBuf;
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
    if let Err(e) = dests(&args).check(&args.input.paths, &inputs) {
        return usage(e);
    }
    if args.input_source_map.is_some() && inputs.len() != 1 {
        return usage("--input-source-map takes exactly one input file");
    }
    if dests(&args).to_stdout()
        && matches!(
            args.source_map,
            Some(SourceMapMode::File) | Some(SourceMapMode::Hidden)
        )
    {
        return usage("--source-map file/hidden needs an output file (-o, --out-dir or --in-place); use --source-map inline with stdout");
    }
    if let Err(e) = plan::check_comments_dest(args.opts.comments, dests(&args).to_stdout()) {
        return usage(e);
    }
    let plan = match plan::plan(&args.opts) {
        Ok(p) => p,
        Err(e) => return usage(e),
    };
    let mut opts = plan.options.clone();
    opts.parse_mode = parse_mode(args.input.module, args.input.script);
    opts.source_map = args.source_map != Some(SourceMapMode::None);
    opts.input_source_map = args.input_source_map.clone();
    if let (Some(note), false) = (&plan.target_note, quiet) {
        eprintln!("guardmin: {}", clean(note));
    }
    let cache_at_start = plan.name_cache_snapshot();
    // With a name cache the names of one file depend on the files before it: one at a time,
    // in input order, and no output cache (its key cannot hold the names of the others).
    let with_name_cache = opts.name_cache.is_some();
    let cache = if args.no_cache || with_name_cache {
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
        if with_name_cache {
            1
        } else {
            threads(args.input.threads)
        },
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
    if let Err(e) = plan.save_name_cache(cache_at_start.as_ref()) {
        eprintln!("error: {}", clean(&e.to_string()));
        failed += 1;
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

/// The destination flags.
fn dests(args: &MinifyArgs) -> Dests<'_> {
    Dests {
        output: args.output.as_ref(),
        out_dir: args.out_dir.as_ref(),
        in_place: args.in_place,
        stdin_name: "stdin.min.js",
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
    let dests = dests(args);
    let dest = match dests.checked_dest(input, &name)? {
        Some(p) => Dest::File(p),
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
    // The input must still be what was read: a file saved again meanwhile (or being written
    // while it was read) is neither minified from a version that never existed whole nor,
    // with --in-place, overwritten with the minified old version.
    let unchanged = || check_unchanged(&src, stamp.as_ref(), args.in_place, "minifying");
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
            let map_file = entry.map.as_ref().map(|m| (map_path(&p), m));
            let lic_file = entry.licenses.as_ref().map(|l| (license_file(&p), l));
            let side: Vec<(&std::path::Path, &[u8])> = map_file
                .iter()
                .chain(lic_file.iter())
                .map(|(path, bytes)| (path.as_path(), bytes.as_slice()))
                .collect();
            dests.write_with(input, &name, &p, &entry.code, &side, unchanged)?;
            Ok(done)
        }
        Dest::Stdout => {
            unchanged()?;
            Ok(Done {
                stdout: Some(String::from_utf8_lossy(&entry.code).into_owned()),
                ..done
            })
        }
    }
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
    // `--comments linked`: the banner closes the code, before the sourceMappingURL comment.
    let licenses = match (&result.licenses, dest) {
        (Some(text), Dest::File(p)) if opts.comments.to_file() => {
            if opts.comments == CommentsMode::Linked {
                let file = license_file(p);
                let name = file.file_name().unwrap_or_default().to_string_lossy();
                code.push('\n');
                code.push_str(&license_banner(&name));
            }
            Some(text.clone().into_bytes())
        }
        _ => None,
    };
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
        licenses,
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

fn gzip_len(data: &[u8]) -> usize {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = enc.write_all(data);
    enc.finish().map(|v| v.len()).unwrap_or(0)
}
