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
