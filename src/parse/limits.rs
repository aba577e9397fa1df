//! Limits against stack overflow, and nothing else: swc's parser and every pass after it
//! (resolver, optimizer, codegen, scan) recurse once per level of the syntax tree, so only
//! what really nests counts. Flat code of any length (a million statements, a 100k-element
//! array) is never refused.
//!
//! Two checks, both measured on the worker stack ([`crate::commands::STACK_SIZE`], 512 MiB):
//!
//! - [`check_tokens`], before parsing: a tokenizer (strings, comments, templates with their
//!   `${}` nesting and regular expressions told apart as the grammar does) estimates how deep
//!   the parser will recurse. Each bracket or prefix level costs swc's parser at most 3.3 KiB
//!   of stack (`(((`: 3.3 KiB, `[[[`: 2.1 KiB, `{a:{a:`: 2.3 KiB, `!!!`: 0.4 KiB, `a?b:`:
//!   0.4 KiB, `x=>`: 2.6 KiB per level), so [`PARSE_LIMIT`] levels stay under 400 MiB.
//!   Left-associative chains (`a+b+...`, `a.b.c...`, `f()()...`) are parsed in a loop but
//!   dropped recursively (97 bytes per link): [`CHAIN_LIMIT`] links.
//! - [`check_depth`], after parsing: the tree's depth (expressions, statements and patterns
//!   nested in each other) must stay within [`MAX_DEPTH`]. The deepest any pass goes per level
//!   is about 3.3 KiB (the parser on parentheses; the optimizer takes 0.9 KiB per `+`, 2 KiB
//!   per nested function level, codegen 0.5 KiB, resolver and scan 0.4 KiB), so 60,000 levels
//!   take at most 200 MiB.
//!
//! A tree refused after parsing is taken apart without recursion ([`dismantle`]): dropping a
//! million-link chain the usual way would itself overflow the stack.

use crate::diagnostic::{FileError, FileErrorKind};
use crate::source::Source;
use swc_common::{BytePos, Spanned, DUMMY_SP};
use swc_ecma_ast::*;
use swc_ecma_visit::{Visit, VisitWith};

/// Deepest syntax tree guardmin accepts (see the module docs for the measurements).
pub const MAX_DEPTH: usize = 60_000;

/// Most nesting levels (brackets, prefix operators, right-associative operators, statement
/// heads) the pre-parse estimate accepts.
pub const PARSE_LIMIT: usize = 120_000;

/// Most left-associative chain links (`+`, `.`, `()`, ...) open at once.
pub const CHAIN_LIMIT: usize = 1_000_000;

pub(super) fn refusal(src: &Source, text: &str, off: usize, what: String) -> FileError {
    FileError::new(
        FileErrorKind::Input,
        src.name.clone(),
        format!("{what}; guardmin refuses it rather than run out of stack"),
    )
    .at(text, off.min(text.len()))
}

/// Refuses a `--define` value nested more than 1,000 levels: it is parsed on the main
/// thread's stack, then inlined wherever the name is read.
pub fn shallow(value: &str) -> Result<(), String> {
    super::nesting::within(value, 1_000, 10_000)
        .map_err(|(_, what)| format!("{what}; guardmin refuses it rather than run out of stack"))
}

/// Refuses a tree deeper than [`MAX_DEPTH`], at the first node past the limit, and takes it
/// apart without recursion.
pub(super) fn check_depth(
    src: &Source,
    text: &str,
    program: Program,
    start: u32,
) -> Result<Program, FileError> {
    match depth_exceeded(&program, MAX_DEPTH) {
        None => Ok(program),
        Some(pos) => {
            dismantle(program);
            Err(refusal(
                src,
                text,
                pos.0.saturating_sub(start) as usize,
                format!("code nested more than {MAX_DEPTH} levels deep"),
            ))
        }
    }
}

/// Where the tree first goes deeper than `limit` levels. The walk recurses, but never more
/// than `limit` levels (about 200 bytes of stack each).
pub fn depth_exceeded(program: &Program, limit: usize) -> Option<BytePos> {
    struct Depth {
        depth: usize,
        limit: usize,
        found: Option<BytePos>,
    }
    impl Depth {
        fn enter<T: VisitWith<Self> + Spanned>(&mut self, n: &T) {
            if self.found.is_some() {
                return;
            }
            if self.depth >= self.limit {
                self.found = Some(n.span().lo);
                return;
            }
            self.depth += 1;
            n.visit_children_with(self);
            self.depth -= 1;
        }
    }
    impl Visit for Depth {
        fn visit_expr(&mut self, n: &Expr) {
            self.enter(n)
        }
        fn visit_stmt(&mut self, n: &Stmt) {
            self.enter(n)
        }
        fn visit_pat(&mut self, n: &Pat) {
            self.enter(n)
        }
        fn visit_prop(&mut self, n: &Prop) {
            self.enter(n)
        }
        fn visit_class_member(&mut self, n: &ClassMember) {
            self.enter(n)
        }
    }
    let mut d = Depth {
        depth: 0,
        limit,
        found: None,
    };
    program.visit_with(&mut d);
    d.found
}

/// Drops `program` with an explicit stack: every expression and statement child is moved
/// out of its parent before the parent is dropped, so no drop recurses through a chain.
pub fn dismantle(program: Program) {
    let mut work = Work::default();
    match program {
        Program::Script(s) => work.stmts.extend(s.body),
        Program::Module(m) => {
            for item in m.body {
                match item {
                    ModuleItem::Stmt(s) => work.stmts.push(s),
                    ModuleItem::ModuleDecl(d) => match d {
                        ModuleDecl::ExportDefaultExpr(e) => work.exprs.push(e.expr),
                        ModuleDecl::ExportDecl(e) => work.stmts.push(Stmt::Decl(e.decl)),
                        other => drop(other),
                    },
                }
            }
        }
    }
    work.run();
}

/// Boxes as the tree holds them: moving them out allocates nothing.
#[derive(Default)]
#[allow(clippy::vec_box)]
struct Work {
    exprs: Vec<Box<Expr>>,
    stmts: Vec<Stmt>,
}

fn take(e: &mut Box<Expr>) -> Box<Expr> {
    std::mem::replace(e, Box::new(Expr::Invalid(Invalid { span: DUMMY_SP })))
}

impl Work {
    fn run(&mut self) {
        loop {
            if let Some(mut s) = self.stmts.pop() {
                self.stmt(&mut s);
            } else if let Some(mut e) = self.exprs.pop() {
                self.expr(&mut e);
            } else {
                break;
            }
        }
    }

    fn body(&mut self, f: &mut Function) {
        if let Some(b) = f.body.take() {
            self.stmts.extend(b.stmts);
        }
    }

    fn boxed_stmt(&mut self, s: &mut Box<Stmt>) {
        self.stmts.push(std::mem::replace(
            &mut **s,
            Stmt::Empty(EmptyStmt { span: DUMMY_SP }),
        ));
    }

    fn stmt(&mut self, s: &mut Stmt) {
        match s {
            Stmt::Expr(e) => self.exprs.push(take(&mut e.expr)),
            Stmt::Block(b) => self.stmts.append(&mut b.stmts),
            Stmt::If(i) => {
                self.exprs.push(take(&mut i.test));
                self.boxed_stmt(&mut i.cons);
                if let Some(alt) = &mut i.alt {
                    self.boxed_stmt(alt);
                }
            }
            Stmt::Return(r) => self.exprs.extend(r.arg.take()),
            Stmt::Throw(t) => self.exprs.push(take(&mut t.arg)),
            Stmt::Labeled(l) => self.boxed_stmt(&mut l.body),
            Stmt::While(w) => {
                self.exprs.push(take(&mut w.test));
                self.boxed_stmt(&mut w.body);
            }
            Stmt::DoWhile(w) => {
                self.exprs.push(take(&mut w.test));
                self.boxed_stmt(&mut w.body);
            }
            Stmt::For(f) => self.boxed_stmt(&mut f.body),
            Stmt::ForIn(f) => self.boxed_stmt(&mut f.body),
            Stmt::ForOf(f) => self.boxed_stmt(&mut f.body),
            Stmt::Decl(Decl::Var(v)) => {
                for d in &mut v.decls {
                    self.exprs.extend(d.init.take());
                }
            }
            Stmt::Decl(Decl::Fn(f)) => self.body(&mut f.function),
            _ => {}
        }
    }

    fn expr(&mut self, e: &mut Expr) {
        match e {
            Expr::Bin(b) => {
                self.exprs.push(take(&mut b.left));
                self.exprs.push(take(&mut b.right));
            }
            Expr::Unary(u) => self.exprs.push(take(&mut u.arg)),
            Expr::Update(u) => self.exprs.push(take(&mut u.arg)),
            Expr::Paren(p) => self.exprs.push(take(&mut p.expr)),
            Expr::Await(a) => self.exprs.push(take(&mut a.arg)),
            Expr::Yield(y) => self.exprs.extend(y.arg.take()),
            Expr::Cond(c) => {
                self.exprs.push(take(&mut c.test));
                self.exprs.push(take(&mut c.cons));
                self.exprs.push(take(&mut c.alt));
            }
            Expr::Assign(a) => self.exprs.push(take(&mut a.right)),
            Expr::Seq(s) => self.exprs.append(&mut s.exprs),
            Expr::Member(m) => self.member(m),
            Expr::Call(c) => {
                if let Callee::Expr(callee) = &mut c.callee {
                    self.exprs.push(take(callee));
                }
                self.exprs.extend(c.args.drain(..).map(|a| a.expr));
            }
            Expr::New(n) => {
                self.exprs.push(take(&mut n.callee));
                self.exprs
                    .extend(n.args.take().into_iter().flatten().map(|a| a.expr));
            }
            Expr::OptChain(o) => match &mut *o.base {
                OptChainBase::Member(m) => self.member(m),
                OptChainBase::Call(c) => {
                    self.exprs.push(take(&mut c.callee));
                    self.exprs.extend(c.args.drain(..).map(|a| a.expr));
                }
            },
            Expr::Array(a) => self
                .exprs
                .extend(a.elems.drain(..).flatten().map(|e| e.expr)),
            Expr::Object(o) => {
                for p in o.props.drain(..) {
                    match p {
                        PropOrSpread::Spread(s) => self.exprs.push(s.expr),
                        PropOrSpread::Prop(p) => match *p {
                            Prop::KeyValue(kv) => self.exprs.push(kv.value),
                            Prop::Method(mut m) => self.body(&mut m.function),
                            other => drop(other),
                        },
                    }
                }
            }
            Expr::Tpl(t) => self.exprs.append(&mut t.exprs),
            Expr::TaggedTpl(t) => {
                self.exprs.push(take(&mut t.tag));
                self.exprs.append(&mut t.tpl.exprs);
            }
            Expr::Fn(f) => self.body(&mut f.function),
            Expr::Arrow(a) => {
                let body = std::mem::replace(
                    &mut *a.body,
                    ArrowFunctionBody::Expr(Box::new(Expr::Invalid(Invalid { span: DUMMY_SP }))),
                );
                match body {
                    ArrowFunctionBody::FunctionBody(b) => self.stmts.extend(b.stmts),
                    ArrowFunctionBody::Expr(e) => self.exprs.push(e),
                }
            }
            _ => {}
        }
    }

    fn member(&mut self, m: &mut MemberExpr) {
        self.exprs.push(take(&mut m.obj));
        if let MemberProp::Computed(c) = &mut m.prop {
            self.exprs.push(take(&mut c.expr));
        }
    }
}
