//! A compact text rendering of the syntax tree: one line per declaration and
//! statement, expressions as prefix s-expressions. For tests and debugging.

use std::fmt::Write;

use crate::ast::*;

/// The whole program, one item per line with nested statements indented.
pub fn dump_program(program: &Program) -> String {
    let mut p = Printer::default();
    for item in &program.items {
        p.item(item);
    }
    p.out
}

/// One expression on one line (blocks inside it still span several).
pub fn dump_expr(expr: &Expr) -> String {
    let mut p = Printer::default();
    p.expr(expr);
    p.out
}

/// One statement and what it contains.
pub fn dump_stmt(stmt: &Stmt) -> String {
    let mut p = Printer::default();
    p.stmt(stmt);
    p.out
}

#[derive(Default)]
struct Printer {
    out: String,
    indent: usize,
}

impl Printer {
    fn line(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        for _ in 0..self.indent {
            self.out.push_str("  ");
        }
    }

    fn word(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn modifiers(&mut self, m: Modifiers) {
        for name in m.names() {
            self.word(name);
            self.word(" ");
        }
    }

    fn ty(&mut self, t: &Type) {
        let base = match &t.kind {
            TypeKind::Missing => "_",
            TypeKind::Int => "int",
            TypeKind::Float => "float",
            TypeKind::String => "string",
            TypeKind::Object => "object",
            TypeKind::Mapping => "mapping",
            TypeKind::Function => "function",
            TypeKind::Buffer => "buffer",
            TypeKind::Mixed => "mixed",
            TypeKind::Void => "void",
            TypeKind::Class(name) => {
                self.word("class ");
                name
            }
        };
        self.word(base);
        for _ in 0..t.array_depth {
            self.word("*");
        }
    }

    fn var(&mut self, v: &VarDecl) {
        self.ty(&v.ty);
        self.word(" ");
        self.word(&v.name.text);
        if let Some(init) = &v.init {
            self.word(" = ");
            self.expr(init);
        }
    }

    fn vars(&mut self, vars: &[VarDecl]) {
        for (i, v) in vars.iter().enumerate() {
            if i > 0 {
                self.word(", ");
            }
            self.var(v);
        }
    }

    fn params(&mut self, params: &[Param], varargs: bool) {
        self.word("(");
        for (i, p) in params.iter().enumerate() {
            if i > 0 {
                self.word(", ");
            }
            self.ty(&p.ty);
            if p.by_ref {
                self.word(" ref");
            }
            if let Some(name) = &p.name {
                self.word(" ");
                self.word(&name.text);
            }
            if let Some(d) = &p.default {
                self.word(": ");
                self.expr(d);
            }
        }
        if varargs {
            self.word("...");
        }
        self.word(")");
    }

    fn item(&mut self, item: &Item) {
        self.line();
        match item {
            Item::Inherit(i) => {
                self.modifiers(i.modifiers);
                let _ = write!(self.out, "inherit {:?}", i.path.as_str());
            }
            Item::Vars(v) => {
                self.word("var ");
                self.modifiers(v.modifiers);
                self.vars(&v.vars);
            }
            Item::Function(f) => {
                self.word("fn ");
                self.modifiers(f.modifiers);
                self.ty(&f.return_type);
                self.word(" ");
                self.word(&f.name.text);
                self.params(&f.params, f.varargs);
                match &f.body {
                    Some(body) => self.block_body(body),
                    None => self.word(";"),
                }
            }
            Item::Class(c) => {
                self.word("class ");
                self.modifiers(c.modifiers);
                self.word(&c.name.text);
                self.indent += 1;
                for m in &c.members {
                    self.line();
                    self.var(m);
                }
                self.indent -= 1;
            }
            Item::Modifiers(m, _) => {
                self.modifiers(*m);
                self.word(":");
            }
            Item::Error(_) => self.word("error"),
        }
    }

    fn block_body(&mut self, block: &Block) {
        self.indent += 1;
        for s in &block.stmts {
            self.stmt(s);
        }
        self.indent -= 1;
    }

    fn nested(&mut self, stmt: &Stmt) {
        self.indent += 1;
        self.stmt(stmt);
        self.indent -= 1;
    }

    fn stmt(&mut self, stmt: &Stmt) {
        self.line();
        match &stmt.kind {
            StmtKind::Expr(e) => self.expr(e),
            StmtKind::Decl(vars) => {
                self.word("decl ");
                self.vars(vars);
            }
            StmtKind::If(i) => {
                self.word("if ");
                self.expr(&i.cond);
                self.nested(&i.then);
                if let Some(o) = &i.otherwise {
                    self.line();
                    self.word("else");
                    self.nested(o);
                }
            }
            StmtKind::While(w) => {
                self.word("while ");
                self.expr(&w.cond);
                self.nested(&w.body);
            }
            StmtKind::DoWhile(d) => {
                self.word("do");
                self.nested(&d.body);
                self.line();
                self.word("while ");
                self.expr(&d.cond);
            }
            StmtKind::For(f) => {
                self.word("for ");
                match &f.init {
                    Some(ForInit::Expr(e)) => self.expr(e),
                    Some(ForInit::Decl(v)) => self.var(v),
                    None => self.word("_"),
                }
                self.word("; ");
                self.opt_expr(f.cond.as_ref());
                self.word("; ");
                self.opt_expr(f.step.as_ref());
                self.nested(&f.body);
            }
            StmtKind::Foreach(f) => {
                self.word("foreach ");
                self.foreach_var(&f.first);
                if let Some(second) = &f.second {
                    self.word(", ");
                    self.foreach_var(second);
                }
                self.word(" in ");
                self.expr(&f.iterable);
                self.nested(&f.body);
            }
            StmtKind::Switch(s) => {
                self.word("switch ");
                self.expr(&s.discriminant);
                self.indent += 1;
                for st in &s.body {
                    self.stmt(st);
                }
                self.indent -= 1;
            }
            StmtKind::Case(label) => {
                self.word("case ");
                match &**label {
                    CaseLabel::Value(e) => self.expr(e),
                    CaseLabel::Range { low, high } => {
                        self.opt_expr(low.as_ref());
                        self.word("..");
                        self.opt_expr(high.as_ref());
                    }
                }
            }
            StmtKind::Default => self.word("default"),
            StmtKind::Return(e) => {
                self.word("return");
                if let Some(e) = e {
                    self.word(" ");
                    self.expr(e);
                }
            }
            StmtKind::Break => self.word("break"),
            StmtKind::Continue => self.word("continue"),
            StmtKind::Block(b) => {
                self.word("block");
                self.block_body(b);
            }
            StmtKind::Empty => self.word("empty"),
            StmtKind::Error => self.word("error"),
        }
    }

    fn foreach_var(&mut self, v: &ForeachVar) {
        if let Some(t) = &v.ty {
            self.ty(t);
            self.word(" ");
        }
        if v.by_ref {
            self.word("ref ");
        }
        self.word(&v.name.text);
    }

    fn opt_expr(&mut self, e: Option<&Expr>) {
        match e {
            Some(e) => self.expr(e),
            None => self.word("_"),
        }
    }

    fn list(&mut self, head: &str, items: &[Expr]) {
        self.word("(");
        self.word(head);
        for e in items {
            self.word(" ");
            self.expr(e);
        }
        self.word(")");
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Int(v) => {
                let _ = write!(self.out, "{v}");
            }
            ExprKind::Float(v) => {
                let _ = write!(self.out, "{v:?}");
            }
            ExprKind::Str(s) => {
                let _ = write!(self.out, "{:?}", s.as_str());
            }
            ExprKind::Template(parts) => {
                self.word("(template");
                for part in parts {
                    self.word(" ");
                    match part {
                        TemplatePart::Text(t) => {
                            let _ = write!(self.out, "{:?}", t.as_str());
                        }
                        TemplatePart::Expr(e) => self.expr(e),
                    }
                }
                self.word(")");
            }
            ExprKind::Ident(name) => self.word(name),
            ExprKind::Param(n) => {
                let _ = write!(self.out, "${n}");
            }
            ExprKind::Capture(inner) => {
                self.word("$(");
                self.expr(inner);
                self.word(")");
            }
            ExprKind::Array(items) => self.list("array", items),
            ExprKind::Mapping(entries) => {
                self.word("(mapping");
                for entry in entries {
                    self.word(" (");
                    self.expr(&entry.key);
                    self.word(" ");
                    self.expr(&entry.value);
                    self.word(")");
                }
                self.word(")");
            }
            ExprKind::Unary(op, operand) => {
                let head = match op {
                    UnaryOp::Neg => "neg",
                    UnaryOp::Not => "!",
                    UnaryOp::Compl => "~",
                    UnaryOp::PreInc => "pre++",
                    UnaryOp::PreDec => "pre--",
                    UnaryOp::PostInc => "post++",
                    UnaryOp::PostDec => "post--",
                    UnaryOp::Ref => "ref",
                };
                self.list(head, std::slice::from_ref(operand));
            }
            ExprKind::Binary(b) => {
                self.word("(");
                self.word(b.op.as_str());
                self.word(" ");
                self.expr(&b.lhs);
                self.word(" ");
                self.expr(&b.rhs);
                self.word(")");
            }
            ExprKind::Assign(a) => {
                self.word("(");
                self.word(a.op.as_str());
                self.word(" ");
                self.expr(&a.target);
                self.word(" ");
                self.expr(&a.value);
                self.word(")");
            }
            ExprKind::Ternary(t) => {
                self.word("(? ");
                self.expr(&t.cond);
                self.word(" ");
                self.expr(&t.then);
                self.word(" ");
                self.expr(&t.otherwise);
                self.word(")");
            }
            ExprKind::Cast(c) => {
                self.word("(cast ");
                self.ty(&c.ty);
                self.word(" ");
                self.expr(&c.expr);
                self.word(")");
            }
            ExprKind::Index(i) => {
                self.word(if i.optional { "(index? " } else { "(index " });
                self.expr(&i.base);
                self.word(if i.from_end { " <" } else { " " });
                self.expr(&i.index);
                self.word(")");
            }
            ExprKind::Range(r) => {
                self.word("(range ");
                self.expr(&r.base);
                for bound in [&r.start, &r.end] {
                    self.word(" ");
                    match bound {
                        Some(b) => {
                            if b.from_end {
                                self.word("<");
                            }
                            self.expr(&b.expr);
                        }
                        None => self.word("_"),
                    }
                }
                self.word(")");
            }
            ExprKind::Member(m) => {
                self.word(match m.op {
                    MemberOp::Dot => "(. ",
                    MemberOp::Arrow => "(-> ",
                    MemberOp::OptionalDot => "(?. ",
                });
                self.expr(&m.base);
                self.word(" ");
                self.word(&m.name.text);
                self.word(")");
            }
            ExprKind::Call(c) => {
                self.word("(call ");
                match &c.callee {
                    Callee::Name(n) => self.word(&n.text),
                    Callee::Scoped { scope, name } => {
                        if let Some(s) = scope {
                            self.word(&s.text);
                        }
                        self.word("::");
                        self.word(&name.text);
                    }
                    Callee::Efun(n) => {
                        self.word("efun::");
                        self.word(&n.text);
                    }
                    Callee::New => self.word("new"),
                    Callee::Method { object, name } => {
                        self.word("(-> ");
                        self.expr(object);
                        self.word(" ");
                        self.word(&name.text);
                        self.word(")");
                    }
                    Callee::Expr(f) => {
                        self.word("*");
                        self.expr(f);
                    }
                }
                for a in &c.args {
                    self.word(" ");
                    self.expr(a);
                }
                self.word(")");
            }
            ExprKind::NewClass(n) => {
                self.word("(new class ");
                self.word(&n.class.text);
                for (field, value) in &n.fields {
                    self.word(" (");
                    self.word(&field.text);
                    self.word(" ");
                    self.expr(value);
                    self.word(")");
                }
                self.word(")");
            }
            ExprKind::Catch(body) => self.expr_or_block("catch", body),
            ExprKind::TimeExpression(body) => self.expr_or_block("time_expression", body),
            ExprKind::Sscanf(s) => {
                self.word("(sscanf ");
                self.expr(&s.input);
                self.word(" ");
                self.expr(&s.format);
                for t in &s.targets {
                    self.word(" ");
                    self.expr(t);
                }
                self.word(")");
            }
            ExprKind::ParseCommand(p) => {
                self.word("(parse_command ");
                self.expr(&p.input);
                self.word(" ");
                self.expr(&p.env);
                self.word(" ");
                self.expr(&p.pattern);
                for t in &p.targets {
                    self.word(" ");
                    self.expr(t);
                }
                self.word(")");
            }
            ExprKind::FunctionPtr(f) => match &**f {
                FunctionPtr::Named { name, args } => {
                    let head = format!("fn-ptr {}", name.text);
                    self.list(&head, args);
                }
                FunctionPtr::Efun { name, args } => {
                    let head = format!("fn-ptr efun::{}", name.text);
                    self.list(&head, args);
                }
                FunctionPtr::Expr(body) => self.list("fn-expr", std::slice::from_ref(body)),
            },
            ExprKind::Lambda(l) => {
                self.word("(lambda ");
                self.ty(&l.return_type);
                self.params(&l.params, l.varargs);
                self.block_body(&l.body);
                self.word(")");
            }
            ExprKind::Comma(items) => self.list(",", items),
            ExprKind::Spread(inner) => {
                self.expr(inner);
                self.word("...");
            }
            ExprKind::Error => self.word("<error>"),
        }
    }

    fn expr_or_block(&mut self, head: &str, body: &ExprOrBlock) {
        self.word("(");
        self.word(head);
        match body {
            ExprOrBlock::Expr(e) => {
                self.word(" ");
                self.expr(e);
            }
            ExprOrBlock::Block(b) => self.block_body(b),
        }
        self.word(")");
    }
}
