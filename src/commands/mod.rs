//! The commands: each reads its arguments, runs the pipeline over the inputs in parallel,
//! reports, and returns the exit code.

pub mod batch;
pub mod dest;
pub mod fix;
pub mod minify;
pub mod plan;
pub mod scan;

use crate::diagnostic::{sanitize, FileError, FileErrorKind, LineIndex};
use crate::discover::Input;
use crate::source::{Source, Stamp};
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Exit codes.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILED: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

/// Stack for each worker thread: swc recurses once per nesting level. Reserved, not used:
/// only code nested thousands deep touches more than a few MiB of it. The limits in
/// [`crate::parse::limits`] are measured against it.
pub const STACK_SIZE: usize = 512 << 20;

/// Runs `f` over `inputs` on `threads` workers that take the inputs in order (biggest
/// first, as discovery sorts them). Results come back in input order, whatever the
/// scheduling. `tick` is called after each input.
pub fn run_parallel<T: Send>(
    inputs: &[Input],
    threads: usize,
    f: impl Fn(&Input) -> T + Sync,
    tick: impl Fn(&Input) + Sync,
) -> Vec<T> {
    let threads = threads.clamp(1, inputs.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<T>>> = Mutex::new((0..inputs.len()).map(|_| None).collect());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(STACK_SIZE)
        .thread_name(|i| format!("guardmin-{i}"))
        .build()
        .expect("cannot start worker threads");
    pool.scope(|s| {
        for _ in 0..threads {
            s.spawn(|_| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(input) = inputs.get(i) else { break };
                let r = f(input);
                tick(input);
                results.lock().unwrap()[i] = Some(r);
            });
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.expect("every input is processed"))
        .collect()
}

/// Reads an input into a checked [`Source`].
pub fn read_input(input: &Input) -> Result<Source, FileError> {
    read_input_stamped(input).map(|(s, _)| s)
}

/// Reads an input into a checked [`Source`], with the file's [`Stamp`] from when it was
/// read (`None` for stdin), to check before writing that it did not change meanwhile.
/// Files whose name says they are JSON or TypeScript are refused with a hint.
pub fn read_input_stamped(input: &Input) -> Result<(Source, Option<Stamp>), FileError> {
    match input {
        Input::Stdin => {
            let mut bytes = Vec::new();
            std::io::stdin().read_to_end(&mut bytes).map_err(|e| {
                FileError::new(FileErrorKind::Io, "<stdin>", format!("cannot read: {e}"))
            })?;
            Ok((Source::from_bytes("<stdin>".into(), bytes)?, None))
        }
        Input::File { path, .. } => {
            let name = path.display().to_string();
            if let Some(msg) = not_javascript(path) {
                return Err(FileError::new(FileErrorKind::Input, name, msg));
            }
            let (src, stamp) = Source::read_stamped(path, name)?;
            Ok((src, Some(stamp)))
        }
    }
}

const JSON_HINT: &str = "guardmin works on JavaScript; leave JSON files out";
const TYPESCRIPT_HINT: &str = "guardmin works on JavaScript; compile TypeScript first (tsc, esbuild, swc, Vite) and give guardmin the JavaScript it emits";

/// Why a file named explicitly is not JavaScript, from its extension: JSON and TypeScript
/// given by mistake (directory walks never take them). Even when such a file happens to
/// parse as JavaScript (`[1, 2]`, `export const a = 1`), minifying it is not what was meant.
fn not_javascript(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    let ext = name.rsplit_once('.')?.1;
    match ext {
        "json" | "jsonc" | "json5" | "map" => Some(format!(
            "a .{ext} file is JSON, not JavaScript: {JSON_HINT}"
        )),
        "ts" | "tsx" | "mts" | "cts" => {
            Some(format!("a .{ext} file is TypeScript: {TYPESCRIPT_HINT}"))
        }
        _ => None,
    }
}

/// Adds a hint to a syntax error in a file that looks like JSON or TypeScript.
pub fn hint_syntax_error(mut e: FileError, src: &Source) -> FileError {
    if e.kind != FileErrorKind::Syntax {
        return e;
    }
    let text = src.text.trim_start();
    let hint = if text.starts_with('{') && serde_json::from_str::<serde_json::Value>(text).is_ok() {
        Some(format!("this looks like JSON, not JavaScript: {JSON_HINT}"))
    } else {
        e.position
            .and_then(|(line, _)| LineIndex::new(&src.text).line_text(line))
            .filter(|l| looks_like_typescript(l))
            .map(|_| format!("this looks like TypeScript syntax: {TYPESCRIPT_HINT}"))
    };
    if let Some(h) = hint {
        e.message = format!("{} ({h})", e.message);
    }
    e
}

/// Whether a line that JavaScript's parser rejected reads like TypeScript: a declaration
/// only TypeScript has, or a type annotation on a name.
fn looks_like_typescript(line: &str) -> bool {
    let mut t = line.trim_start();
    for p in ["export ", "default ", "declare "] {
        t = t.strip_prefix(p).map(str::trim_start).unwrap_or(t);
    }
    let ident_after = |kw: &str| {
        t.strip_prefix(kw)
            .and_then(|r| r.chars().next())
            .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
    };
    if [
        "interface ",
        "type ",
        "enum ",
        "namespace ",
        "module ",
        "abstract class ",
    ]
    .iter()
    .any(|kw| ident_after(kw))
    {
        return true;
    }
    const TYPES: [&str; 10] = [
        "string", "number", "boolean", "any", "unknown", "void", "never", "object", "bigint",
        "symbol",
    ];
    line.match_indices(':').any(|(i, _)| {
        let before = line[..i].trim_end();
        let after = line[i + 1..].trim_start();
        let named = before
            .chars()
            .last()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == ')' || c == '?');
        named
            && TYPES.iter().any(|ty| {
                after.strip_prefix(ty).is_some_and(|r| {
                    !r.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$')
                })
            })
    }) || [
        " as const",
        "private ",
        "public ",
        "readonly ",
        " implements ",
    ]
    .iter()
    .any(|k| line.contains(k))
}

/// A message for the terminal that quotes paths or other text from outside (file names,
/// command-line arguments): control characters replaced, line by line.
pub fn clean(msg: &str) -> String {
    msg.split('\n').map(sanitize).collect::<Vec<_>>().join("\n")
}

/// Runs `f`, turning a panic inside swc into an internal error for this file.
pub fn catch_panic<T>(
    file: &str,
    f: impl FnOnce() -> Result<T, FileError>,
) -> Result<T, FileError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(FileError::new(
                FileErrorKind::Internal,
                file,
                format!("internal error (swc panicked: {msg}); the file was left as it was, please report it"),
            ))
        }
    }
}

/// Threads to use: `-j`, else the machine's parallelism.
pub fn threads(j: Option<u16>) -> usize {
    j.map(usize::from).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    })
}

/// A progress bar on stderr for runs that take more than a moment; hidden otherwise.
pub fn progress(total: usize, quiet: bool) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || total < 2 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new(total as u64);
    pb.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} files {wide_bar} {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    pb.enable_steady_tick(std::time::Duration::from_millis(200));
    pb
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_typescript_are_named_by_extension() {
        for (name, word) in [
            ("package.json", "JSON"),
            ("a.js.map", "JSON"),
            ("App.TSX", "TypeScript"),
            ("x.d.ts", "TypeScript"),
            ("m.mts", "TypeScript"),
        ] {
            let m = not_javascript(Path::new(name)).unwrap_or_default();
            assert!(m.contains(word), "{name}: {m:?}");
        }
        for name in ["a.js", "a.mjs", "a.cjs", "Makefile", "a.json.js"] {
            assert_eq!(not_javascript(Path::new(name)), None, "{name}");
        }
    }

    fn syntax_error_in(text: &str, line: u32) -> String {
        let src = Source::from_bytes("a.js".into(), text.as_bytes().to_vec()).unwrap();
        let mut e = FileError::new(FileErrorKind::Syntax, "a.js", "syntax error: x");
        e.position = Some((line, 1));
        hint_syntax_error(e, &src).message
    }

    #[test]
    fn syntax_errors_in_json_and_typescript_get_a_hint() {
        assert!(syntax_error_in("{\n  \"a\": [1, {\"b\": null}]\n}\n", 2).contains("JSON"));
        for ts in [
            "export interface Point { x: number }",
            "type Id = string | number;",
            "declare enum Color { Red }",
            "let count: number = 1;",
            "function f(a: string, b?: boolean): void {}",
            "class A implements B {}",
            "const xs = [1, 2] as const;",
        ] {
            let m = syntax_error_in(&format!("var a = 1;\n{ts}\n"), 2);
            assert!(m.contains("TypeScript"), "{ts}: {m}");
        }
        for js in [
            "var a = (;",
            "var o = { type: 1, kind: stringify };",
            "label: for (;;) {}",
            "{ \"a\": 1 } x",
        ] {
            let m = syntax_error_in(js, 1);
            assert_eq!(m, "syntax error: x", "{js}");
        }
        // Not a syntax error: left alone.
        let src = Source::from_bytes("a.ts".into(), b"let a: number;".to_vec()).unwrap();
        let e = FileError::new(FileErrorKind::Io, "a.ts", "cannot read");
        assert_eq!(hint_syntax_error(e, &src).message, "cannot read");
    }

    #[test]
    fn clean_replaces_control_characters() {
        assert_eq!(
            clean("no\u{1b}[31mpe\r.js: gone\nnext"),
            "no\u{FFFD}[31mpe\u{FFFD}.js: gone\nnext"
        );
    }
}
