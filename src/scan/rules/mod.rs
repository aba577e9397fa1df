//! The scan rules, one file each. Every rule documents what it finds with a bad and a
//! good example, and has its tests beside it.

use crate::diagnostic::{RuleMeta, Severity};

pub mod emscripten_script_dir;
pub mod guard_lost;
pub mod serialized_closure;
pub mod threaded_wasm;
pub mod undeclared_void_compare;

/// Pseudo-rule for files that could not be parsed.
pub const SYNTAX_ERROR: RuleMeta = RuleMeta {
    id: "syntax-error",
    severity: Severity::Error,
    summary: "The file could not be parsed as JavaScript.",
    help: "fix the syntax error, or exclude the file (--exclude) if it is not JavaScript",
};

/// Every rule, in the order reports list them.
pub const ALL: &[RuleMeta] = &[
    serialized_closure::META,
    emscripten_script_dir::META,
    undeclared_void_compare::META,
    guard_lost::META,
    threaded_wasm::META,
    SYNTAX_ERROR,
];

pub fn meta(id: &str) -> Option<&'static RuleMeta> {
    ALL.iter().find(|m| m.id == id)
}
