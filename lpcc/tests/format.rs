//! The formatter on real code: every file of the LPC corpus, the sample
//! mudlib and the benchmark programs is formatted twice; the second pass
//! must change nothing, and the formatted file must lex to the same tokens,
//! parse to the same tree and get the same diagnostics as the original.
//! Snapshots show the layout of each construct on deliberately messy input.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};

use lpcc::check::{CheckConfig, CommandLineSettings, check_file};
use lpcc::format::{
    FormatError, FormatOptions, format_preserving, format_range, format_source, preserve,
};
use lpcc::lexer::tokenize;
use lpcc::parser::{ParseOptions, dump_program, parse};
use lpcc::preprocess::preprocess_text;
use lpcc::source::MemoryProvider;
use lpcc::span::FileId;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every file under `root`, keyed by mudlib path.
fn load_tree(root: &Path) -> MemoryProvider {
    let mut provider = MemoryProvider::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("a readable directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let rel = path.strip_prefix(root).expect("inside the tree");
            provider.insert(&format!("/{}", rel.to_string_lossy()), &text);
        }
    }
    provider
}

fn config(global_include: Option<&str>) -> CheckConfig {
    let mut config = CheckConfig::new(None, &CommandLineSettings::default());
    config.include_dirs = vec!["/include".to_string()];
    config.global_include = global_include.map(str::to_string);
    config
}

/// What formatting a tree of files found.
#[derive(Default)]
struct Outcome {
    formatted: usize,
    refused: Vec<String>,
    failures: Vec<String>,
}

/// The tokens of a text as (kind, text), without comments and whitespace.
fn tokens(text: &str) -> Vec<String> {
    tokenize(text, FileId(0))
        .0
        .iter()
        .map(|t| format!("{:?} {}", t.kind, &text[t.span.range()]))
        .collect()
}

/// What the formatted text must keep, found the same way as for the original.
fn preserve_again(
    provider: &MemoryProvider,
    path: &str,
    text: &str,
    config: &CheckConfig,
) -> lpcc::format::Preserve {
    let pre = preprocess_text(provider, path, text.into(), &config.preprocess_config());
    preserve(&pre)
}

fn tree_and_diagnostics(
    provider: &MemoryProvider,
    path: &str,
    config: &CheckConfig,
) -> (String, Vec<String>) {
    let text = provider.files[path].clone();
    let pre = preprocess_text(provider, path, text, &config.preprocess_config());
    let (program, _) = parse(&pre.tokens, &pre.sources, &ParseOptions::default());
    let report = check_file(provider, path, config);
    let mut diagnostics: Vec<String> = report
        .diagnostics
        .iter()
        .map(|d| format!("{} {}", d.code, d.message))
        .collect();
    diagnostics.sort();
    (dump_program(&program), diagnostics)
}

/// Formats every `.c`/`.lpc` file of `provider` whose path starts with
/// `prefix` and checks that meaning and layout are stable.
fn format_tree(provider: &MemoryProvider, prefix: &str, config: &CheckConfig) -> Outcome {
    let options = FormatOptions::default();
    let mut paths: Vec<&String> = provider
        .files
        .keys()
        .filter(|p| p.starts_with(prefix) && (p.ends_with(".c") || p.ends_with(".lpc")))
        .collect();
    paths.sort();
    let mut outcome = Outcome::default();
    for path in paths {
        let original = &provider.files[path];
        let pre = preprocess_text(
            provider,
            path,
            original.clone(),
            &config.preprocess_config(),
        );
        let preserve = preserve(&pre);
        let once = match format_preserving(original, &options, &preserve) {
            Ok(text) => text,
            Err(error) => {
                outcome.refused.push(format!("{path}: {error}"));
                continue;
            }
        };
        outcome.formatted += 1;
        let twice = format_preserving(
            &once,
            &options,
            &preserve_again(provider, path, &once, config),
        );
        if twice.as_ref() != Ok(&once) {
            outcome
                .failures
                .push(format!("{path}: a second pass changes it"));
        }
        if tokens(original) != tokens(&once) {
            outcome.failures.push(format!("{path}: tokens differ"));
        }
        let mut changed = provider.clone();
        changed.insert(path, &once);
        let before = tree_and_diagnostics(provider, path, config);
        let after = tree_and_diagnostics(&changed, path, config);
        if before.0 != after.0 {
            outcome
                .failures
                .push(format!("{path}: syntax tree differs"));
        }
        if before.1 != after.1 {
            outcome.failures.push(format!(
                "{path}: diagnostics differ:\n  before {:?}\n  after  {:?}",
                before.1, after.1
            ));
        }
    }
    outcome
}

#[test]
fn corpus_formats_without_changing_meaning() {
    let provider = load_tree(&repo().join("tests/lpc"));
    let outcome = format_tree(&provider, "/ok/", &config(None));
    assert!(outcome.formatted >= 15, "corpus went missing");
    assert_eq!(outcome.failures, Vec::<String>::new());
    assert_eq!(outcome.refused, Vec::<String>::new());
}

#[test]
fn sample_mudlib_formats_without_changing_meaning() {
    let provider = load_tree(&repo().join("tests/sample-mudlib"));
    let outcome = format_tree(&provider, "/", &config(Some("<globals.h>")));
    assert!(outcome.formatted >= 10, "sample mudlib went missing");
    assert_eq!(outcome.failures, Vec::<String>::new());
    assert_eq!(outcome.refused, Vec::<String>::new());
}

/// The benchmark programs live beside the repository; without them there
/// is nothing to run.
#[test]
fn benchmark_programs_format_without_changing_meaning() {
    let dir = repo().join("../shared/bench/bench");
    if !dir.is_dir() {
        eprintln!("skipped: no benchmark programs at {}", dir.display());
        return;
    }
    let provider = load_tree(&dir);
    let outcome = format_tree(&provider, "/", &config(None));
    assert!(outcome.formatted > 0);
    assert_eq!(outcome.failures, Vec::<String>::new());
    assert_eq!(outcome.refused, Vec::<String>::new());
}

/// A whole external suite, e.g. `LPCC_FORMAT_SUITE=/path/to/testsuite cargo
/// test --test format -- --ignored`: refusals are listed, changes of
/// meaning fail.
#[test]
#[ignore = "needs LPCC_FORMAT_SUITE"]
fn external_suite_formats_without_changing_meaning() {
    let Some(dir) = std::env::var_os("LPCC_FORMAT_SUITE") else {
        panic!("set LPCC_FORMAT_SUITE to a mudlib directory");
    };
    let provider = load_tree(Path::new(&dir));
    let outcome = format_tree(&provider, "/", &config(Some("<globals.h>")));
    for refusal in &outcome.refused {
        eprintln!("refused {refusal}");
    }
    let mut failing: Vec<&str> = outcome
        .failures
        .iter()
        .filter_map(|f| f.split(':').next())
        .collect();
    failing.dedup();
    eprintln!(
        "{} formatted with meaning kept, {} refused, {} changed meaning",
        outcome.formatted - failing.len(),
        outcome.refused.len(),
        failing.len()
    );
    assert_eq!(outcome.failures, Vec::<String>::new());
}

// ---------------------------------------------------------------------------
// Layout of each construct
// ---------------------------------------------------------------------------

/// Formats `src` with the default options; the result must be stable.
fn fmt(src: &str) -> String {
    fmt_with(src, &FormatOptions::default())
}

fn fmt_with(src: &str, options: &FormatOptions) -> String {
    let once = format_source(src, options).expect("formattable");
    let twice = format_source(&once, options).expect("formattable again");
    assert_eq!(once, twice, "a second pass changed the text");
    assert_eq!(tokens(src), tokens(&once));
    once
}

#[test]
fn declarations_and_expressions() {
    insta::assert_snapshot!(fmt(
        "inherit   \"/std/room\" ;\nint   x=1,*y ;\nstatic mapping m=([ \"a\" : 1, \"b\":({1,2}) ]);\n\
         string *arr=({\"a\",\"b\",   \"c\"});\nclass Point { int x; int y; }\n\
         varargs void f(int a,string *b...) ;\nint g(){return -a+ -b*c-(int)d[<1]+e[1..<2]+x?y:z;}\n"
    ));
}

#[test]
fn statements_and_bodies() {
    insta::assert_snapshot!(fmt(
        "void create()\n{\nif(x>1) return;\nelse if (x<0)\n{\nx = -x;\n}\nelse\nx++;\n\
         for(int i=0;i<10;i++) { a += ({ i }); }\nwhile(x--) if (y) z(); else w();\n\
         foreach(string k, int v in m) write(k+v);\ndo { x--; } while(x > 0);\ndo x++; while (x < 3);\n\
         for(;;);\n{ nested(); }\n}\n"
    ));
}

#[test]
fn switch_and_case_labels() {
    insta::assert_snapshot!(fmt(
        "void f(int x){switch(x){case 1: x=2; break;\ncase 2..3: {\ny();\n}\ncase -1: case 'a':\n\
         return;\ndefault: x = x ? 1 : 2;}}\n"
    ));
}

#[test]
fn function_pointers_and_closures() {
    insta::assert_snapshot!(fmt(
        "void f(){call_out((: foo, 1 :),2);map(a,(:$1+$(x):));\nf=function(int a){return a*2;};\n\
         filter(a, function(int i) { return i > 1; });\nx = catch(foo());\n\
         y = new(class Point, x: 1, y: 2);\n::create();\nob->query(\"x\")->y;\nz = efun::sizeof(a);\n}\n"
    ));
}

#[test]
fn comments_stay_where_they_were() {
    insta::assert_snapshot!(fmt(
        "/* header\n   * more */\n// leading\nint x;   // trailing\nvoid f() {   \n\
         // inside\n  foo(/* inline */ 1);\n        /* block\n         * aligned\n         */\n\
         if (x) // why\n  y();\n  // before the brace\n}\n"
    ));
}

#[test]
fn directives_text_blocks_and_templates_keep_their_text() {
    insta::assert_snapshot!(fmt(
        "#include <std.h>\n#define TWICE(x) \\\n   ((x)+(x))\nvoid f() {\n#ifdef DEBUG\n  debug();\n\
         #else\n    quiet();\n#endif\nstring s = @END\n  keep   this  \nEND;\n\
         string *l = @@LINES\n a\n  b\nLINES;\nstring t = `a ${ x+1 } b`;\n#if 0\n  this \" does not lex\n\
         #endif\n}\n"
    ));
}

#[test]
fn blank_lines_are_kept_up_to_a_limit() {
    insta::assert_snapshot!(fmt(
        "\n\nint a;\n\n\n\n\nint b;\nvoid f() {\n\n  x();\n\n\n  y();\n\n}\n\n\n"
    ));
}

#[test]
fn user_line_breaks_inside_expressions_are_kept() {
    insta::assert_snapshot!(fmt(
        "void f() {\nstring *a = ({\n\"one\",\n    \"two\",\n});\ncall_other(ob, \"fun\",\n  1, 2);\n\
         x = a +\nb;\nif (a &&\n b) {\nc();\n}\n}\n"
    ));
}

#[test]
fn brace_style_is_normalised_across_branches() {
    // Both branches open the function: the body is indented once.
    insta::assert_snapshot!(fmt(
        "#ifdef OLD\nvoid f(int a)\n{\n#else\nvoid f()\n{\n#endif\nreturn;\n}\n"
    ));
}

#[test]
fn options_choose_the_indentation() {
    let src = "void f(){if(x){y();}}\n";
    let tabs = FormatOptions {
        use_tabs: true,
        ..FormatOptions::default()
    };
    assert_eq!(
        fmt_with(src, &tabs),
        "void f() {\n\tif (x) {\n\t\ty();\n\t}\n}\n"
    );
    let two = FormatOptions {
        indent_width: 2,
        ..FormatOptions::default()
    };
    assert_eq!(
        fmt_with(src, &two),
        "void f() {\n  if (x) {\n    y();\n  }\n}\n"
    );
}

#[test]
fn layout_that_carries_meaning_is_kept() {
    // `__LINE__` values depend on the lines: every token keeps its line.
    let src = "void f() { int a = __LINE__;\n  if (x) y(); }\n";
    assert_eq!(
        fmt(src),
        "void f() { int a = __LINE__;\n    if (x) y(); }\n"
    );
    // Arguments of a macro that stringizes keep their spacing.
    let src = "#define STR(x) #x\nstring s = STR(1+2);\nint y=1+2;\n";
    assert_eq!(
        fmt(src),
        "#define STR(x) #x\nstring s = STR(1+2);\nint y = 1 + 2;\n"
    );
    // Tokens that would run together keep a space between them.
    assert_eq!(fmt("int x = a - -b + - -c;\n"), "int x = a - -b + - -c;\n");
    assert_eq!(fmt("int x = a / *p;\n"), "int x = a / *p;\n");
}

#[test]
fn crlf_files_stay_crlf() {
    assert_eq!(
        fmt("int f(){\r\nreturn 1;// one\r\n}\r\n"),
        "int f() {\r\n    return 1; // one\r\n}\r\n"
    );
}

#[test]
fn text_that_does_not_lex_is_refused() {
    let options = FormatOptions::default();
    for src in [
        "string s = \"open\n",
        "int a; /* open",
        "x = @END\nno end",
        "a # b;",
    ] {
        assert!(
            matches!(format_source(src, &options), Err(FormatError::Lex { .. })),
            "{src:?}"
        );
    }
    assert_eq!(format_source("", &options), Ok(String::new()));
}

#[test]
fn range_formatting_touches_only_the_range() {
    let src = "void f() {\nx=1;\n     y=2;\nz=3;\n}\n";
    let start = src.find("y=2").unwrap();
    let edit = format_range(
        src,
        start..start + 3,
        &FormatOptions::default(),
        &Default::default(),
    )
    .unwrap()
    .unwrap();
    let mut out = src.to_string();
    out.replace_range(edit.range.clone(), &edit.new_text);
    assert_eq!(out, "void f() {\nx=1;\n    y = 2;\nz=3;\n}\n");
    let formatted = fmt(src);
    let again = format_range(
        &formatted,
        0..formatted.len(),
        &FormatOptions::default(),
        &Default::default(),
    );
    assert_eq!(again, Ok(None));
}

/// Runs `lpcc` in `cwd`: exit code and standard output.
fn lpcc(cwd: &Path, args: &[&str]) -> (i32, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_lpcc"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("lpcc runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn lpcc_fmt_checks_and_rewrites_files() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let messy = "int f(){return 1;}\n";
    let tidy = "int f() {\n    return 1;\n}\n";
    std::fs::create_dir_all(dir.path().join("d")).expect("a directory");
    std::fs::write(dir.path().join("d/a.c"), messy).expect("a file");
    std::fs::write(dir.path().join("b.c"), tidy).expect("a file");
    std::fs::write(dir.path().join("bad.c"), "string s = \"open\n").expect("a file");

    let (code, out) = lpcc(dir.path(), &["fmt", "--check", "d", "b.c"]);
    assert_eq!((code, out.trim()), (1, "d/a.c"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("d/a.c")).expect("read"),
        messy
    );

    let (code, _) = lpcc(dir.path(), &["fmt", "d", "b.c"]);
    assert_eq!(code, 0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("d/a.c")).expect("read"),
        tidy
    );
    assert_eq!(lpcc(dir.path(), &["fmt", "--check", "d", "b.c"]).0, 0);

    // A file that cannot be formatted is reported and left alone.
    assert_eq!(lpcc(dir.path(), &["fmt"]).0, 1);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("bad.c")).expect("read"),
        "string s = \"open\n"
    );
    assert_eq!(lpcc(dir.path(), &["fmt", "missing.c"]).0, 2);
    assert_eq!(lpcc(dir.path(), &["fmt", "--indent-width", "0"]).0, 2);
}
