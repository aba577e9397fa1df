//! Names a worker prelude gives a shipped function: the constant text joined *before* the
//! function's text where it leaves its scope (`'var _scriptDir = undefined; var M = ' + f`).
//! The function may have read such a name from around it (`_scriptDir`); a minifier that
//! renamed the binding (`e`) broke that, and a `typeof e` repair would read nothing where the
//! prelude gives a value. The name the text assigns the function itself to (`var M = ` right
//! before it) is not such a name.
//!
//! Only text written at the sink is seen (`new Blob(['var a = 1; var M = ' + f])`); text
//! built elsewhere and passed in a variable is not.

use crate::parse::Parsed;
use crate::scan::model::sinks::declared_names_in_text;
use swc_common::Spanned;
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

/// The names the constant text before a function's text declares at the sink `lo..hi`
/// (byte offsets), without the one it assigns the function to.
pub fn declared_before(parsed: &Parsed, sink: (usize, usize)) -> Vec<String> {
    let start = parsed.fm.start_pos.0 as usize;
    let mut f = FindSink {
        start,
        sink,
        found: None,
    };
    parsed.program.visit_with(&mut f);
    let Some(texts) = f.found else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for before in texts {
        let assigned = assigned_name(&before);
        for n in declared_names_in_text(&before) {
            let n = n.to_string();
            if Some(n.as_str()) != assigned && !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// `M` when `text` ends with `var M = ` (or `let`, `const`).
fn assigned_name(text: &str) -> Option<&str> {
    let t = text.trim_end().strip_suffix('=')?.trim_end();
    let is_id = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let name_start = t.rfind(|c: char| !is_id(c)).map_or(0, |i| i + 1);
    let name = &t[name_start..];
    let kw = t[..name_start].trim_end();
    (!name.is_empty()
        && name_start > kw.len()
        && ["var", "let", "const"].iter().any(|k| {
            kw.strip_suffix(k)
                .is_some_and(|r| r.is_empty() || r.ends_with(|c: char| !is_id(c)))
        }))
    .then_some(name)
}

struct FindSink {
    start: usize,
    sink: (usize, usize),
    /// For each sequence of parts inside the sink (a `+` chain, a template, an array of
    /// Blob parts), the constant text before its first part that is not constant.
    found: Option<Vec<String>>,
}

impl Visit for FindSink {
    fn visit_expr(&mut self, e: &Expr) {
        let s = e.span();
        let (lo, hi) = (
            (s.lo.0 as usize).saturating_sub(self.start),
            (s.hi.0 as usize).saturating_sub(self.start),
        );
        if self.found.is_none() && (lo, hi) == self.sink {
            let mut c = Chains(Vec::new());
            e.visit_with(&mut c);
            self.found = Some(c.0);
            return;
        }
        if lo <= self.sink.0 && self.sink.1 <= hi {
            e.visit_children_with(self);
        }
    }
}

/// A part of a text being joined: constant, or computed (a function's text, a variable).
enum Part {
    Text(String),
    Other,
}

fn const_text(e: &Expr) -> Option<String> {
    match e {
        Expr::Paren(p) => const_text(&p.expr),
        Expr::Lit(Lit::Str(s)) => s.value.as_str().map(str::to_string),
        Expr::Tpl(t) if t.exprs.is_empty() => t
            .quasis
            .first()
            .and_then(|q| q.cooked.as_ref())
            .and_then(|c| c.as_str())
            .map(str::to_string),
        _ => None,
    }
}

/// The leading constant text of each sequence of parts, where something computed follows.
struct Chains(Vec<String>);

impl Chains {
    fn sequence(&mut self, parts: Vec<Part>) {
        let mut text = String::new();
        for p in parts {
            match p {
                Part::Text(t) => text.push_str(&t),
                Part::Other => {
                    if !text.is_empty() {
                        self.0.push(text);
                    }
                    return;
                }
            }
        }
    }
}

fn part(e: &Expr) -> Part {
    const_text(e).map_or(Part::Other, Part::Text)
}

impl Visit for Chains {
    fn visit_bin_expr(&mut self, b: &BinExpr) {
        if b.op == BinaryOp::Add {
            // Flatten the left spine: `a + b + c` is ((a + b) + c).
            let mut parts = vec![part(&b.right)];
            let mut left = &*b.left;
            while let Expr::Bin(inner) = left {
                if inner.op != BinaryOp::Add {
                    break;
                }
                parts.push(part(&inner.right));
                left = &inner.left;
            }
            parts.push(part(left));
            parts.reverse();
            self.sequence(parts);
        }
        b.visit_children_with(self);
    }

    fn visit_tpl(&mut self, t: &Tpl) {
        let mut parts = Vec::new();
        for (i, q) in t.quasis.iter().enumerate() {
            if let Some(c) = q.cooked.as_ref().and_then(|c| c.as_str()) {
                parts.push(Part::Text(c.to_string()));
            }
            if i < t.exprs.len() {
                parts.push(part(&t.exprs[i]));
            }
        }
        self.sequence(parts);
        t.visit_children_with(self);
    }

    fn visit_array_lit(&mut self, a: &ArrayLit) {
        let parts = a
            .elems
            .iter()
            .flatten()
            .map(|x| {
                if x.spread.is_some() {
                    Part::Other
                } else {
                    part(&x.expr)
                }
            })
            .collect();
        self.sequence(parts);
        a.visit_children_with(self);
    }
}

#[cfg(test)]
mod tests {
    use super::assigned_name;

    #[test]
    fn the_name_the_function_is_assigned_to() {
        assert_eq!(assigned_name("var M = "), Some("M"));
        assert_eq!(
            assigned_name("var _scriptDir = undefined; const WasmModule="),
            Some("WasmModule")
        );
        assert_eq!(assigned_name("self.onmessage = "), None);
        assert_eq!(assigned_name("var a = 1; x = "), None);
        assert_eq!(assigned_name("invar M = "), None);
        assert_eq!(assigned_name("var M"), None);
    }
}
