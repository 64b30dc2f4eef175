//! Every efun's argument counts agree with the table derived from FluffOS master's specs.
//!
//! `fluffos_arity.txt` holds one section per build configuration; each line is
//! `name min max` with `...` for no maximum. The test loads our specs under the
//! same configuration and lists every efun that is missing, extra or different.

use std::collections::BTreeMap;

use efun_specs::{Origin, SpecOptions, load_all};

const TABLE: &str = include_str!("fluffos_arity.txt");

fn sections() -> BTreeMap<String, BTreeMap<String, (usize, Option<usize>)>> {
    let mut sections = BTreeMap::new();
    let mut current = None;
    for (index, line) in TABLE.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = Some(name.to_string());
            sections.insert(name.to_string(), BTreeMap::new());
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let parsed = match fields.as_slice() {
            [name, min, max] => min.parse().ok().and_then(|min| {
                let max = if *max == "..." {
                    Some(None)
                } else {
                    max.parse().ok().map(Some)
                };
                max.map(|max| (name.to_string(), (min, max)))
            }),
            _ => None,
        };
        let Some((name, arity)) = parsed else {
            panic!("fluffos_arity.txt:{}: malformed line `{line}`", index + 1);
        };
        let Some(section) = current.as_ref().and_then(|c| sections.get_mut(c)) else {
            panic!(
                "fluffos_arity.txt:{}: entry before any [section]",
                index + 1
            );
        };
        section.insert(name, arity);
    }
    sections
}

/// Our default build with what FluffOS's has and ours leaves out: `ffi`.
fn fluffos_build() -> SpecOptions {
    let mut options = SpecOptions::fluffos_default();
    options.packages.push("ffi".to_string());
    options
}

fn options_for(section: &str) -> SpecOptions {
    match section {
        "default" => fluffos_build(),
        "debug" => {
            let mut options = fluffos_build();
            options
                .packages
                .extend(["dwlib".to_string(), "jsbridge".to_string()]);
            let symbols = ["DEBUG", "DEBUGMALLOC", "DEBUGMALLOC_EXTENSIONS"];
            let more = ["PROFILE_FUNCTIONS", "PROFILING", "HAS_MONCONTROL"];
            symbols
                .iter()
                .chain(&more)
                .fold(options, |o, s| o.with_symbol(s))
        }
        "minimal" => {
            let off = ["NO_ADD_ACTION", "NO_ENVIRONMENT", "NO_SNOOP", "NO_RESETS"];
            let more = ["NO_SHADOWS", "NO_WIZARDS", "NO_LIGHT"];
            let options = fluffos_build()
                .without_symbol("OLD_ED")
                .without_symbol("PRIVS");
            off.iter()
                .chain(&more)
                .fold(options, |o, s| o.with_symbol(s))
        }
        other => panic!("fluffos_arity.txt has an unknown section [{other}]"),
    }
}

fn show(arity: (usize, Option<usize>)) -> String {
    let max = arity.1.map_or("...".to_string(), |m| m.to_string());
    format!("{} {max}", arity.0)
}

#[test]
fn arity_matches_fluffos() {
    let sections = sections();
    assert_eq!(
        sections.keys().map(String::as_str).collect::<Vec<_>>(),
        ["debug", "default", "minimal"]
    );
    let mut problems = Vec::new();
    for (section, expected) in &sections {
        let table = match load_all(&options_for(section)) {
            Ok(table) => table,
            Err(err) => panic!("[{section}] specs do not load: {err}"),
        };
        for (name, &arity) in expected {
            match table.get(name) {
                None => problems.push(format!("[{section}] missing: {name} {}", show(arity))),
                Some(efun) if (efun.min_args, efun.max_args) != arity => problems.push(format!(
                    "[{section}] arity differs: {name} FluffOS {} ours {}",
                    show(arity),
                    show((efun.min_args, efun.max_args))
                )),
                Some(_) => {}
            }
        }
        for efun in table.efuns() {
            if efun.origin == Origin::FluffOs && !expected.contains_key(&efun.name) {
                problems.push(format!("[{section}] not in FluffOS: {}", efun.name));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn default_build_has_every_fluffos_name_but_ffi() {
    let sections = sections();
    let callable = sections["default"]
        .keys()
        .filter(|n| !n.starts_with('_'))
        .count();
    assert_eq!(
        callable, 389,
        "a default FluffOS build has 389 callable efun names"
    );
    let table = load_all(&fluffos_build()).expect("default specs load");
    let ours = table
        .callable()
        .filter(|e| e.origin == Origin::FluffOs)
        .count();
    assert_eq!(ours, callable);
    // Our default build leaves out exactly the `ffi` package.
    let default = load_all(&SpecOptions::fluffos_default()).expect("default specs load");
    let missing: Vec<&str> = table
        .callable()
        .map(|e| e.name.as_str())
        .filter(|name| default.get(name).is_none())
        .collect();
    assert!(
        !missing.is_empty() && missing.iter().all(|name| name.starts_with("ffi_")),
        "{missing:?}"
    );
}
