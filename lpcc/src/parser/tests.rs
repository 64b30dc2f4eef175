//! Parser tests: each feature is a list of sources whose tree dumps and
//! diagnostics are compared with a snapshot.

use std::fmt::Write;
use std::sync::Arc;

use super::*;
use crate::lexer::tokenize;

fn parse_with(src: &str, options: &ParseOptions) -> (Program, Vec<Diagnostic>, SourceMap) {
    let mut sources = SourceMap::new();
    let file = sources.add("/test.c", Arc::from(src));
    let (mut tokens, _) = tokenize(src, file);
    tokens.retain(|t| t.kind != TokenKind::Directive);
    let (program, diagnostics) = parse(&tokens, &sources, options);
    (program, diagnostics, sources)
}

fn render(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let (line, col) = sources.line_col(d.span());
        let _ = writeln!(
            out,
            "{line}:{col}: {}[{}]: {}",
            d.severity.as_str(),
            d.code,
            d.message
        );
    }
    out
}

/// Whole programs: the dump, then any diagnostics.
fn programs(cases: &[&str]) -> String {
    programs_with(cases, &ParseOptions::default())
}

fn programs_with(cases: &[&str], options: &ParseOptions) -> String {
    let mut out = String::new();
    for src in cases {
        let (program, diagnostics, sources) = parse_with(src, options);
        let _ = writeln!(out, "=== {src}\n{}", dump_program(&program));
        out.push_str(&render(&diagnostics, &sources));
    }
    out
}

/// Expressions, each parsed as the only statement of a function.
fn exprs(cases: &[&str]) -> String {
    let mut out = String::new();
    for src in cases {
        let text = format!("void f() {{ {src}; }}");
        let (program, diagnostics, sources) = parse_with(&text, &ParseOptions::default());
        let expr = match program.items.first() {
            Some(Item::Function(f)) => {
                f.body
                    .as_ref()
                    .and_then(|b| b.stmts.first())
                    .map(|s| match &s.kind {
                        StmtKind::Expr(e) => dump_expr(e),
                        _ => dump_stmt(s),
                    })
            }
            _ => None,
        };
        let _ = writeln!(out, "{src}\n  => {}", expr.unwrap_or_default());
        out.push_str(&render(&diagnostics, &sources));
    }
    out
}

/// Statements, parsed as the body of a function.
fn stmts(cases: &[&str]) -> String {
    let mut out = String::new();
    for src in cases {
        let text = format!("void f() {{\n{src}\n}}");
        let (program, diagnostics, sources) = parse_with(&text, &ParseOptions::default());
        let _ = writeln!(out, "=== {src}");
        if let Some(Item::Function(f)) = program.items.first() {
            for s in f.body.iter().flat_map(|b| &b.stmts) {
                let _ = writeln!(out, "{}", dump_stmt(s));
            }
        }
        out.push_str(&render(&diagnostics, &sources));
    }
    out
}

/// Only the diagnostics of a program.
fn errors(src: &str) -> String {
    let (_, diagnostics, sources) = parse_with(src, &ParseOptions::default());
    render(&diagnostics, &sources)
}

#[test]
fn operator_precedence() {
    insta::assert_snapshot!(exprs(&[
        "1 + 2 * 3",
        "1 * 2 + 3 % 4 / 5",
        "a - b - c",
        "a << 1 + 2",
        "a < b == c > d",
        "a <= b != c >= d",
        "a | b ^ c & d",
        "a || b && c",
        "a ?? b || c",
        "a ? b : c ? d : e",
        "x = y ? 1 : 2",
        "c ? a = 1 : b",
        "-a * b",
        "!a == b",
        "~a & b",
        "- - a",
        "(int)a + b",
        "++a + a--",
        "-x++",
        "a, b, c",
    ]));
}

#[test]
fn assignments() {
    insta::assert_snapshot!(exprs(&[
        "a = b = c",
        "a += 1",
        "a -= 1",
        "a *= 1",
        "a /= 1",
        "a %= 1",
        "a &= 1",
        "a |= 1",
        "a ^= 1",
        "a <<= 1",
        "a >>= 1",
        "a &&= 1",
        "a ||= 1",
        "a ??= 1",
        "x[1] = y->z = 2",
        // An assignment as a right operand takes the rest of the expression.
        "a == 9 || s[i] = 13",
        "a + b = c * d",
        "!x = f()",
        "(int)x = 2",
    ]));
}

#[test]
fn casts() {
    insta::assert_snapshot!(exprs(&[
        "(string *)x",
        "(class Foo)x",
        "(class Foo *)x",
        "(mixed)x",
        "(int **)x",
        "(float)(int)x",
        "(int)-x",
    ]));
}

#[test]
fn indexing_and_ranges() {
    insta::assert_snapshot!(exprs(&[
        "a[i]",
        "a[<i]",
        "a[i..j]",
        "a[<i..j]",
        "a[i..<j]",
        "a[<i..<j]",
        "a[i..]",
        "a[<i..]",
        "a[..<j]",
        "a[1][2]",
        "\"hello\"[1..3]",
        "a?.b",
        "a?.[1]",
        "m.?[k]",
        "a.b.c",
        "ob->name",
    ]));
}

#[test]
fn calls() {
    insta::assert_snapshot!(exprs(&[
        "f()",
        "f(1, 2)",
        "f(1, 2,)",
        "f(args...)",
        "f(ref x, &y)",
        "ob->f(1)",
        "ob->f(1)->g()",
        "::create()",
        "room::create(1)",
        "efun::sizeof(x)",
        "efun::new(\"/obj\")",
        "int::to_string(5)",
        "new(\"/obj/thing\")",
        "new(class Foo)",
        "new(class Foo, a: 1, b: \"x\")",
        "fs[1](2)",
        "(*f)(1, 2)",
    ]));
}

#[test]
fn literals() {
    insta::assert_snapshot!(exprs(&[
        "42",
        "0x1F + 0b101 + 1_000",
        "'a' + '\\n'",
        "1.5 + 2e3",
        "\"a\" \"b\" \"c\"",
        "\"tab\\there\"",
        "\"bad \\q escape\"",
        "`plain`",
        "`a${x}b${y + 1}c`",
        "\"pre\" `mid${x}` \"post\"",
        "({ })",
        "({ 1, 2, 3, })",
        "({ ({ 1 }), ({ }) })",
        "([ ])",
        "([ \"a\": 1, \"b\": ({ 2 }), ])",
        "$1 + $2",
    ]));
}

#[test]
fn text_blocks() {
    insta::assert_snapshot!(exprs(&[
        "write(@END\nline one\n  two\nEND\n)",
        "x = @@LINES\nfirst\nsecond\nLINES\n",
        "x = \"head\" @END\nbody\nEND\n",
    ]));
}

#[test]
fn function_values() {
    insta::assert_snapshot!(exprs(&[
        "(: helper :)",
        "(: helper, 4, \"x\" :)",
        "(: efun::sizeof :)",
        "(: efun::explode, \" \" :)",
        "(: $1 + $2 :)",
        "(: helper(2) + 1 :)",
        "(: (helper) :)",
        "(: $(x) + $1 :)",
        "(: (: $1 + 100 :) :)",
        "function(int x) { return x * 2; }",
        "function(int a, mixed *rest...) { return a; }",
        "int (int x) { return x; }",
        "catch(f())",
        "catch { f(); g(); }",
        "time_expression(f())",
        "time_expression { f(); }",
        "sscanf(s, \"%d %s\", n, rest)",
        "sscanf(s, \"%d\", a[0])",
        "parse_command(s, ob, \"%s\", x)",
    ]));
}

#[test]
fn statements() {
    insta::assert_snapshot!(stmts(&[
        "if (a) b(); else if (c) d(); else e();",
        "if (a) if (b) c(); else d();",
        "while (x--) ;",
        "do { x++; } while (x < 10);",
        "for (int i = 0; i < 10; i++) f(i);",
        "for (i = 0, j = 1; ; ) break;",
        "for (;;) continue;",
        "foreach (x in arr) f(x);",
        "foreach (string k, mixed v in m) f(k, v);",
        "foreach (int ref n in nums) n *= 2;",
        "foreach (int & n in nums) n++;",
        "foreach (class Foo *x in xs) ;",
        "return;",
        "return a, b;",
        "{ int x = 1; f(x); int y; }",
        ";",
        "int a, *b = ({}), c = 3;",
        "class Foo x = new(class Foo);",
        "mapping *ms;",
    ]));
}

#[test]
fn switch_statements() {
    insta::assert_snapshot!(stmts(&[
        "switch (x) {\n  int tmp;\n  case 1: f(); break;\n  case 2..5: case 6..: case ..0:\n  default: g();\n}",
        "switch (s) { case \"a\": case \"b\" \"c\": return 1; }",
        "switch (x) { case -1: case 1 << 2: case 'a': break; }",
    ]));
}

#[test]
fn top_level_declarations() {
    insta::assert_snapshot!(programs(&[
        "inherit \"/std/room\";",
        "private inherit \"/std/\" \"object\";",
        "inherit (\"/std/\") + \"living\";",
        "int x, *y = ({ 1 }), z = 3;",
        "nosave private mapping cache = ([]);",
        "x;",
        "void create() { ::create(); }",
        "create() { }",
        "private protected public nomask varargs string *names(int n, string *skip);",
        "int f(int, string *);",
        "void g(a, b) { }",
        "void h(int ref x, mixed & y, int *rest...) { }",
        "int add(int a, int b: (: 42 :)) { return a + b; }",
        "private:",
        "public nosave:",
        "class Point { int x, y; string *tags; class Point *children; }",
        "struct Empty { }",
        "private class Point origin; class Point *points;",
        "class Point make() { return new(class Point, x: 1); }",
        "void f() { } ;",
    ]));
}

#[test]
fn static_modifier() {
    let cases = ["static int x;", "static void f() { }"];
    let mut out = programs(&cases);
    out.push_str("--- with allow_static\n");
    out.push_str(&programs_with(&cases, &ParseOptions { allow_static: true }));
    insta::assert_snapshot!(out);
}

#[test]
fn syntax_errors() {
    insta::assert_snapshot!(programs(&[
        "void f() { x = 1 }",
        "void f() { foo(a b); }",
        "void f() { int x = ; }",
        "int x = 1 int y;",
        "void f(int x y) { return x; }",
        "void f() { if (x y) { g(); } h(); }",
        "void f() { a[..2]; }",
        "void f() { return 1 }\nvoid g() { }",
        "}",
        "int x += 3;",
        ":",
        "varargs:",
        "class Foo { int a; } x;",
    ]));
}

#[test]
fn end_of_file_errors() {
    insta::assert_snapshot!(programs(&[
        "void f() {",
        "void f() { if (x) { g();",
        "void f() { x = 1",
        "int x =",
        "inherit",
    ]));
}

#[test]
fn recovery_reports_each_typo_once() {
    let src = "\
void a() {
  int x = 1
  x++;
}

void b() {
  foo(1, 2;
  bar();
}

void c() { return; }
";
    let (program, diagnostics, sources) = parse_with(src, &ParseOptions::default());
    insta::assert_snapshot!(format!(
        "{}\n{}",
        dump_program(&program),
        render(&diagnostics, &sources)
    ));
}

#[test]
fn recovery_inside_nested_blocks() {
    let src = "\
void f() {
  for (int j = 0; j < 1; j++) {
    mixed e = catch {
      function(int y,) { return y; };
    };
  }
  a0 = 1;
}
void g() { }
";
    insta::assert_snapshot!(errors(src));
    let (program, _, _) = parse_with(src, &ParseOptions::default());
    let names: Vec<&str> = program
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Function(f) => Some(f.name.text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(names, ["f", "g"]);
}

#[test]
fn lexer_error_tokens_are_skipped() {
    // The lexer reports the stray character; the parser says nothing more.
    let src = "int x = 1 \u{1} + 2;";
    let (program, diagnostics, _) = parse_with(src, &ParseOptions::default());
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert_eq!(dump_program(&program), "var int x = (+ 1 2)");
}

#[test]
fn spans_cover_their_tokens() {
    let src = "int f() { return foo(1, 2) + bar; }";
    let (program, _, sources) = parse_with(src, &ParseOptions::default());
    let Some(Item::Function(f)) = program.items.first() else {
        panic!("expected a function");
    };
    assert_eq!(sources.text(f.span), src);
    let ret = &f.body.as_ref().expect("body").stmts[0];
    assert_eq!(sources.text(ret.span), "return foo(1, 2) + bar;");
    let StmtKind::Return(Some(e)) = &ret.kind else {
        panic!("expected return");
    };
    assert_eq!(sources.text(e.span), "foo(1, 2) + bar");
}
