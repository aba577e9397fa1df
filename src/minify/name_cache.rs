//! `--name-cache FILE`: terser's name cache, so that top-level names get the same short
//! names in every build and in every file of a build.
//!
//! The file is terser's JSON (`{"vars": {"props": {"$name": "a"}}, "props": {"props": {}}}`):
//! `vars` maps a top-level name to the name it was given; `props` (terser's property
//! mangling, which guardmin does not do) is kept as it was read.
//!
//! swc_ecma_minifier 64 has a `mangle_name_cache`, but it cannot carry names between builds:
//! its keys are the syntax contexts of one run, and an identifier it finds there is left
//! unrenamed rather than given the cached name. So swc mangles everything but the top level
//! here, and [`apply`] names the top level from the cache, through swc's own `rename` pass
//! (which also writes `export { a as name }` where an export needs it), as terser does:
//! - a top-level binding (not exported, not a name guardmin keeps for a worker) gets its
//!   cached name, or, when top-level names are mangled (`--toplevel`, a module), a new short
//!   name that is recorded;
//! - an undeclared global with a cached name gets it too: the file that declares it was
//!   minified with the same cache (scripts that share the global scope);
//! - a name is only given where nothing else in the file has it, so no reference can be
//!   captured; where the cached name is taken, a new name is used and recorded instead.
//!
//! A file with `with` or a direct `eval` keeps its top-level names.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use swc_atoms::Atom;
use swc_common::SyntaxContext;
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitMutWith, VisitWith};

/// A name cache file that cannot be used; the message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum NameCacheError {
    #[error("--name-cache {path}: cannot read it: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("--name-cache {path}: not a terser name cache ({reason}); it must be JSON like {{\"vars\":{{\"props\":{{\"$name\":\"a\"}}}}}}: fix it, or delete it to start a new one")]
    Format { path: String, reason: String },
    #[error("--name-cache {path}: cannot write it: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// A terser name cache.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameCache {
    /// Top-level name (without terser's `$`) to the name it was given.
    pub vars: BTreeMap<String, String>,
    /// Everything else of the file (`props`), written back as it was.
    rest: serde_json::Map<String, serde_json::Value>,
}

impl NameCache {
    /// Parses terser's JSON.
    pub fn parse(bytes: &[u8]) -> Result<NameCache, String> {
        let v: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| format!("invalid JSON: {e}"))?;
        let serde_json::Value::Object(mut rest) = v else {
            return Err("the top level is not an object".into());
        };
        let mut vars = BTreeMap::new();
        if let Some(v) = rest.remove("vars") {
            let props = match &v {
                serde_json::Value::Object(o) => o.get("props"),
                _ => return Err("`vars` is not an object".into()),
            };
            match props {
                None => {}
                Some(serde_json::Value::Object(p)) => {
                    for (k, val) in p {
                        let name = k.strip_prefix('$').ok_or_else(|| {
                            format!("key {k:?} of vars.props does not start with `$`")
                        })?;
                        let serde_json::Value::String(to) = val else {
                            return Err(format!("vars.props.{k} is not a string"));
                        };
                        if !is_identifier(to) {
                            return Err(format!(
                                "vars.props.{k} is {to:?}, not a JavaScript identifier"
                            ));
                        }
                        vars.insert(name.to_string(), to.clone());
                    }
                }
                Some(_) => return Err("`vars.props` is not an object".into()),
            }
        }
        Ok(NameCache { vars, rest })
    }

    /// Reads `path`; a file that does not exist yet is an empty cache.
    pub fn load(path: &Path) -> Result<NameCache, NameCacheError> {
        let shown = path.display().to_string();
        match std::fs::read(path) {
            Ok(b) => NameCache::parse(&b).map_err(|reason| NameCacheError::Format {
                path: shown,
                reason,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(NameCache::default()),
            Err(source) => Err(NameCacheError::Read {
                path: shown,
                source,
            }),
        }
    }

    /// terser's JSON, keys in order.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = self.rest.clone();
        let props: serde_json::Map<String, serde_json::Value> = self
            .vars
            .iter()
            .map(|(k, v)| (format!("${k}"), serde_json::Value::String(v.clone())))
            .collect();
        out.insert("vars".into(), serde_json::json!({ "props": props }));
        out.entry("props")
            .or_insert_with(|| serde_json::json!({ "props": {} }));
        let mut v = serde_json::to_vec_pretty(&serde_json::Value::Object(out)).unwrap_or_default();
        v.push(b'\n');
        v
    }

    /// Writes the cache atomically (a reader sees the old file or the new one).
    pub fn save(&self, path: &Path) -> Result<(), NameCacheError> {
        crate::output::write_atomic(path, &self.to_json()).map_err(|source| NameCacheError::Write {
            path: path.display().to_string(),
            source,
        })
    }
}

fn is_identifier(s: &str) -> bool {
    let mut c = s.chars();
    c.next()
        .is_some_and(|f| f.is_alphabetic() || f == '_' || f == '$')
        && c.all(|ch| ch.is_alphanumeric() || ch == '_' || ch == '$')
        && !RESERVED.contains(&s)
}

/// Words that are never a name.
const RESERVED: [&str; 47] = [
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "implements",
    "import",
    "in",
    "instanceof",
    "interface",
    "let",
    "new",
    "null",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "static",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "yield",
    "arguments",
];

/// What [`apply`] may rename.
pub struct Scope<'a> {
    /// Syntax context of unresolved (global) references.
    pub unresolved: SyntaxContext,
    /// Names guardmin keeps (read by functions whose text runs elsewhere).
    pub keep: &'a [Atom],
    /// Give new names to uncached top-level bindings (and record them).
    pub learn: bool,
    pub keep_fnames: bool,
    pub keep_classnames: bool,
}

/// Names the top level of `program` from `cache` (see the module comment); returns how
/// many bindings and globals were renamed.
pub fn apply(program: &mut Program, cache: &mut NameCache, scope: &Scope) -> usize {
    let mut uses = Uses::default();
    program.visit_with(&mut uses);
    if uses.dynamic_scope {
        return 0;
    }
    let bindings = top_level_bindings(program, scope);
    let bound: HashSet<Atom> = bindings.iter().map(|id| id.0.clone()).collect();
    let keep: HashSet<&Atom> = scope.keep.iter().collect();
    // Undeclared globals the cache names, in order of first use.
    let globals: Vec<Id> = uses
        .order
        .iter()
        .filter(|id| id.1 == scope.unresolved && !bound.contains(&id.0))
        .filter(|id| cache.vars.contains_key(&*id.0))
        .cloned()
        .collect();
    let mut taken: HashSet<String> = uses.syms.iter().map(|a| a.to_string()).collect();
    taken.extend(cache.vars.values().cloned());
    taken.extend(scope.keep.iter().map(|a| a.to_string()));
    let mut given: HashSet<String> = HashSet::new();
    let mut fresh = Fresh::default();
    let mut map: rustc_hash::FxHashMap<Id, Atom> = Default::default();
    for (id, declared) in bindings
        .iter()
        .map(|i| (i, true))
        .chain(globals.iter().map(|i| (i, false)))
    {
        let orig = id.0.to_string();
        if keep.contains(&id.0) || orig == "arguments" || map.contains_key(id) {
            continue;
        }
        let cached = cache.vars.get(&orig).cloned();
        let usable = |n: &str, given: &HashSet<String>| {
            n == orig || (!uses.syms.contains(&Atom::from(n)) && !given.contains(n))
        };
        let name = match cached {
            Some(n) if usable(&n, &given) => n,
            _ if declared && scope.learn => {
                let n = fresh.next(&taken, &given);
                cache.vars.insert(orig.clone(), n.clone());
                n
            }
            _ => continue,
        };
        given.insert(name.clone());
        if name != orig {
            map.insert(id.clone(), Atom::from(name));
        }
    }
    let n = map.len();
    if n > 0 {
        program.visit_mut_with(&mut swc_ecma_transforms_base::rename::rename(&map));
    }
    n
}

/// Every identifier's name, the ids in order of first appearance, and whether the code can
/// reach names dynamically (`with`, a direct `eval`).
#[derive(Default)]
struct Uses {
    syms: HashSet<Atom>,
    seen: HashSet<Id>,
    order: Vec<Id>,
    dynamic_scope: bool,
}

impl Visit for Uses {
    fn visit_ident(&mut self, i: &Ident) {
        self.syms.insert(i.sym.clone());
        if self.seen.insert(i.to_id()) {
            self.order.push(i.to_id());
        }
        if &*i.sym == "eval" {
            self.dynamic_scope = true;
        }
    }
    fn visit_with_stmt(&mut self, w: &WithStmt) {
        self.dynamic_scope = true;
        w.visit_children_with(self);
    }
}

/// The bindings declared directly at the top level that are not exported.
fn top_level_bindings(program: &Program, scope: &Scope) -> Vec<Id> {
    let mut out = Vec::new();
    let decl = |d: &Decl, out: &mut Vec<Id>| match d {
        Decl::Var(v) => out.extend(swc_ecma_utils::find_pat_ids::<_, Id>(&v.decls)),
        Decl::Fn(f) if !scope.keep_fnames => out.push(f.ident.to_id()),
        Decl::Class(c) if !scope.keep_classnames => out.push(c.ident.to_id()),
        _ => {}
    };
    match program {
        Program::Script(s) => {
            for st in &s.body {
                if let Stmt::Decl(d) = st {
                    decl(d, &mut out);
                }
            }
        }
        Program::Module(m) => {
            for item in &m.body {
                match item {
                    ModuleItem::Stmt(Stmt::Decl(d)) => decl(d, &mut out),
                    ModuleItem::ModuleDecl(ModuleDecl::Import(i)) => {
                        for s in &i.specifiers {
                            let local = match s {
                                ImportSpecifier::Named(n) => &n.local,
                                ImportSpecifier::Default(d) => &d.local,
                                ImportSpecifier::Namespace(n) => &n.local,
                            };
                            out.push(local.to_id());
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    // With keep_fnames, a `var f = function () {}` keeps its name too.
    if scope.keep_fnames {
        let fn_vars: HashSet<Id> = fn_valued_vars(program);
        out.retain(|id| !fn_vars.contains(id));
    }
    out
}

fn fn_valued_vars(program: &Program) -> HashSet<Id> {
    struct V(HashSet<Id>);
    impl Visit for V {
        fn visit_var_declarator(&mut self, d: &VarDeclarator) {
            if let (Pat::Ident(b), Some(init)) = (&d.name, &d.init) {
                if matches!(&**init, Expr::Fn(_) | Expr::Arrow(_)) {
                    self.0.insert(b.id.to_id());
                }
            }
            d.visit_children_with(self);
        }
    }
    let mut v = V(HashSet::new());
    program.visit_with(&mut v);
    v.0
}

/// Short names in order: `a` ... `Z`, `_`, `$`, then two characters and more.
#[derive(Default)]
struct Fresh {
    n: usize,
}

const FIRST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$";
const REST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$0123456789";

impl Fresh {
    fn encode(mut n: usize) -> String {
        let mut s = String::new();
        s.push(FIRST[n % FIRST.len()] as char);
        n /= FIRST.len();
        while n > 0 {
            n -= 1;
            s.push(REST[n % REST.len()] as char);
            n /= REST.len();
        }
        s
    }

    fn next(&mut self, taken: &HashSet<String>, given: &HashSet<String>) -> String {
        loop {
            let s = Self::encode(self.n);
            self.n += 1;
            if !taken.contains(&s) && !given.contains(&s) && !RESERVED.contains(&s.as_str()) {
                return s;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terser_format_round_trip() {
        let text = br#"{"vars":{"props":{"$foo":"a","$bar":"b"}},"props":{"props":{"$x":"y"}}}"#;
        let c = NameCache::parse(text).unwrap();
        assert_eq!(c.vars.get("foo").map(String::as_str), Some("a"));
        let again = NameCache::parse(&c.to_json()).unwrap();
        assert_eq!(again, c);
        let v: serde_json::Value = serde_json::from_slice(&c.to_json()).unwrap();
        assert_eq!(v["props"]["props"]["$x"], "y");
        assert_eq!(v["vars"]["props"]["$bar"], "b");
    }

    #[test]
    fn bad_caches_are_refused() {
        for bad in [
            &b"[1]"[..],
            b"{\"vars\":3}",
            b"{\"vars\":{\"props\":{\"foo\":\"a\"}}}",
            b"{\"vars\":{\"props\":{\"$foo\":1}}}",
            b"{\"vars\":{\"props\":{\"$foo\":\"if\"}}}",
            b"{",
        ] {
            assert!(
                NameCache::parse(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(NameCache::parse(b"{}").unwrap().vars.is_empty());
    }

    #[test]
    fn fresh_names() {
        assert_eq!(Fresh::encode(0), "a");
        assert_eq!(Fresh::encode(53), "$");
        assert_eq!(Fresh::encode(54), "aa");
        let mut f = Fresh::default();
        let taken: HashSet<String> = ["a".to_string(), "c".to_string()].into();
        assert_eq!(f.next(&taken, &HashSet::new()), "b");
        assert_eq!(f.next(&taken, &HashSet::new()), "d");
    }
}
