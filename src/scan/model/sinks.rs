//! Where function text comes from, where it goes, and where it runs: one table each.
//!
//! Text only matters where it is *run* or leaves the realm. Text that ends in an `Error`
//! message, a log line or a comparison is never run, so it is no sink. Where the flow loses
//! the text (it is passed to a function the analysis cannot resolve, or stored where no
//! sink reads it), it is not reported: a sink must be seen. That choice is measured by the
//! serialized corpus (tests/serialized) and the real-packages table (tests/real).

use swc_atoms::Atom;

/// How a call treats its arguments' text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextUse {
    /// The text is run (or leaves the realm) here: a sink.
    Sink(&'static str),
    /// The result carries the text on (`String(f)`, `encodeURIComponent(t)`).
    PassThrough,
}

/// Global functions (called as `name(...)`) and what they do with the text of which
/// arguments (`None`: every argument).
pub const GLOBAL_CALLS: &[(&str, Option<usize>, TextUse, &str)] = &[
    (
        "eval",
        Some(0),
        TextUse::Sink("`eval`"),
        "runs its argument as code",
    ),
    (
        "Function",
        None,
        TextUse::Sink("`Function`"),
        "compiles its arguments into a function",
    ),
    (
        "importScripts",
        None,
        TextUse::Sink("`importScripts`"),
        "loads and runs scripts in a worker",
    ),
    (
        "setTimeout",
        Some(0),
        TextUse::Sink("`setTimeout` with a string"),
        "a string first argument is run as code",
    ),
    (
        "setInterval",
        Some(0),
        TextUse::Sink("`setInterval` with a string"),
        "a string first argument is run as code",
    ),
    (
        "postMessage",
        Some(0),
        TextUse::Sink("`postMessage`"),
        "the text leaves the realm; the receiver may run it",
    ),
    (
        "String",
        Some(0),
        TextUse::PassThrough,
        "a function's string is its source text",
    ),
    (
        "encodeURIComponent",
        Some(0),
        TextUse::PassThrough,
        "encoding keeps the text (data: URLs)",
    ),
    (
        "encodeURI",
        Some(0),
        TextUse::PassThrough,
        "encoding keeps the text",
    ),
    (
        "escape",
        Some(0),
        TextUse::PassThrough,
        "encoding keeps the text",
    ),
    (
        "unescape",
        Some(0),
        TextUse::PassThrough,
        "decoding keeps the text",
    ),
    (
        "btoa",
        Some(0),
        TextUse::PassThrough,
        "base64 keeps the text (data: URLs)",
    ),
];

/// Constructors (`new Name(...)`), the same way.
pub const CONSTRUCTORS: &[(&str, Option<usize>, TextUse, &str)] = &[
    (
        "Blob",
        Some(0),
        TextUse::Sink("`new Blob`"),
        "a Blob of code is made to be run (a worker's or a script's URL)",
    ),
    (
        "Worker",
        Some(0),
        TextUse::Sink("`new Worker`"),
        "starts a worker from the text (a data: URL)",
    ),
    (
        "SharedWorker",
        Some(0),
        TextUse::Sink("`new SharedWorker`"),
        "starts a worker from the text",
    ),
    (
        "Function",
        None,
        TextUse::Sink("`new Function`"),
        "compiles its arguments into a function",
    ),
    (
        "String",
        Some(0),
        TextUse::PassThrough,
        "a function's string is its source text",
    ),
];

/// Methods (`x.name(...)`) whose result carries the text of their receiver and arguments.
pub const TEXT_METHODS: &[&str] = &[
    "concat",
    "replace",
    "replaceAll",
    "slice",
    "substring",
    "substr",
    "trim",
    "trimStart",
    "trimEnd",
    "padStart",
    "padEnd",
    "toString",
    "split",
    "join",
    "createObjectURL",
    "stringify",
];

/// Methods whose first argument is a sink whatever the receiver (`worker.postMessage(src)`,
/// `self.importScripts(url)`, `window.eval(src)`).
pub const SINK_METHODS: &[(&str, &str)] = &[
    ("postMessage", "`postMessage`"),
    ("importScripts", "`importScripts`"),
    ("eval", "`eval`"),
    ("setTimeout", "`setTimeout` with a string"),
    ("setInterval", "`setInterval` with a string"),
];

/// `var a = ...; function b() {}; let c` in a piece of source text: the names it declares
/// where it runs. A keyword must be followed by the name itself (`function (e)` declares
/// nothing; `e` is a parameter there).
pub fn declared_names_in_text(text: &str) -> Vec<Atom> {
    let is_id = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let mut out = Vec::new();
    let mut rest = text;
    let mut prev_is_id = false;
    while let Some(c) = rest.chars().next() {
        if !prev_is_id && is_id(c) {
            let word_len = rest.find(|c: char| !is_id(c)).unwrap_or(rest.len());
            let word = &rest[..word_len];
            let after = &rest[word_len..];
            if matches!(word, "var" | "let" | "const" | "function" | "class") {
                let trimmed = after.trim_start();
                let gap = &after[..after.len() - trimmed.len()];
                let name_len = trimmed.find(|c: char| !is_id(c)).unwrap_or(trimmed.len());
                let name = &trimmed[..name_len];
                if !gap.is_empty()
                    && !name.is_empty()
                    && !name.starts_with(|c: char| c.is_ascii_digit())
                {
                    out.push(Atom::from(name));
                }
            }
            rest = after;
            prev_is_id = true;
            continue;
        }
        prev_is_id = is_id(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Names a piece of code text calls (`main();`, `new Foo(`): an identifier followed by `(`,
/// not a property (`.x(`), not a keyword, not the name a `function` declares.
pub fn called_names_in_text(text: &str) -> Vec<Atom> {
    let is_id = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let mut out = Vec::new();
    let bytes: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    let mut prev_word = "";
    let mut prev_char = ' ';
    while i < bytes.len() {
        let (start, c) = bytes[i];
        if is_id(c) && !c.is_ascii_digit() {
            let mut j = i;
            while j < bytes.len() && is_id(bytes[j].1) {
                j += 1;
            }
            let end = bytes.get(j).map_or(text.len(), |b| b.0);
            let word = &text[start..end];
            let next = text[end..].trim_start().chars().next();
            if next == Some('(') && prev_char != '.' && prev_word != "function" && !is_keyword(word)
            {
                out.push(Atom::from(word));
            }
            prev_word = word;
            prev_char = 'a';
            i = j;
            continue;
        }
        if !c.is_whitespace() {
            prev_char = c;
            prev_word = "";
        }
        i += 1;
    }
    out
}

/// The names a complete piece of code calls without declaring them anywhere in it (in any of
/// its scopes, parameters included), read from its syntax tree; `None` where the text is no
/// complete script (a fragment joined with other text: `';\nmain();'` parses, `'var M = '`
/// does not), which [`called_names_in_text`] then reads.
pub fn undeclared_calls_in_code(text: &str) -> Option<Vec<Atom>> {
    use swc_ecma_ast::{CallExpr, Callee, Expr, NewExpr};
    use swc_ecma_visit::{Visit, VisitMutWith, VisitWith};
    struct Calls {
        unresolved: swc_common::SyntaxContext,
        out: Vec<Atom>,
    }
    impl Calls {
        fn callee(&mut self, e: &Expr) {
            if let Expr::Ident(i) = super::guards::unparen(e) {
                if i.ctxt == self.unresolved {
                    self.out.push(i.sym.clone());
                }
            }
        }
    }
    impl Visit for Calls {
        fn visit_call_expr(&mut self, c: &CallExpr) {
            if let Callee::Expr(e) = &c.callee {
                self.callee(e);
            }
            c.visit_children_with(self);
        }
        fn visit_new_expr(&mut self, n: &NewExpr) {
            self.callee(&n.callee);
            n.visit_children_with(self);
        }
    }
    let src =
        crate::source::Source::from_bytes("<code text>".into(), text.as_bytes().to_vec()).ok()?;
    let parsed =
        crate::parse::parse_with(&src, text, crate::parse::ParseMode::Script, false).ok()?;
    let mut program = parsed.program;
    let unresolved_mark = swc_common::Mark::new();
    program.visit_mut_with(&mut swc_ecma_transforms_base::resolver(
        unresolved_mark,
        swc_common::Mark::new(),
        false,
    ));
    let mut v = Calls {
        unresolved: swc_common::SyntaxContext::empty().apply_mark(unresolved_mark),
        out: Vec::new(),
    };
    program.visit_with(&mut v);
    v.out.retain(|w| !is_keyword(w));
    Some(v.out)
}

fn is_keyword(w: &str) -> bool {
    matches!(
        w,
        "if" | "for"
            | "while"
            | "switch"
            | "catch"
            | "function"
            | "return"
            | "typeof"
            | "new"
            | "do"
            | "else"
            | "in"
            | "of"
            | "with"
            | "void"
            | "delete"
            | "await"
            | "yield"
            | "async"
            | "class"
            | "super"
            | "import"
            | "export"
            | "throw"
            | "case"
    )
}

/// Globals of a dedicated worker's realm (ECMAScript and `WorkerGlobalScope`): a name the
/// shipped text calls that is one of these needs no declaration.
pub fn is_worker_global(name: &str) -> bool {
    crate::scan::rules::undeclared_void_compare::REALM_GLOBALS.contains(&name)
        || WORKER_GLOBALS.contains(&name)
}

const WORKER_GLOBALS: &[&str] = &[
    "self",
    "postMessage",
    "onmessage",
    "importScripts",
    "close",
    "location",
    "navigator",
    "console",
    "setTimeout",
    "setInterval",
    "clearTimeout",
    "clearInterval",
    "fetch",
    "XMLHttpRequest",
    "Blob",
    "URL",
    "Worker",
    "TextEncoder",
    "TextDecoder",
    "atob",
    "btoa",
    "performance",
    "crypto",
    "WebAssembly",
    "structuredClone",
    "queueMicrotask",
    "addEventListener",
    "removeEventListener",
    "dispatchEvent",
    "Response",
    "Request",
    "Headers",
    "FileReader",
    "MessageChannel",
    "BroadcastChannel",
    "ImageData",
    "OffscreenCanvas",
    "createImageBitmap",
    "requestAnimationFrame",
    "eval",
    "parseInt",
    "parseFloat",
    "isNaN",
    "isFinite",
    "encodeURIComponent",
    "decodeURIComponent",
    "encodeURI",
    "decodeURI",
    "escape",
    "unescape",
    "Function",
    "Event",
    "MessageEvent",
    "ErrorEvent",
    "AbortController",
    "ReadableStream",
    "WritableStream",
    "TransformStream",
    "FormData",
    "indexedDB",
    "caches",
    "reportError",
    "Symbol",
    "globalThis",
];

#[cfg(test)]
mod tests {
    use super::{called_names_in_text, declared_names_in_text};

    #[test]
    fn names_called_by_text() {
        assert_eq!(called_names_in_text(";\nmain();"), vec!["main"]);
        assert!(called_names_in_text("self.postMessage(1); function f(x) {}").is_empty());
        assert!(called_names_in_text("if (x) { }").is_empty());
        assert_eq!(called_names_in_text("(new Foo(1))"), vec!["Foo"]);
    }

    #[test]
    fn names_in_prelude_text() {
        let got = declared_names_in_text("var _scriptDir = undefined; var M = ");
        assert_eq!(got, vec!["_scriptDir", "M"]);
        assert!(declared_names_in_text("self.onmessage = ").is_empty());
        assert_eq!(
            declared_names_in_text("function helper(){}"),
            vec!["helper"]
        );
        // A function expression's parameter is not a declaration of the text.
        assert!(declared_names_in_text("self.onmessage = function (e) { e; };").is_empty());
        assert!(declared_names_in_text("function(e){}").is_empty());
    }
}
