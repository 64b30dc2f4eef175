use super::*;
use crate::source::MemoryProvider;

fn config() -> PreprocessConfig {
    PreprocessConfig {
        include_dirs: vec!["/include".to_string(), "/sys".to_string()],
        ..PreprocessConfig::default()
    }
}

/// Output tokens, then one line per diagnostic with its file and line.
fn render(pp: &Preprocessed) -> String {
    let mut s: Vec<&str> = pp.tokens.iter().map(|t| pp.sources.token_text(t)).collect();
    if s.is_empty() {
        s.push("<no tokens>");
    }
    let mut out = s.join(" ");
    for d in &pp.diagnostics {
        let span = d.span();
        let (line, _) = pp.sources.line_col(span);
        out.push_str(&format!(
            "\n{}[{}] {}:{}: {}",
            d.severity.as_str(),
            d.code,
            pp.sources.name(span.file),
            line,
            d.message
        ));
    }
    out
}

/// Preprocesses the first of `files` (path, text) with the others available.
fn run_with(files: &[(&str, &str)], config: &PreprocessConfig) -> Preprocessed {
    let mut provider = MemoryProvider::new();
    for (path, text) in files {
        provider.insert(path, text);
    }
    preprocess(&provider, files[0].0, config)
}

fn check(files: &[(&str, &str)]) -> String {
    render(&run_with(files, &config()))
}

fn check1(src: &str) -> String {
    check(&[("/main.c", src)])
}

#[test]
fn plain_tokens_pass_through() {
    insta::assert_snapshot!(check1("int x = 1; // c\nstring s = \"a\";"), @r#"int x = 1 ; string s = "a" ;"#);
}

#[test]
fn object_like_macros() {
    insta::assert_snapshot!(check1("#define A 1 + 2\n#define B A * A\nint x = B;"), @"int x = 1 + 2 * 1 + 2 ;");
}

#[test]
fn function_like_macros() {
    let src = "#define SQ(x) ((x) * (x))\n#define ADD(a, b) a + b\nSQ(1 + 2); ADD(SQ(2), 3); ADD((1, 2), ({ 3, 4 }));";
    insta::assert_snapshot!(check1(src), @"( ( 1 + 2 ) * ( 1 + 2 ) ) ; ( ( 2 ) * ( 2 ) ) + 3 ; ( 1 , 2 ) + ( { 3 , 4 } ) ;");
}

#[test]
fn function_like_name_without_arguments_is_left_alone() {
    insta::assert_snapshot!(check1("#define F(x) x\nint F; F\n(2); F"), @"int F ; 2 ; F");
}

#[test]
fn space_before_paren_makes_object_like() {
    insta::assert_snapshot!(check1("#define F (x) x\nF(1)"), @"( x ) x ( 1 )");
}

#[test]
fn arguments_span_lines_and_nest() {
    let src = "#define F(a, b) [a|b]\nF(\n  g(1, 2),\n  (: h :)\n) F((:f:),x)";
    insta::assert_snapshot!(check1(src), @"[ g ( 1 , 2 ) | (: h : ) ] [ (: f : ) | x ]");
}

#[test]
fn function_open_right_after_macro_name() {
    insta::assert_snapshot!(check1("#define F(x) <x>\nF(: 1 :)"), @"< : 1 : >");
}

#[test]
fn argument_count_mismatch() {
    insta::assert_snapshot!(check1("#define F(a, b) a b\n#define G() g\nF(1) F(1,2,3) G() G(1)"), @r"
    1 1 2 g g
    warning[E0216] /main.c:3: macro 'F' takes 2 arguments, 1 given
    warning[E0216] /main.c:3: macro 'F' takes 2 arguments, 3 given
    warning[E0216] /main.c:3: macro 'G' takes 0 arguments, 1 given
    ");
}

#[test]
fn unterminated_arguments() {
    insta::assert_snapshot!(check1("#define F(x) x\nint a;\nF(1, (2)\n"), @r"
    int a ;
    error[E0215] /main.c:3: end of file in the arguments of macro 'F'
    ");
}

#[test]
fn directive_inside_arguments() {
    insta::assert_snapshot!(check1("#define F(x) x\nF(1\n#define Y\n)"), @r"
    1
    error[E0221] /main.c:3: preprocessor directive inside macro arguments is ignored
    ");
}

#[test]
fn stringize_and_paste() {
    let src = r#"#define S(x) #x
#define CAT(a, b) a ## b
#define XCAT(a, b) CAT(a, b)
#define N 7
S(a  "q\n"   + 'c') CAT(foo, bar) CAT(N, 1) XCAT(N, 1) CAT(, x) CAT(x, ) CAT(1, 5) CAT(-, >) S()
"#;
    insta::assert_snapshot!(check1(src), @r#""a \"q\\n\" + 'c'" foobar N1 71 x x 15 -> """#);
}

#[test]
fn pasted_name_is_rescanned() {
    insta::assert_snapshot!(check1("#define AB 42\n#define CAT(a, b) a ## b\nCAT(A, B)"), @"42");
}

#[test]
fn paste_in_object_like_macro() {
    insta::assert_snapshot!(check1("#define P x ## y\nP"), @"xy");
}

#[test]
fn bad_paste() {
    insta::assert_snapshot!(check1("#define CAT(a, b) a ## b\nCAT(\"a, b\")"), @r#"
    "a, b"
    warning[E0216] /main.c:2: macro 'CAT' takes 2 arguments, 1 given
    "#);
    insta::assert_snapshot!(check1("#define CAT(a, b) a ## b\nCAT(x, \")\nCAT(x, y)"), @r#"
    <no tokens>
    error[E0215] /main.c:2: end of file in the arguments of macro 'CAT'
    error[E0002] /main.c:2: end of file in a string
    "#);
}

#[test]
fn paste_producing_invalid_token() {
    insta::assert_snapshot!(check1("#define CAT(a, b) a ## b\nCAT(/, *)"), @r"
    /*
    error[E0217] /main.c:2: pasting makes '/*', which is no valid token
    ");
}

#[test]
fn hash_misplaced_in_define() {
    insta::assert_snapshot!(check1("#define A ## x\n#define B x ##\n#define C(x) # y\nC(1) a # b"), @r"
    y a b
    error[E0210] /main.c:1: '##' cannot appear at start of macro body
    error[E0210] /main.c:2: '##' cannot appear at end of macro body
    error[E0219] /main.c:4: '#' outside a macro body
    error[E0219] /main.c:4: '#' outside a macro body
    ");
}

#[test]
fn recursion_is_guarded() {
    let src = "#define X X + 1\n#define A B\n#define B A\n#define F(x) F(x) + G\n#define G F(2)\nX; A; B; F(1);";
    insta::assert_snapshot!(check1(src), @"X + 1 ; A ; B ; F ( 1 ) + F ( 2 ) ;");
}

#[test]
fn arguments_are_expanded_before_substitution() {
    let src = "#define SECOND(a, b) b\n#define ID(x) x\nSECOND(1, SECOND(2, 3)) ID(ID(ID(4)))";
    insta::assert_snapshot!(check1(src), @"3 4");
}

#[test]
fn macro_name_at_end_of_expansion_takes_following_arguments() {
    let src = "#define APPLY F\n#define F(x) <x>\nAPPLY(3) APPLY";
    insta::assert_snapshot!(check1(src), @"< 3 > F");
}

#[test]
fn c_standard_rescan_example() {
    // The rescan example of the C standard: `f(2)(9)` keeps expanding.
    let src = "#define f(a) a*g\n#define g(a) f(a)\nf(2)(9)";
    insta::assert_snapshot!(check1(src), @"2 * 9 * g");
}

#[test]
fn exponential_expansion_is_capped() {
    let mut src = String::from("#define D(x) x x\n");
    src.push_str(&"D(".repeat(40));
    src.push('1');
    src.push_str(&")".repeat(40));
    let pp = run_with(&[("/main.c", &src)], &config());
    assert!(
        pp.diagnostics
            .iter()
            .any(|d| d.code == codes::EXPANSION_TOO_LARGE)
    );
    assert!(pp.tokens.len() < 2 * MAX_EXPANSION_WORK);
}

#[test]
fn deeply_nested_arguments() {
    let nested = |depth: usize| {
        let mut src = String::from("#define I(x) x\n");
        src.push_str(&"I(".repeat(depth));
        src.push('1');
        src.push_str(&")".repeat(depth));
        run_with(&[("/main.c", &src)], &config())
    };
    assert_eq!(render(&nested(120)), "1");
    let pp = nested(5000);
    assert!(
        pp.diagnostics
            .iter()
            .any(|d| d.code == codes::EXPANSION_TOO_LARGE)
    );
}

#[test]
fn long_macro_chains_are_iterative() {
    let mut src = String::new();
    for i in 0..20000 {
        src.push_str(&format!("#define M{i} M{}\n", i + 1));
    }
    src.push_str("#define M20000 end\nM0");
    let pp = run_with(&[("/main.c", &src)], &config());
    assert_eq!(render(&pp), "end");
}

#[test]
fn expanded_tokens_point_at_use_and_definition() {
    let src = "#define ONE 1\nint x = ONE;";
    let pp = run_with(&[("/main.c", src)], &config());
    let one = pp.tokens[3];
    assert_eq!(pp.sources.text(one.span), "ONE");
    let origin = pp.sources.origin(one.origin).unwrap();
    assert_eq!(pp.sources.text(origin.text), "1");
    assert_eq!(pp.sources.text(origin.definition), "ONE");
    assert_eq!(pp.sources.line_col(origin.definition), (1, 9));
    // A function-like invocation's span covers name through `)`.
    let pp = run_with(&[("/main.c", "#define F(a) a\nF( 2 )")], &config());
    assert_eq!(pp.sources.text(pp.tokens[0].span), "F( 2 )");
    let origin = pp.sources.origin(pp.tokens[0].origin).unwrap();
    assert_eq!(pp.sources.text(origin.text), "2");
}

#[test]
fn redefinition() {
    insta::assert_snapshot!(check1("#define A 1\n#define A 1\n#define A  1 // same\n#define A 2\nA"), @r"
    2
    warning[E0212] /main.c:4: macro 'A' redefined
    ");
}

#[test]
fn undef() {
    insta::assert_snapshot!(check1("#define A 1\nA\n#undef A // gone\nA\n#undef NEVER"), @"1 A");
}

#[test]
fn predefined_cannot_change() {
    insta::assert_snapshot!(check1("#define MUDOS 2\n#undef __VERSION__\n#define __FILE__ x\n#undef MAX_INT"), @r"
    <no tokens>
    error[E0211] /main.c:1: illegal to redefine the predefined macro 'MUDOS'
    error[E0211] /main.c:2: illegal to #undef the predefined macro '__VERSION__'
    error[E0211] /main.c:3: illegal to redefine the predefined macro '__FILE__'
    error[E0211] /main.c:4: illegal to #undef the predefined macro 'MAX_INT'
    ");
}

#[test]
fn bad_defines() {
    insta::assert_snapshot!(check1("#define\n#define 1 x\n#define F(a, ...) a\n#define G(a"), @r"
    <no tokens>
    error[E0210] /main.c:1: #define: missing name
    error[E0210] /main.c:2: #define: missing name
    error[E0210] /main.c:3: #define: malformed macro parameter list
    error[E0210] /main.c:4: #define: malformed macro parameter list
    ");
}

#[test]
fn keyword_macros() {
    insta::assert_snapshot!(check1("#define static private\n#define int(x) x\nstatic int a; int(3)"), @"private int a ; 3");
}

#[test]
fn builtin_macros() {
    let files = [
        (
            "/w/room.c",
            "__FILE__ __DIR__ __LINE__\n#include \"inc.h\"\n__LINE__ __FILE__",
        ),
        ("/w/inc.h", "\n__FILE__ __LINE__"),
    ];
    insta::assert_snapshot!(check(&files), @r#""/w/room.c" "/w/" 1 "/w/inc.h" 2 3 "/w/room.c""#);
}

#[test]
fn line_of_multi_line_invocation() {
    insta::assert_snapshot!(check1("#define L(x) __LINE__\n\nL(\n1)"), @"3");
}

#[test]
fn line_directive() {
    let src = "a\n#line 100\n__LINE__\n#line 7 \"/other.c\"\n__LINE__ __FILE__\n# 50\n__LINE__\nerror_here";
    let pp = run_with(&[("/main.c", src)], &config());
    insta::assert_snapshot!(render(&pp), @r#"a 100 7 "/other.c" 50 error_here"#);
    let last = pp.tokens.last().unwrap();
    assert_eq!(pp.sources.line_col(last.span).0, 51);
}

#[test]
fn predefined_macros() {
    let src = "MUDOS FLUFFOS __VERSION__ __PORT__ MAX_INT MIN_INT SIZEOFINT MIN_FLOAT __ARCH__ MUD_NAME\n\
               __PACKAGE_CORE__ __PACKAGE_SOCKETS__ __SENSIBLE_MODIFIERS__ __SAVE_EXTENSION__ __CFG_MAX_CALL_DEPTH__\n\
               __PACKAGE_DWLIB__ __ARRAY_RESERVED_WORD__ __SANE_SORTING__ __NO_RESETS__ HAS_ED";
    insta::assert_snapshot!(check1(src), @r#""fluffos unknown" 4000 9223372036854775807 - 9223372036854775808 8 0.000000 "Linux/x86-64" "" ".o" 150 __PACKAGE_DWLIB__ __ARRAY_RESERVED_WORD__ __NO_RESETS__"#);
    let pp = run_with(&[("/main.c", "MAX_FLOAT")], &config());
    let text = pp.sources.token_text(&pp.tokens[0]);
    assert!(text.starts_with("179769313486231570") && text.ends_with(".000000"));
    assert_eq!(text.len(), 309 + 7);
}

#[test]
fn config_driven_predefines() {
    let config = PreprocessConfig {
        packages: vec!["core".into(), "dwlib".into()],
        port: 6666,
        mud_name: "Test \"Mud\"".into(),
        defines: vec![
            ("DEBUG".into(), "1".into()),
            ("LIB".into(), "\"/lib\"".into()),
        ],
        config_predefines: vec!["__NO_RESETS__".into()],
        ..config()
    };
    let src = "__PORT__ MUD_NAME DEBUG LIB __PACKAGE_CORE__ __PACKAGE_DWLIB__ __DWLIB__ __PACKAGE_SOCKETS__ __NO_RESETS__ __SANE_SORTING__\n#define DEBUG 2";
    insta::assert_snapshot!(render(&run_with(&[("/main.c", src)], &config)), @r#"
    6666 "Test \"Mud\"" 1 "/lib" __PACKAGE_SOCKETS__ __SANE_SORTING__
    error[E0211] /main.c:2: illegal to redefine the predefined macro 'DEBUG'
    "#);
}

#[test]
fn conditionals() {
    let src = "#if 1\na\n#elif 1\nb\n#else\nc\n#endif\n\
               #if 0\nd\n#elif 2 > 1\ne\n#else\nf\n#endif\n\
               #if 0\ng\n#else\nh\n#endif\n\
               #ifdef MUDOS\ni\n#endif\n#ifndef MUDOS\nj\n#endif\n#ifdef NOPE // c\nk\n#endif\n\
               #if 0\n#if 1\nl\n#else\nm\n#endif\n#elif 1\nn\n#endif";
    insta::assert_snapshot!(check1(src), @"a e h i n");
}

#[test]
fn condition_expressions() {
    let src = "#define TWO 2\n#define X 1+1\n#define F(a) (a*10)\n\
               #if X*2 == 3 && TWO << 2 == 8 && 'a' == 97 && 0x10 == 16 && F(2) == 20\nok1\n#endif\n\
               #if defined(TWO) && defined TWO && !defined(NOPE) && UNDEFINED == 0\nok2\n#endif\n\
               #if efun_defined(whatever) && (1 ? 2 : 0) && -1 < 0 && ~0 == -1 && 7 % 4 == 3\nok3\n#endif\n\
               #if __LINE__ == 13\nok4\n#endif";
    insta::assert_snapshot!(check1(src), @"ok1 ok2 ok3 ok4");
}

#[test]
fn efun_defined_uses_the_efun_list() {
    let efuns: FxHashSet<String> = ["write".to_string()].into_iter().collect();
    let config = PreprocessConfig {
        efuns: Some(Arc::new(efuns)),
        ..config()
    };
    let src = "#if efun_defined(write)\na\n#endif\n#if efun_defined(nope)\nb\n#endif";
    insta::assert_snapshot!(render(&run_with(&[("/main.c", src)], &config)), @"a");
}

#[test]
fn condition_errors() {
    let src = "#if\n#endif\n#if 1/0\n#endif\n#if (1\n#endif\n#if 1.5\n#endif\n#if 1 2\n#endif\n#if 0\n#elif\n#endif\n#if defined(A\n#endif";
    insta::assert_snapshot!(check1(src), @r"
    <no tokens>
    error[E0213] /main.c:1: missing expression in #if
    error[E0213] /main.c:3: division by 0 in #if
    error[E0213] /main.c:5: bracket not paired in #if
    error[E0213] /main.c:7: floating point constants are not allowed in #if
    error[E0213] /main.c:9: condition too complex in #if
    error[E0213] /main.c:12: missing expression in #elif
    error[E0213] /main.c:14: bracket not paired in #if
    ");
}

#[test]
fn false_branches_are_not_lexed() {
    let src = "#if 0\n\"unterminated\n'bad char\n#bogus directive\n#include <missing.h>\n#error no\n#endif\nok";
    insta::assert_snapshot!(check1(src), @"ok");
}

#[test]
fn unbalanced_conditionals() {
    insta::assert_snapshot!(check1("#endif\n#else\n#elif 1\nx"), @r"
    x
    error[E0203] /main.c:1: unexpected #endif
    error[E0203] /main.c:2: unexpected #else
    error[E0203] /main.c:3: unexpected #elif
    ");
    insta::assert_snapshot!(check1("#if 1\na\n#else\nb\n#else\nc\n#elif 1\nd\n#endif"), @r"
    a
    error[E0204] /main.c:5: #else after #else
    error[E0204] /main.c:7: #elif after #else
    ");
}

#[test]
fn missing_endif() {
    insta::assert_snapshot!(check1("#if 1\na\n#if 0\n#if 1\n#endif\n"), @r"
    a
    error[E0202] /main.c:1: missing #endif
    error[E0202] /main.c:3: missing #endif
    ");
}

#[test]
fn conditionals_span_includes() {
    let files = [
        ("/main.c", "#include \"open.h\"\nskipped\n#endif\nshown"),
        ("/open.h", "#if 0\n"),
    ];
    insta::assert_snapshot!(check(&files), @"shown");
}

#[test]
fn include_search_order() {
    let files = [
        (
            "/d/main.c",
            "#include \"a.h\"\n#include <a.h>\n#include \"sub/b.h\"\n#include \"/d/a.h\"\n#include <only_sys.h>\n#include \"../top.h\"",
        ),
        ("/d/a.h", "local_a"),
        ("/include/a.h", "include_a"),
        ("/sys/a.h", "sys_a"),
        ("/d/sub/b.h", "local_b"),
        ("/sys/only_sys.h", "only_sys"),
        ("/top.h", "top"),
    ];
    insta::assert_snapshot!(check(&files), @"local_a include_a local_b local_a only_sys top");
}

#[test]
fn include_relative_to_including_file() {
    let files = [
        ("/main.c", "#include <lib/x.h>"),
        ("/include/lib/x.h", "#include \"y.h\""),
        ("/include/lib/y.h", "y"),
    ];
    insta::assert_snapshot!(check(&files), @"y");
}

#[test]
fn angle_include_rejects_parent_paths() {
    let files = [("/main.c", "#include <../secret.h>"), ("/secret.h", "s")];
    insta::assert_snapshot!(check(&files), @r"
    <no tokens>
    error[E0200] /main.c:1: cannot #include ../secret.h
    ");
}

#[test]
fn include_by_macro_and_trailing_text() {
    let files = [
        (
            "/main.c",
            "#define H \"h.h\"\n#define S <s.h>\n#include H\n#include S\n#include <s.h> /* why */ // more",
        ),
        ("/h.h", "h"),
        ("/include/s.h", "s"),
    ];
    insta::assert_snapshot!(check(&files), @"h s s");
}

#[test]
fn include_errors() {
    let files = [(
        "/main.c",
        "#include\n#include nothing\n#include \"missing.h\"\n#include <unclosed\nok",
    )];
    insta::assert_snapshot!(check(&files), @r"
    ok
    error[E0205] /main.c:1: bad #include directive
    error[E0205] /main.c:2: bad #include directive
    error[E0200] /main.c:3: cannot #include missing.h
    error[E0205] /main.c:4: bad #include directive
    ");
}

#[test]
fn include_cycle() {
    let files = [
        ("/main.c", "#include \"a.h\"\nend"),
        ("/a.h", "#include \"b.h\"\n"),
        ("/b.h", "#include \"a.h\"\n"),
    ];
    let pp = run_with(&files, &config());
    let errors: Vec<&Diagnostic> = pp.diagnostics.iter().collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].code, codes::INCLUDE_TOO_DEEP);
    assert_eq!(errors[0].notes, vec!["/b.h includes itself".to_string()]);
    assert_eq!(pp.sources.name(errors[0].span().file), "/b.h");
    assert_eq!(render(&pp).lines().next(), Some("end"));
    // Each file is in the source map once.
    assert_eq!(
        pp.sources
            .files()
            .iter()
            .filter(|f| f.name == "/a.h")
            .count(),
        1
    );
}

#[test]
fn guarded_self_include_is_fine() {
    let files = [
        ("/main.c", "#include \"g.h\"\n#include \"g.h\"\nG"),
        (
            "/g.h",
            "#ifndef G_H\n#define G_H\n#define G g\n#include \"g.h\"\n#endif\n",
        ),
    ];
    let pp = run_with(&files, &config());
    insta::assert_snapshot!(render(&pp), @"g");
    assert_eq!(pp.includes.len(), 3);
}

#[test]
fn global_include() {
    let files = [
        ("/w/main.c", "GLOBAL"),
        ("/include/globals.h", "#define GLOBAL 1"),
        ("/w/local.h", "#define GLOBAL 2"),
    ];
    let with = |spec: &str| {
        let config = PreprocessConfig {
            global_include: Some(spec.to_string()),
            ..config()
        };
        render(&run_with(&files, &config))
    };
    assert_eq!(with("<globals.h>"), "1");
    assert_eq!(with("\"local.h\""), "2");
    assert_eq!(with("/include/globals.h"), "1");
    insta::assert_snapshot!(with("<nope.h>"), @r"
    GLOBAL
    error[E0220] /w/main.c:1: cannot read the global include file <nope.h>
    ");
}

#[test]
fn missing_main_file() {
    let pp = preprocess(&MemoryProvider::new(), "/nope.c", &config());
    insta::assert_snapshot!(render(&pp), @r"
    <no tokens>
    error[E0222] /nope.c:1: cannot read /nope.c: no such file
    ");
}

#[test]
fn message_directives() {
    insta::assert_snapshot!(check1("#error stop  \\\n here\n#warn careful\n#echo hello\n#frobnicate\n#breakpoint\n#\n#!shebang\nx"), @r"
    x
    error[E0206] /main.c:1: #error stop   here
    warning[E0207] /main.c:3: #warn careful
    note[E0208] /main.c:4: hello
    error[E0209] /main.c:5: unknown preprocessor directive #frobnicate
    ");
}

#[test]
fn pragmas() {
    let src = "#pragma strict_types\nint a;\n#pragma no_warnings // c\n#pragma save_binary\n#pragma\n#pragma optimize show_error_context\nb";
    let pp = run_with(&[("/main.c", src)], &config());
    insta::assert_snapshot!(render(&pp), @r"
    int a ; b
    warning[E0214] /main.c:4: unknown #pragma, ignored
    warning[E0214] /main.c:5: unknown #pragma, ignored
    warning[E0214] /main.c:6: unknown #pragma, ignored
    ");
    let p = &pp.pragmas;
    assert_eq!(p.settings.len(), 2);
    assert_eq!(p.settings[1].token_index, 3);
    assert!(!p.enabled_at(Pragma::StrictTypes, 0) || p.settings[0].token_index == 0);
    assert!(p.enabled_at(Pragma::StrictTypes, 0));
    assert!(p.enabled_at(Pragma::Warnings, 2));
    assert!(!p.enabled_at(Pragma::Warnings, 3));
    assert!(p.enabled_at(Pragma::SaveTypes, 3));
    assert!(!p.enabled_at_end(Pragma::Warnings));
    assert_eq!(pp.sources.line_col(p.settings[1].span).0, 3);
}

#[test]
fn stray_hash_in_code() {
    insta::assert_snapshot!(check1("a # b ## c"), @r"
    a b c
    error[E0219] /main.c:1: '#' outside a macro body
    error[E0219] /main.c:1: '##' outside a macro body
    ");
}

#[test]
fn lexer_diagnostics_of_every_file_are_kept() {
    let files = [
        ("/main.c", "#include \"a.h\"\nx\n#define S \"open\ny \"open"),
        ("/a.h", "int \u{1};"),
    ];
    insta::assert_snapshot!(check(&files).replace('\u{1}', "^A"), @r#"
    int ^A ; x y "
    error[E0001] /a.h:1: illegal character (0x01)
    error[E0002] /main.c:4: end of file in a string
    "#);
}

#[test]
fn macros_defined_are_listed() {
    let pp = run_with(&[("/main.c", "#define A 1\n#define F(x) x\n")], &config());
    let names: Vec<(&str, bool, u32)> = pp
        .macros_defined
        .iter()
        .map(|m| {
            (
                m.name.as_str(),
                m.function_like,
                pp.sources.line_col(m.span).0,
            )
        })
        .collect();
    assert_eq!(names, vec![("A", false, 1), ("F", true, 2)]);
}

#[test]
fn default_packages_match_a_linux_build() {
    let packages = default_packages();
    assert!(packages.contains(&"core".to_string()));
    assert!(packages.contains(&"sockets".to_string()));
    assert!(!packages.contains(&"dwlib".to_string()));
    assert!(!packages.contains(&"jsbridge".to_string()));
    assert!(!packages.contains(&"ffi".to_string()));
    assert!(packages.contains(&"json".to_string()));
}

#[test]
fn preprocess_text_uses_the_given_text() {
    let provider = MemoryProvider::new()
        .with("/w/x.c", "on disk")
        .with("/w/h.h", "header");
    let pp = preprocess_text(
        &provider,
        "w/./x.c",
        Arc::from("#include \"h.h\"\nbuffer"),
        &config(),
    );
    assert_eq!(render(&pp), "header buffer");
    assert_eq!(pp.sources.name(pp.main_file), "/w/x.c");
    assert_eq!(pp.includes.len(), 1);
}

/// A host that answers every `#include` from a fixed table and records
/// what it was asked.
struct TableHook {
    answers: Vec<(&'static str, IncludeAnswer)>,
    asked: Vec<String>,
}

impl IncludeHook for TableHook {
    fn include(&mut self, compiled: &str, from: &str, path: &str) -> IncludeAnswer {
        self.asked.push(format!("{compiled} {from} {path}"));
        self.answers
            .iter()
            .find(|(name, _)| *name == path)
            .map_or(IncludeAnswer::Default, |(_, answer)| answer.clone())
    }
}

#[test]
fn include_hook_redirects_supplies_and_refuses() {
    let provider = MemoryProvider::new()
        .with("/include/real.h", "from_real")
        .with("/d/outer.h", "#include \"ghost.h\"\nouter_done")
        .with("/d/kept.h", "kept")
        .with("/d/no.h", "never_read");
    let mut hook = TableHook {
        answers: vec![
            ("ghost.h", IncludeAnswer::Path("/include/real.h".into())),
            ("made.h", IncludeAnswer::Text("#define MADE 5\nMADE".into())),
            ("no.h", IncludeAnswer::Refuse("no.h is not allowed".into())),
        ],
        asked: Vec::new(),
    };
    let src =
        "#include \"outer.h\"\n#include \"made.h\"\n#include \"kept.h\"\n#include \"no.h\"\nend";
    let pp = preprocess_with_hook(
        &provider,
        "/d/main.c",
        Arc::from(src),
        &config(),
        Some(&mut hook),
    );
    insta::assert_snapshot!(render(&pp), @"
    from_real outer_done 5 kept end
    error[E0223] /d/main.c:4: no.h is not allowed
    ");
    assert_eq!(
        hook.asked,
        [
            "/d/main.c /d/main.c outer.h",
            "/d/main.c /d/outer.h ghost.h",
            "/d/main.c /d/main.c made.h",
            "/d/main.c /d/main.c kept.h",
            "/d/main.c /d/main.c no.h",
        ]
    );
}

#[test]
fn include_hook_sees_the_global_include() {
    let provider = MemoryProvider::new().with("/include/globals.h", "global_text");
    let mut refuse = TableHook {
        answers: vec![("globals.h", IncludeAnswer::Refuse("refused".into()))],
        asked: Vec::new(),
    };
    let config = PreprocessConfig {
        global_include: Some("<globals.h>".into()),
        ..config()
    };
    let pp = preprocess_with_hook(
        &provider,
        "/main.c",
        Arc::from("body"),
        &config,
        Some(&mut refuse),
    );
    insta::assert_snapshot!(render(&pp), @"
    body
    error[E0223] /main.c:1: refused
    ");
}

/// `#define M0 M1`, `#define M1 M2`, ... down to `#define M<depth> 7`,
/// then `value M0`.
fn macro_chain(depth: usize) -> String {
    let mut src = String::new();
    for i in 0..depth {
        src.push_str(&format!("#define M{i} M{}\n", i + 1));
    }
    src.push_str(&format!("#define M{depth} 7\nvalue M0\n"));
    src
}

#[test]
fn long_macro_chains_expand_up_to_the_cap() {
    let pp = run_with(&[("/main.c", &macro_chain(65_000))], &config());
    assert!(pp.diagnostics.is_empty(), "{:?}", pp.diagnostics);
    assert_eq!(render(&pp), "value 7");
    let pp = run_with(&[("/main.c", &macro_chain(65_600))], &config());
    assert!(
        pp.diagnostics
            .iter()
            .any(|d| d.is_error() && d.message == "macro expansion nested too deep"),
        "{:?}",
        pp.diagnostics
    );
}
