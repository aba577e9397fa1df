//! `guardmin fix`: repair the guards another minifier broke, in place, without minifying
//! again. The scan finds the reads that throw where a function's text runs elsewhere; each
//! one standing in a guard shape a minifier makes from a `typeof` test ([`shape`]) is
//! rewritten by a text splice ([`edit`]) into the exactly equivalent `typeof` form; the
//! source map moves with the splices ([`mappings`]). Then the file is parsed again, each new
//! text must be one expression of it, and it is scanned again: repairing a read can make a
//! later read lose the proof it had (an earlier read that would have thrown), so scans and
//! repairs alternate until nothing is left ([`MAX_ROUNDS`]). A file with one finding that is
//! not repairable is left exactly as it was: every finding is reported, none is applied.

pub mod edit;
pub mod mappings;
pub mod prelude;
pub mod report;
pub mod shape;

use crate::diagnostic::{FileError, Finding, LineIndex, Severity};
use crate::parse::{self, ParseMode};
use crate::scan::{self, Located};
use crate::source::Source;
use crate::sourcemap::InputMap;
use edit::Edit;
use std::collections::HashSet;
use swc_common::{Mark, GLOBALS};
use swc_ecma_transforms_base::resolver;
use swc_ecma_visit::VisitMutWith;
use thiserror::Error;

/// Scan-and-repair rounds before giving up on a file that keeps having new findings.
pub const MAX_ROUNDS: usize = 8;

/// The rules whose findings `fix` repairs (all error-severity rules but `syntax-error`).
pub const RULES: [&str; 3] = [
    scan::rules::emscripten_script_dir::META.id,
    scan::rules::serialized_closure::META.id,
    scan::rules::guard_lost::META.id,
];

#[derive(Clone, Debug, Default)]
pub struct Options {
    pub parse_mode: ParseMode,
}

#[derive(Debug, Error)]
pub enum FixError {
    /// The file cannot be read, parsed or scanned.
    #[error("{0}")]
    File(FileError),
    /// Its source map cannot be updated (so the repaired file would map wrongly).
    #[error("{file}: cannot update its source map {origin}: {source}")]
    Map {
        file: String,
        origin: String,
        source: mappings::MapError,
    },
    /// Two repairs would touch the same bytes: a bug, reported rather than written.
    #[error("{file}: internal error: two repairs overlap at bytes {a} and {b}; the file was left as it was, please report it")]
    Overlap { file: String, a: usize, b: usize },
}

impl From<FileError> for FixError {
    fn from(e: FileError) -> Self {
        FixError::File(e)
    }
}

/// One read repaired, at its place in the input file (1-based line, column in characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repair {
    pub rule: &'static str,
    pub line: u32,
    pub column: u32,
    pub before: String,
    pub after: String,
}

/// A finding `fix` cannot repair, and why.
#[derive(Clone, Debug)]
pub struct Unrepairable {
    pub finding: Finding,
    pub reason: String,
}

/// What `fix` did with one file.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The repaired text (the input's when nothing was repaired), without a BOM.
    pub text: String,
    /// The input's source map with its mappings updated, when there was a map and a repair.
    pub map: Option<String>,
    /// The repairs made; when `unrepairable` is not empty, the ones that could have been.
    pub repairs: Vec<Repair>,
    /// Findings it cannot repair: when there is one, nothing was changed.
    pub unrepairable: Vec<Unrepairable>,
    /// Findings of the input that `fix` leaves alone (warnings, notes).
    pub other: Vec<Finding>,
}

impl Outcome {
    /// Whether the text differs from the input.
    pub fn changed(&self) -> bool {
        self.unrepairable.is_empty() && !self.repairs.is_empty()
    }
}

/// Repairs `src`. `map` is its source map, if it has one (needed only when something is
/// repaired, and then it must be readable).
pub fn fix(
    src: &Source,
    opts: &Options,
    map: Option<Result<InputMap, FileError>>,
) -> Result<Outcome, FixError> {
    let scan_opts = scan::Options {
        parse_mode: opts.parse_mode,
        ..Default::default()
    };
    let (mut map, map_error) = match map {
        Some(Ok(m)) => (Some(m), None),
        Some(Err(e)) => (None, Some(e)),
        None => (None, None),
    };
    let input_idx = LineIndex::new(&src.text);
    let mut text = src.text.clone();
    let mut map_json: Option<String> = None;
    // Every round's edits, to take later positions back to the input.
    let mut rounds: Vec<Vec<Edit>> = Vec::new();
    let mut repairs = Vec::new();
    let mut other = Vec::new();
    let to_input = |rounds: &[Vec<Edit>], mut off: usize| {
        for r in rounds.iter().rev() {
            off = edit::old_offset(r, off);
        }
        off
    };
    for round in 0..MAX_ROUNDS {
        let cur = Source {
            text: text.clone(),
            ..src.clone()
        };
        let located = scan::scan_located(&cur, &scan_opts, map.as_ref())?;
        let (errors, rest): (Vec<Located>, Vec<Located>) = located
            .into_iter()
            .partition(|l| l.finding.severity == Severity::Error);
        if round == 0 {
            other = rest.into_iter().map(|l| l.finding).collect();
        }
        if errors.is_empty() {
            let map = map_json.filter(|_| !repairs.is_empty());
            return Ok(Outcome {
                text,
                map,
                repairs,
                unrepairable: Vec::new(),
                other,
            });
        }
        let at_input = |l: &Located| {
            let mut f = l.finding.clone();
            if round > 0 {
                let (line, column) = input_idx.line_col(to_input(&rounds, l.lo));
                f.line = line;
                f.column = column;
                f.frame = Some(input_idx.code_frame(line, column, 1, 2));
                f.message = format!("after the repairs before it: {}", f.message);
            }
            f
        };
        let plans = plan(&cur, opts, &errors);
        let mut unrepairable: Vec<Unrepairable> = Vec::new();
        let mut edits: Vec<Edit> = Vec::new();
        let mut landing: Vec<(usize, usize, usize)> = Vec::new();
        let mut seen = HashSet::new();
        for (l, p) in errors.iter().zip(plans) {
            match p {
                Ok(p) if seen.insert(p.lo) => {
                    let (line, column) = input_idx.line_col(to_input(&rounds, l.lo));
                    repairs.push(Repair {
                        rule: l.finding.rule,
                        line,
                        column,
                        before: p.before,
                        after: p.after,
                    });
                    landing.push((p.lo, p.len, repairs.len() - 1));
                    edits.extend(p.edits);
                }
                Ok(_) => {} // the same read, reported by a second rule
                Err(reason) => unrepairable.push(Unrepairable {
                    finding: at_input(l),
                    reason,
                }),
            }
        }
        if unrepairable.is_empty() {
            edit::sort_checked(&mut edits).map_err(|(a, b)| FixError::Overlap {
                file: src.name.clone(),
                a,
                b,
            })?;
            let new_text = edit::apply(&text, &edits);
            let missing = not_landed(src, opts, &new_text, &edits, &landing)?;
            for i in missing {
                let r = &repairs[i];
                unrepairable.push(Unrepairable {
                    finding: Finding {
                        rule: r.rule,
                        severity: Severity::Error,
                        file: src.name.clone(),
                        line: r.line,
                        column: r.column,
                        message: format!("`{}` would become `{}`", r.before, r.after),
                        help: String::new(),
                        original: None,
                        frame: Some(input_idx.code_frame(r.line, r.column, 1, 2)),
                    },
                    reason: "the new text would not parse as one expression there (it would join the line before it: no semicolon ends that line)".into(),
                });
            }
            if unrepairable.is_empty() {
                if let Some(e) = map_error.clone() {
                    return Err(FixError::File(e));
                }
                if let Some(m) = &map {
                    let json = match &map_json {
                        Some(j) => j.clone(),
                        None => String::from_utf8_lossy(&m.raw).into_owned(),
                    };
                    let updated =
                        mappings::update(&json, &text, &edits).map_err(|e| FixError::Map {
                            file: src.name.clone(),
                            origin: m.origin.clone(),
                            source: e,
                        })?;
                    let mut next = InputMap::from_json(updated.as_bytes(), &src.name)?;
                    next.origin = m.origin.clone();
                    next.path = m.path.clone();
                    map = Some(next);
                    map_json = Some(updated);
                }
                text = new_text;
                rounds.push(edits);
                continue;
            }
        }
        return Ok(Outcome {
            text: src.text.clone(),
            map: None,
            repairs,
            unrepairable,
            other,
        });
    }
    // Still findings after every round: give up on the file.
    let cur = Source {
        text: text.clone(),
        ..src.clone()
    };
    let left = scan::scan_located(&cur, &scan_opts, map.as_ref())?;
    let unrepairable = left
        .into_iter()
        .filter(|l| l.finding.severity == Severity::Error)
        .map(|l| {
            let mut f = l.finding;
            let (line, column) = input_idx.line_col(to_input(&rounds, l.lo));
            (f.line, f.column) = (line, column);
            f.frame = Some(input_idx.code_frame(line, column, 1, 2));
            Unrepairable {
                finding: f,
                reason: format!("still reported after {MAX_ROUNDS} rounds of repairs"),
            }
        })
        .collect();
    Ok(Outcome {
        text: src.text.clone(),
        map: None,
        repairs,
        unrepairable,
        other,
    })
}

/// Why a finding that is not a read cannot be repaired.
pub const NOT_A_READ: &str = "the finding is not a read of a variable (the text sent elsewhere calls a name that nothing declares there): no typeof test can repair it; keep the names the text relies on (minify the original with guardmin, which keeps them)";

fn is_identifier(s: &str) -> bool {
    let mut c = s.chars();
    c.next()
        .is_some_and(|f| f.is_alphabetic() || f == '_' || f == '$' || f == '\\')
        && c.all(|x| x.is_alphanumeric() || x == '_' || x == '$' || x == '\\')
}

/// The names the prelude at `sink` declares that a read named `name` may have been renamed
/// away from ([`prelude::declared_before`]), quoted for a message; `None` when none.
fn renamed_from(parsed: &parse::Parsed, sink: (usize, usize), name: &str) -> Option<String> {
    let names: Vec<String> = prelude::declared_before(parsed, sink)
        .into_iter()
        .filter(|n| n != name)
        .map(|n| format!("`{n}`"))
        .collect();
    (!names.is_empty()).then(|| names.join(", "))
}

/// A repair plan for each error finding of `cur`.
fn plan(cur: &Source, opts: &Options, errors: &[Located]) -> Vec<Result<shape::Planned, String>> {
    GLOBALS.set(&Default::default(), || {
        let mut parsed = match parse::parse_with(cur, &cur.text, opts.parse_mode, false) {
            Ok(p) => p,
            Err(e) => return errors.iter().map(|_| Err(e.message.clone())).collect(),
        };
        let unresolved = Mark::new();
        parsed
            .program
            .visit_mut_with(&mut resolver(unresolved, Mark::new(), false));
        let reads: Vec<(usize, usize)> = errors.iter().map(|l| (l.lo, l.hi)).collect();
        let mut plans = shape::classify(&parsed, &cur.text, unresolved, &reads);
        for (l, p) in errors.iter().zip(plans.iter_mut()) {
            let text = &cur.text[l.lo..l.hi];
            if !RULES.contains(&l.finding.rule) {
                *p = Err(format!("`{}` findings are not repaired", l.finding.rule));
            } else if !is_identifier(text) {
                *p = Err(NOT_A_READ.to_string());
            } else if let Some(names) = l.sink.and_then(|k| renamed_from(&parsed, k, text)) {
                *p = Err(format!(
                    "the text this function is joined with declares {names}: this read may have been renamed away from one of those names, and a typeof repair would lose the value the text gives it (renaming the binding back needs its original name; minify the original with guardmin, which keeps it)"
                ));
            }
        }
        plans
    })
}

/// The repairs (indices into the repair list) whose new text is not one expression of the
/// re-parsed file. `landing` holds `(lo before the edits, new length, repair index)`.
fn not_landed(
    src: &Source,
    opts: &Options,
    new_text: &str,
    edits: &[Edit],
    landing: &[(usize, usize, usize)],
) -> Result<Vec<usize>, FixError> {
    // The new text of a repair starts where the text before it ends: after every edit
    // that ends before it (its own insertions at `lo` are part of it).
    let want: Vec<(usize, usize, usize)> = landing
        .iter()
        .map(|&(lo, len, i)| {
            let grow: isize = edits
                .iter()
                .filter(|e| e.hi < lo || (e.hi == lo && e.lo < e.hi))
                .map(Edit::growth)
                .sum();
            let lo = (lo as isize + grow) as usize;
            (lo, lo + len, i)
        })
        .collect();
    let starts: HashSet<usize> = want.iter().map(|w| w.0).collect();
    let cur = Source {
        text: new_text.to_string(),
        ..src.clone()
    };
    let spans = GLOBALS.set(&Default::default(), || {
        parse::parse_with(&cur, new_text, opts.parse_mode, false)
            .map(|p| shape::expr_spans_at(&p, &starts))
    })?;
    Ok(want
        .into_iter()
        .filter(|(lo, hi, _)| !spans.contains(&(*lo, *hi)))
        .map(|(_, _, i)| i)
        .collect())
}

#[cfg(test)]
mod tests;
