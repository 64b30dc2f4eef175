//! Spec text in, parsed declarations (or the error) out.

use std::collections::BTreeSet;

use efun_specs::{SpecFile, parse_spec};

fn symbols(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// One line per efun: signature, alias target, arity, line; then its doc fields.
fn describe(spec: &SpecFile) -> String {
    let mut out = Vec::new();
    for efun in &spec.efuns {
        let max = efun.max_args.map_or("*".to_string(), |m| m.to_string());
        let alias = efun
            .alias_of
            .as_ref()
            .map(|t| format!(" alias-of {t}"))
            .unwrap_or_default();
        let internal = if efun.internal { " internal" } else { "" };
        out.push(format!(
            "{}{alias}{internal} [{}..{max}] line {}",
            efun.signature(),
            efun.min_args,
            efun.location.line
        ));
        let doc = &efun.doc;
        if !doc.summary.is_empty() {
            out.push(format!("  summary: {}", doc.summary));
        }
        for arg in &doc.args {
            out.push(format!("  param {}: {}", arg.name, arg.text));
        }
        if let Some(returns) = &doc.returns {
            out.push(format!("  returns: {returns}"));
        }
        for line in doc.example.lines() {
            out.push(format!("  example: {line}"));
        }
    }
    for op in &spec.operators {
        out.push(format!("operator {} line {}", op.name, op.location.line));
    }
    out.join("\n")
}

fn check_with(defined: &[&str], src: &str) -> String {
    match parse_spec("test.spec", "test", src, &symbols(defined)) {
        Ok(spec) => describe(&spec),
        Err(err) => format!("error: {err}"),
    }
}

fn check(src: &str) -> String {
    check_with(&[], src)
}

#[test]
fn basic_types_and_arrays() {
    insta::assert_snapshot!(check("int f(string, object *, mixed **);\nvoid g();"), @r"
    int f(string, object *, mixed **) [3..3] line 1
    void g() [0..0] line 2
    ");
}

#[test]
fn return_array_type() {
    insta::assert_snapshot!(check("string *explode(string, string);"), @"string *explode(string, string) [2..2] line 1");
}

#[test]
fn unions_and_void_make_optional() {
    insta::assert_snapshot!(check("string f(string, void | int, int | void);"), @"string f(string, int | void, int | void) [1..3] line 1");
}

#[test]
fn void_in_union_position_does_not_matter() {
    insta::assert_snapshot!(check("int f(int | void | string);"), @"int f(int | string | void) [0..1] line 1");
}

#[test]
fn arguments_after_the_first_optional_one_are_optional() {
    insta::assert_snapshot!(check("mixed f(int, void | int, string);"), @"mixed f(int, int | void, string | void) [1..3] line 1");
}

#[test]
fn default_number_lowers_minimum() {
    insta::assert_snapshot!(check("object this_player(int default: 0);\nint m(int, int default: -1);"), @r"
    object this_player(int default: 0) [0..1] line 1
    int m(int, int default: -1) [1..2] line 2
    ");
}

#[test]
fn default_this_object() {
    insta::assert_snapshot!(check("void destruct(object default: F__THIS_OBJECT);"), @"void destruct(object default: F__THIS_OBJECT) [0..1] line 1");
}

#[test]
fn default_after_void_argument() {
    insta::assert_snapshot!(check("object *d(object | function, void | function default: F__THIS_OBJECT);"), @"object *d(object | function, function default: F__THIS_OBJECT) [0..2] line 1");
}

#[test]
fn varargs_at_end() {
    insta::assert_snapshot!(check("void printf(string, ...);"), @"void printf(string, ...) [1..*] line 1");
}

#[test]
fn varargs_in_the_middle() {
    insta::assert_snapshot!(check("string r(string, string, string | function, ..., void | int);"), @"string r(string, string, string | function, ..., int | void) [3..*] line 1");
}

#[test]
fn lone_void_counts_as_one_optional_argument() {
    insta::assert_snapshot!(check("string db_status(void);"), @"string db_status(void) [0..1] line 1");
}

#[test]
fn alias_and_internal_names() {
    let src = "object find_object(string, int default: 0);\n\
               object load_object find_object(string, int default: 1);\n\
               unknown _call_other(object, string, ...);\n\
               unknown call_other _call_other(object, string, ...);";
    insta::assert_snapshot!(check(src), @r"
    object find_object(string, int default: 0) [1..2] line 1
    object load_object(string, int default: 1) alias-of find_object [1..2] line 2
    unknown _call_other(object, string, ...) internal [2..*] line 3
    unknown call_other(object, string, ...) alias-of _call_other [2..*] line 4
    ");
}

#[test]
fn declarations_span_lines_and_comments() {
    let src = "/* a block\n comment */ void message(mixed, // trailing\n   string | object *,\n   void | object);\n// int hidden();";
    insta::assert_snapshot!(check(src), @"void message(mixed, string | object *, object | void) [2..3] line 2");
}

#[test]
fn operators() {
    insta::assert_snapshot!(check("operator add, subtract;\noperator switch ;"), @r"
    operator add line 1
    operator subtract line 1
    operator switch line 2
    ");
}

#[test]
fn doc_comments() {
    let src = "/// Finds a thing.\n/// More words.\n/// @param name what to find\n/// spans lines\n/// @return the thing\n/// @example object o = find(\"x\");\n/// @example o->use();\nobject find(string);";
    insta::assert_snapshot!(check(src), @r#"
    object find(string) [1..1] line 8
      summary: Finds a thing. More words.
      param name: what to find spans lines
      returns: the thing
      example: object o = find("x");
      example: o->use();
    "#);
}

#[test]
fn four_slashes_are_a_plain_comment() {
    insta::assert_snapshot!(check("//// not a doc\nint f();"), @"int f() [0..0] line 2");
}

#[test]
fn extension_tag_sets_origin() {
    let spec = parse_spec(
        "t.spec",
        "t",
        "/// Ours.\n/// @extension\nint f();\nint g();",
        &symbols(&[]),
    );
    let origins: Vec<_> = spec
        .map(|s| s.efuns.iter().map(|e| format!("{:?}", e.origin)).collect())
        .unwrap_or_default();
    assert_eq!(origins, ["Extension", "FluffOs"]);
}

#[test]
fn define_macros_are_substituted() {
    insta::assert_snapshot!(check("#define OR_BUFFER | buffer\nint crc32(string OR_BUFFER);"), @"int crc32(string | buffer) [1..1] line 2");
}

#[test]
fn ifdef_and_ifndef() {
    let src = "#ifdef A\nint a();\n#else\nint not_a();\n#endif\n#ifndef B\nint not_b();\n#endif";
    insta::assert_snapshot!(check_with(&["A"], src), @r"
    int a() [0..0] line 2
    int not_b() [0..0] line 7
    ");
    insta::assert_snapshot!(check_with(&["B"], src), @"int not_a() [0..0] line 4");
}

#[test]
fn if_expressions() {
    let src = "#if defined(A) && defined(B)\nint both();\n#endif\n\
               #if (defined(A) || defined(C)) && !defined(B)\nint a_or_c_not_b();\n#endif\n\
               #if 0\nint never();\n#elif defined A\nint elif_a();\n#endif";
    insta::assert_snapshot!(check_with(&["A", "B"], src), @r"
    int both() [0..0] line 2
    int elif_a() [0..0] line 10
    ");
    insta::assert_snapshot!(check_with(&["C"], src), @"int a_or_c_not_b() [0..0] line 5");
}

#[test]
fn nested_conditionals_in_skipped_region() {
    let src = "#ifdef X\n#ifdef Y\nint xy();\n#else\nint x();\n#endif\n#include \"ignored\"\n#endif\nint always();";
    insta::assert_snapshot!(check(src), @"int always() [0..0] line 9");
}

#[test]
fn defines_count_as_defined_and_undef_removes() {
    let src =
        "#define LOCAL\n#ifdef LOCAL\nint yes();\n#endif\n#undef A\n#ifdef A\nint no();\n#endif";
    insta::assert_snapshot!(check_with(&["A"], src), @"int yes() [0..0] line 3");
}

#[test]
fn errors_carry_file_and_line() {
    insta::assert_snapshot!(check("int ok();\nint bad(strnig);"), @"error: test.spec:2: unknown type `strnig`");
    insta::assert_snapshot!(check("int ok();\n\nint f(int"), @"error: test.spec:3: expected `)`, found end of file");
    insta::assert_snapshot!(check("int f() \nint g();"), @"error: test.spec:2: expected `;`, found `int`");
    insta::assert_snapshot!(check("int f(int default: 1, int);"), @"error: test.spec:1: `default:` is only allowed on the last argument");
    insta::assert_snapshot!(check("int f(object default: F__THIS_PLAYER);"), @"error: test.spec:1: unknown default `F__THIS_PLAYER` (a number or F__THIS_OBJECT)");
    insta::assert_snapshot!(check("\n\nint f(int) $;"), @"error: test.spec:3: unexpected character `$`");
    insta::assert_snapshot!(check("void * f();"), @"error: test.spec:1: `void` cannot be an array");
    insta::assert_snapshot!(check("int f(\n/// stray doc\nint);"), @"error: test.spec:2: expected a type, found a `///` doc line");
    insta::assert_snapshot!(check("/// @bogus tag\nint f();"), @"error: test.spec:1: unknown doc tag `@bogus`");
    insta::assert_snapshot!(check("int f();\n/* never closed\nint g();"), @"error: test.spec:2: unterminated /* comment");
}

#[test]
fn preprocessor_errors_carry_line() {
    insta::assert_snapshot!(check("int f();\n#endif"), @"error: test.spec:2: preprocessor: #endif without #if");
    insta::assert_snapshot!(check("#ifdef A\nint f();"), @"error: test.spec:1: preprocessor: conditional is never closed with #endif");
    insta::assert_snapshot!(check("\n#if defined(A) +\n#endif"), @"error: test.spec:2: preprocessor: unsupported character `+` in #if expression");
    insta::assert_snapshot!(check("#if defined(A\n#endif"), @"error: test.spec:1: preprocessor: missing `)` after defined(NAME");
    insta::assert_snapshot!(check("#include \"x.spec\""), @"error: test.spec:1: preprocessor: unsupported directive `#include`");
    insta::assert_snapshot!(check("#define F(x) x"), @"error: test.spec:1: preprocessor: function-like macro `F` is not supported");
    insta::assert_snapshot!(check("#ifdef\n#endif"), @"error: test.spec:1: preprocessor: #ifdef needs one name, found ``");
    insta::assert_snapshot!(check("#if 1\n#else\n#else\n#endif"), @"error: test.spec:3: preprocessor: second #else");
}
