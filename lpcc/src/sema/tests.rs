//! Tests of the pieces the corpus cannot show: the shared inherit cache and
//! the simul_efun file.

use std::sync::Arc;

use crate::check::{CheckConfig, CommandLineSettings, check_file};
use crate::source::MemoryProvider;

/// Checks `path` and lists its diagnostics, `line code message`, one a line.
fn check(provider: &MemoryProvider, config: &CheckConfig, path: &str, expect: &str) {
    let report = check_file(provider, path, config);
    let actual: Vec<String> = report
        .diagnostics
        .iter()
        .map(|d| {
            let (line, _) = report.sources.line_col(d.span());
            format!("{line} {} {}", d.code, d.message)
        })
        .collect();
    assert_eq!(actual.join("\n"), expect.trim(), "{path}");
}

fn config() -> CheckConfig {
    let mut config = CheckConfig::new(None, &CommandLineSettings::default());
    config.simul_efun_file = Some("/secure/simul".to_string());
    config
}

#[test]
fn inherited_files_are_summarised_once() {
    let provider = MemoryProvider::new()
        .with("/std/object.c", "int query_id() { return 1; }\n")
        .with(
            "/a.c",
            "inherit \"/std/object\";\nint f() { return query_id(); }\n",
        )
        .with(
            "/b.c",
            "inherit \"/std/object.c\";\nint g() { return query_id(); }\n",
        );
    let config = config();
    check(&provider, &config, "/a.c", "");
    check(&provider, &config, "/b.c", "");
    // The object and the (missing) simul_efun file's lookups: only the
    // object was summarised, and only once.
    assert_eq!(config.inherit_cache.len(), 1);
    let shared = Arc::clone(&config.inherit_cache);
    assert!(shared.get("/std/object.c").is_some());
}

#[test]
fn simul_efuns_shadow_efuns_and_efun_scope_bypasses_them() {
    let provider = MemoryProvider::new()
        .with(
            "/secure/simul.c",
            "varargs int strlen(mixed s) { return 0; }\n",
        )
        .with(
            "/user.c",
            "int f() {\n  return strlen(1, 2) + efun::strlen(1);\n}\n",
        );
    check(
        &provider,
        &config(),
        "/user.c",
        "2 E0315 bad argument 1 to `strlen`: expected `string`, found `int`",
    );
}

/// Resolves `/a.c` and lists each name use, `line:col name binding`, one a line.
fn resolve(provider: &MemoryProvider, expect: &str) {
    use crate::parser::{ParseOptions, parse};
    use crate::preprocess::preprocess_text;
    use crate::sema::{SemaEnv, resolve_program};
    use crate::source::SourceProvider;

    let config = config();
    let preprocess = config.preprocess_config();
    let options = ParseOptions::default();
    let text = provider.read("/a.c").expect("the fixture has /a.c");
    let pre = preprocess_text(provider, "/a.c", text, &preprocess);
    let (program, _) = parse(&pre.tokens, &pre.sources, &options);
    let env = SemaEnv {
        provider,
        preprocess: &preprocess,
        parse: &options,
        efuns: config.efun_table.as_deref(),
        simul_efun_file: config.simul_efun_file.as_deref(),
        cache: &config.inherit_cache,
    };
    let resolved = resolve_program(&env, "/a.c", &program, &pre);
    let mut uses = resolved.uses.clone();
    uses.sort_by_key(|u| u.span.start);
    let actual: Vec<String> = uses
        .iter()
        .map(|u| {
            let (line, col) = pre.sources.line_col(u.span);
            let binding = match &u.binding {
                crate::sema::Binding::Local { decl } => {
                    let (l, c) = pre.sources.line_col(*decl);
                    format!("local@{l}:{c}")
                }
                other => format!("{other:?}"),
            };
            let decl = if u.declaration { " (decl)" } else { "" };
            format!("{line}:{col} {} {binding}{decl}", u.name)
        })
        .collect();
    assert_eq!(actual.join("\n"), expect.trim());
}

#[test]
fn names_resolve_to_their_declarations() {
    let provider = MemoryProvider::new()
        .with(
            "/std/base.c",
            "int hp;\nvoid heal(int n) { hp += n; }\nclass pt { int x; }\n",
        )
        .with("/secure/simul.c", "void shout(string s) {}\n")
        .with(
            "/a.c",
            "inherit \"/std/base\";\nint n;\nvoid heal(int n) {\n  ::heal(n);\n  hp = n;\n}\nvoid f(class pt p) {\n  heal(p->x);\n  shout(\"x\");\n  write(efun::sprintf(\"%d\", n));\n  function g = (: heal :);\n}\n",
        );
    resolve(
        &provider,
        r#"
2:5 n Global { origin: None } (decl)
3:6 heal Function { origin: None } (decl)
3:15 n local@3:15 (decl)
4:5 heal Function { origin: Some("/std/base.c") }
4:10 n local@3:15
5:3 hp Global { origin: Some("/std/base.c") }
5:8 n local@3:15
7:6 f Function { origin: None } (decl)
7:17 p local@7:17 (decl)
8:3 heal Function { origin: None }
8:8 p local@7:17
8:11 x Member { class: "pt" }
9:3 shout SimulEfun
10:3 write Efun
10:15 sprintf Efun
10:29 n Global { origin: None }
11:12 g local@11:12 (decl)
11:19 heal Function { origin: None }
"#,
    );
}

#[test]
fn redefinitions_with_another_return_type_are_warned() {
    let provider = MemoryProvider::new()
        .with("/odd%sname.c", "int probe() { return 1; }\nint same() { return 2; }\n")
        .with(
            "/heir.c",
            "inherit \"/odd%sname\";\nstring probe() { return \"x\"; }\nfloat same() { return 2.0; }\n",
        );
    check(
        &provider,
        &config(),
        "/heir.c",
        "2 W0306 function `probe` inherited from `/odd%sname.c` does not match the current function in return type (int vs string)",
    );
}
