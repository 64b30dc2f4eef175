//! The `lpcc` binary end to end: small mudlibs made in temporary directories,
//! checked the way a user or CI would run it.
#![allow(clippy::disallowed_methods)]

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;
use tempfile::TempDir;

/// A temporary directory holding `files` (path, contents).
fn tree(files: &[(&str, &[u8])]) -> TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (path, bytes) in files {
        let host = dir.path().join(path);
        fs::create_dir_all(host.parent().expect("a parent")).expect("directories");
        fs::write(host, bytes).expect("a file");
    }
    dir
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `lpcc` in `cwd`, its output captured (so never on a terminal).
fn lpcc(cwd: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_lpcc"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("lpcc runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

const CLEAN: &[u8] = b"int x = 1;\n";
/// An illegal character on line 2, column 9, and an unterminated string on line 3.
const BROKEN: &[u8] = b"int a;\nint y = \\;\nstring s = \"open\n";

fn config(mudlib: &str) -> String {
    format!(
        "# test driver\nname : test\nmudlib directory : {mudlib}   # relative\n\
         include directories : /include:/sys\nglobal include file : <globals.h>\n\
         master file : /secure/master\n"
    )
}

#[test]
fn clean_files_exit_zero() {
    let dir = tree(&[("a.c", CLEAN), ("d/b.lpc", CLEAN)]);
    let run = lpcc(dir.path(), &["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "0 errors, 0 warnings in 2 files\n");
    assert_eq!(run.stderr, "");
}

#[test]
fn errors_exit_one_with_carets() {
    let dir = tree(&[("std/room.c", BROKEN), ("ok.c", CLEAN)]);
    let run = lpcc(dir.path(), &["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let out = &run.stdout;
    assert!(
        out.contains("error[E0001]: illegal character '\\'"),
        "{out}"
    );
    assert!(out.contains("┌─ /std/room.c:2:9"), "{out}");
    assert!(out.contains("2 │ int y = \\;\n  │         ^"), "{out}");
    assert!(out.contains("┌─ /std/room.c:3:12"), "{out}");
    assert!(out.ends_with("2 errors, 0 warnings in 2 files\n"), "{out}");
    assert!(!out.contains('\x1b'), "no colours when piped: {out:?}");
}

#[test]
fn bad_usage_exits_two() {
    let dir = tree(&[
        ("a.c", CLEAN),
        ("etc/bad", b"mudlib directory : .\n : no key here\n"),
    ]);
    let cases: &[(&[&str], &str)] = &[
        (&["check", "--format", "xml"], "invalid value 'xml'"),
        (&["check", "-D", "9LIVES"], "is not a macro definition"),
        (
            &["check", "--config", "missing.cfg"],
            "cannot read config `missing.cfg`",
        ),
        (
            &["check", "--config", "etc/bad"],
            "etc/bad:2: missing key before `:`",
        ),
        (&["check", "nothing.c"], "cannot read `nothing.c`"),
        (&["frobnicate"], "unrecognized subcommand"),
    ];
    for (args, message) in cases {
        let run = lpcc(dir.path(), args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{args:?}");
    }
}

#[test]
fn config_errors_name_the_file_and_line() {
    let dir = tree(&[
        ("no-mudlib", b"name : x\nmudlib directory :\n"),
        ("bad-lib", b"mudlib directory : nowhere\n"),
        (
            "bad-include",
            b"mudlib directory : .\n\ninclude directories : /a:../b\n",
        ),
    ]);
    let expect = [
        (
            "no-mudlib",
            "error: no-mudlib: missing required key `mudlib directory`",
        ),
        (
            "bad-lib",
            "error: cannot open the mudlib directory `nowhere`",
        ),
        (
            "bad-include",
            "error: bad-include:3: include directory `../b` must not contain `..`",
        ),
    ];
    for (file, message) in expect {
        let run = lpcc(dir.path(), &["check", "--config", file]);
        assert_eq!(run.code, 2, "{file}: {}", run.stderr);
        assert!(run.stderr.contains(message), "{file}: {}", run.stderr);
    }
}

#[test]
fn config_warnings_do_not_stop_the_check() {
    let dir = tree(&[
        ("lib/a.c", CLEAN),
        ("cfg", b"mudlib directory : lib\nmudlib directory : other\n"),
    ]);
    let run = lpcc(dir.path(), &["check", "--config", "cfg"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "warning: cfg:2: `mudlib directory` is already set on line 1; this line is ignored\n"
    );
    assert_eq!(run.stdout, "0 errors, 0 warnings in 1 file\n");
}

#[test]
fn relative_mudlib_directory_is_taken_from_the_current_directory() {
    let dir = tree(&[
        ("game/lib/std/room.c", BROKEN),
        ("game/etc/config", config("lib").as_bytes()),
        ("game/etc/other", config("../lib").as_bytes()),
    ]);
    let game = dir.path().join("game");
    let run = lpcc(&game, &["check", "--config", "etc/config"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("/std/room.c:2:9"), "{}", run.stdout);

    // From another directory, the same relative path means something else.
    let run = lpcc(&game.join("etc"), &["check", "--config", "config"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("cannot open the mudlib directory `lib`"),
        "{}",
        run.stderr
    );
    let run = lpcc(&game.join("etc"), &["check", "--config", "other"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
}

#[test]
fn json_output() {
    let dir = tree(&[
        ("lib/z.c", b"int \\;\n"),
        ("lib/std/room.c", BROKEN),
        ("lib/ok.lpc", CLEAN),
        ("lib/include/globals.h", b"// included before every file\n"),
        ("etc/config", config("lib").as_bytes()),
    ]);
    let run = lpcc(
        dir.path(),
        &["check", "--config", "etc/config", "--format", "json"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    let doc: Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    assert_eq!(doc["files_checked"], 3);
    let diagnostics = doc["diagnostics"].as_array().expect("an array");
    let shown: Vec<String> = diagnostics
        .iter()
        .map(|d| {
            format!(
                "{} {}:{}-{}:{} {} {} {}",
                d["file"].as_str().unwrap_or("?"),
                d["line"],
                d["column"],
                d["end_line"],
                d["end_column"],
                d["severity"].as_str().unwrap_or("?"),
                d["code"].as_str().unwrap_or("?"),
                d["message"].as_str().unwrap_or("?"),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            "/std/room.c 2:9-2:10 error E0001 illegal character '\\'",
            "/std/room.c 3:12-3:13 error E0002 end of file in a string",
            "/z.c 1:5-1:6 error E0001 illegal character '\\'",
        ]
    );
    for d in diagnostics {
        let keys: Vec<&str> = d
            .as_object()
            .expect("an object")
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(keys.len(), 8, "{keys:?}");
    }
}

#[test]
fn json_output_when_clean() {
    let dir = tree(&[("a.c", CLEAN)]);
    let run = lpcc(dir.path(), &["check", "--format", "json"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, "{\"files_checked\":1,\"diagnostics\":[]}\n");
}

#[test]
fn github_output_uses_paths_from_the_current_directory() {
    let dir = tree(&[
        ("lib/std/room.c", BROKEN),
        ("lib/include/globals.h", b"// included before every file\n"),
        ("etc/config", config("lib").as_bytes()),
    ]);
    let run = lpcc(
        dir.path(),
        &["check", "--config", "etc/config", "--format", "github"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "::error file=lib/std/room.c,line=2,col=9,endLine=2,endColumn=10,title=E0001::\
         illegal character '\\'\n\
         ::error file=lib/std/room.c,line=3,col=12,endLine=3,endColumn=13,title=E0002::\
         end of file in a string\n"
    );
}

#[test]
fn paths_select_files_and_directories() {
    let dir = tree(&[
        ("a.c", BROKEN),
        ("d/b.c", CLEAN),
        ("d/c.lpc", CLEAN),
        ("d/notes.txt", b"not LPC \\"),
        ("d/e.h", b"\\"),
        ("d/sub/f.c", CLEAN),
        ("d/.hidden/g.c", BROKEN),
        ("x.h", CLEAN),
    ]);
    let run = lpcc(dir.path(), &["check", "d"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.stdout, "0 errors, 0 warnings in 3 files\n");

    let run = lpcc(dir.path(), &["check", "--format", "json"]);
    let doc: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(doc["files_checked"], 4, "a.c, d/b.c, d/c.lpc, d/sub/f.c");

    // A file named explicitly is checked whatever its name; repeats count once.
    let run = lpcc(dir.path(), &["check", "x.h", "./x.h", "d/sub"]);
    assert_eq!(run.stdout, "0 errors, 0 warnings in 2 files\n");
    let run = lpcc(&dir.path().join("d"), &["check", "e.h"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("┌─ /e.h:1:1"), "{}", run.stdout);
}

#[test]
fn paths_must_be_inside_the_mudlib() {
    let dir = tree(&[
        ("lib/a.c", CLEAN),
        ("outside.c", CLEAN),
        ("cfg", b"mudlib directory : lib\n"),
    ]);
    let run = lpcc(dir.path(), &["check", "--config", "cfg", "outside.c"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("`outside.c` is outside the mudlib directory"),
        "{}",
        run.stderr
    );
    let run = lpcc(dir.path(), &["check", "--config", "cfg", "lib/a.c"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn invalid_utf8_is_read_lossily() {
    let dir = tree(&[("a.c", b"// caf\xe9\nint \\;\n")]);
    let run = lpcc(dir.path(), &["check", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(doc["diagnostics"][0]["line"], 2);
    assert_eq!(doc["diagnostics"][0]["code"], "E0001");
}

#[test]
fn include_and_define_options_are_accepted() {
    let dir = tree(&[("a.c", CLEAN)]);
    let run = lpcc(
        dir.path(),
        &[
            "check", "-I", "/include", "-Isys", "-DDEBUG", "-D", "LEVEL=3",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn version_and_help() {
    let dir = tree(&[]);
    let run = lpcc(dir.path(), &["--version"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, format!("lpcc {}\n", env!("CARGO_PKG_VERSION")));
    let run = lpcc(dir.path(), &["help", "check"]);
    assert_eq!(run.code, 0);
    for option in [
        "--config",
        "-I",
        "-D",
        "--format",
        "[PATH]...",
        "Exit status",
    ] {
        assert!(run.stdout.contains(option), "{option}: {}", run.stdout);
    }
}

#[test]
fn many_files_in_parallel_keep_their_order() {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..60 {
        let text = if i % 7 == 0 { BROKEN } else { CLEAN };
        files.push((format!("d{}/f{i:02}.c", i % 3), text.to_vec()));
    }
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_slice()))
        .collect();
    let dir = tree(&borrowed);
    let first = lpcc(dir.path(), &["check", "--format", "json"]);
    assert_eq!(first.code, 1);
    let doc: Value = serde_json::from_str(&first.stdout).expect("JSON");
    assert_eq!(doc["files_checked"], 60);
    assert_eq!(doc["diagnostics"].as_array().map(Vec::len), Some(18));
    assert_eq!(
        first.stderr, "",
        "no progress bar when stderr is not a terminal"
    );
    for _ in 0..3 {
        assert_eq!(
            lpcc(dir.path(), &["check", "--format", "json"]).stdout,
            first.stdout
        );
    }
}

#[test]
fn invalid_utf8_is_refused_in_literals_only() {
    let dir = tree(&[
        (
            "a.c",
            b"// caf\xe9 in a comment is fine\nstring s = \"ok\";\nstring t = \"caf\xe9\";\n",
        ),
        (
            "b.c",
            "string u = \"\u{FFFD} written on purpose\";\n".as_bytes(),
        ),
    ]);
    let run = lpcc(dir.path(), &["check", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let found: Vec<String> = doc["diagnostics"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|d| format!("{} {} {}", d["file"], d["line"], d["code"]))
        .collect();
    assert_eq!(found, ["\"/a.c\" 3 \"E0008\""]);
}

#[test]
fn build_options_in_the_config_change_the_language_and_the_efuns() {
    let source: &[u8] = b"static int counter;\nstring array names = ({ \"a\" });\narray things = ({ });\n\
void f() {\n    set_this_player(0);\n    ed_start(\"/x\");\n    counter = sizeof(names) + sizeof(things);\n}\n";
    let options =
        "array reserved word : 1\nsensible modifiers : 0\nold ed : 0\nno add action : 1\n";
    let dir = tree(&[
        ("lib/a.c", source),
        (
            "lib/b.c",
            b"void g() {\n    set_this_player(0);\n    ed_start(\"/x\");\n}\n",
        ),
        ("stock", b"mudlib directory : lib\n"),
        (
            "tuned",
            format!("mudlib directory : lib\n{options}").as_bytes(),
        ),
    ]);
    let tuned = lpcc(dir.path(), &["check", "--config", "tuned"]);
    assert_eq!(tuned.code, 0, "{}{}", tuned.stdout, tuned.stderr);
    let stock = lpcc(
        dir.path(),
        &["check", "--config", "stock", "--format", "json"],
    );
    assert_eq!(stock.code, 1, "{}", stock.stderr);
    let doc: Value = serde_json::from_str(&stock.stdout).expect("JSON");
    let errors: Vec<String> = doc["diagnostics"]
        .as_array()
        .expect("an array")
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| format!("{}:{}", d["file"].as_str().unwrap_or("?"), d["line"]))
        .collect();
    // `static` and `array` are syntax errors in a stock build; the efuns of
    // `b.c` do not exist there.
    for place in ["/a.c:1", "/a.c:2", "/b.c:2", "/b.c:3"] {
        assert!(errors.iter().any(|e| e == place), "{place}: {errors:?}");
    }
}

#[test]
fn without_config_the_workspace_configuration_is_found() {
    // A driver config in etc/: its mudlib directory and include directories apply.
    let dir = tree(&[
        (
            "etc/config.mud",
            b"mudlib directory : lib\ninclude directories : /inc\n",
        ),
        ("lib/inc/defs.h", b"#define GREETING \"hi\"\n"),
        ("lib/a.c", b"#include <defs.h>\nstring s = GREETING;\n"),
    ]);
    let run = lpcc(dir.path(), &["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "0 errors, 0 warnings in 1 file\n");

    // lpc-config.json: include directories and defines.
    let dir = tree(&[
        (
            "lpc-config.json",
            b"{ // as other LPC editor tooling writes it\n \"include\": [\"/sys\"],\n \"defines\": {\"LEVEL\": \"3\"},\n}\n",
        ),
        ("sys/defs.h", b"#define GREETING \"hi\"\n"),
        ("a.c", b"#include <defs.h>\nstring s = GREETING;\nint n = LEVEL;\n"),
    ]);
    let run = lpcc(dir.path(), &["check", "a.c"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}
