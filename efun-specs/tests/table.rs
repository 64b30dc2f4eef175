//! Loading the embedded package specs: configurations, lookup, switching packages off.

use efun_specs::{
    Origin, PACKAGES, SpecError, SpecOptions, Type, default_packages, load_all, package_macro,
};

fn default_table() -> efun_specs::EfunTable {
    load_all(&SpecOptions::fluffos_default()).expect("default specs load")
}

#[test]
fn every_package_loads_alone() {
    for package in PACKAGES {
        let options = SpecOptions {
            packages: vec![package.name.to_string()],
            ..SpecOptions::fluffos_default()
        };
        if let Err(err) = load_all(&options) {
            panic!("package {} does not load alone: {err}", package.name);
        }
    }
}

#[test]
fn all_packages_load_together() {
    let table = load_all(&SpecOptions::all_packages()).expect("all specs load");
    assert_eq!(table.packages().len(), PACKAGES.len());
}

#[test]
fn default_packages_are_fluffos_linux_defaults_but_ffi_plus_ours() {
    insta::assert_snapshot!(default_packages().join(" "), @"core ops contrib develop async compress crypto db external math matrix mudlib_stats parser pcre sha1 sockets trim uids json http websocket graphql grpc zmqtt");
}

#[test]
fn counts_per_package() {
    let table = default_table();
    let lines: Vec<String> = table
        .packages()
        .iter()
        .map(|p| {
            format!(
                "{p} {}",
                table.in_package(p).filter(|e| !e.internal).count()
            )
        })
        .collect();
    let total = table.callable().count();
    let ours = table
        .callable()
        .filter(|e| e.origin == Origin::Extension)
        .count();
    insta::assert_snapshot!(format!(
        "{}\ntotal {total}, extensions {ours}, operators {}",
        lines.join("\n"),
        table.operators().len()
    ));
}

#[test]
fn lookup_and_alias_resolution() {
    let table = default_table();
    let load = table.get("load_object").expect("load_object");
    assert_eq!(load.alias_of.as_deref(), Some("find_object"));
    assert_eq!((load.min_args, load.max_args), (1, Some(2)));
    assert_eq!(
        table.resolve("load_object").map(|e| e.name.as_str()),
        Some("find_object")
    );
    assert_eq!(
        table.resolve("call_other").map(|e| e.name.as_str()),
        Some("_call_other")
    );
    assert_eq!(
        table.resolve("write").map(|e| e.name.as_str()),
        Some("write")
    );
    assert!(table.get("_new").is_some_and(|e| e.internal));
    assert!(table.get("no_such_efun").is_none());
    let explode = table.get("explode").expect("explode");
    assert_eq!(explode.return_type, Type::array_of(Type::String));
    assert!(explode.location.line > 0 && explode.location.file == "core.spec");
}

#[test]
fn options_switch_conditional_efuns() {
    let table = default_table();
    assert!(table.get("ed").is_some() && table.get("ed_start").is_none());
    assert!(table.get("query_privs").is_some());
    let new_ed = load_all(&SpecOptions::fluffos_default().without_symbol("OLD_ED")).expect("load");
    assert!(new_ed.get("ed").is_none() && new_ed.get("ed_start").is_some());
    let no_actions =
        load_all(&SpecOptions::fluffos_default().with_symbol("NO_ADD_ACTION")).expect("load");
    assert!(no_actions.get("add_action").is_none());
    assert!(no_actions.get("query_notify_fail").is_none());
    assert!(no_actions.get("set_this_player").is_some());
}

#[test]
fn switching_a_package_off_removes_its_efuns_and_macro() {
    let table = load_all(&SpecOptions::fluffos_default().without_package("db")).expect("load");
    assert!(table.get("db_connect").is_none());
    // async_db_exec exists only when the db package is on.
    assert!(table.get("async_db_exec").is_none());
    assert!(table.get("async_read").is_some());
    assert!(
        !table
            .package_macros()
            .contains(&"__PACKAGE_DB__".to_string())
    );
    let full = default_table();
    assert!(full.get("async_db_exec").is_some());
    assert!(full.package_macros().contains(&package_macro("zmqtt")));
    // contrib's compressedp depends on the compress package.
    assert!(full.get("compressedp").is_some());
    let no_compress =
        load_all(&SpecOptions::fluffos_default().without_package("compress")).expect("load");
    assert!(no_compress.get("compressedp").is_none());
}

#[test]
fn package_macro_names() {
    assert_eq!(package_macro("db"), "__PACKAGE_DB__");
    assert_eq!(package_macro("mudlib_stats"), "__PACKAGE_MUDLIB_STATS__");
}

#[test]
fn unknown_package_is_an_error() {
    let options = SpecOptions::fluffos_default().without_package("core");
    let options = SpecOptions {
        packages: [options.packages, vec!["nope".into()]].concat(),
        ..options
    };
    assert_eq!(
        load_all(&options).err(),
        Some(SpecError::UnknownPackage("nope".into()))
    );
}

#[test]
fn every_efun_is_documented() {
    let table = load_all(&SpecOptions::all_packages()).expect("load");
    let mut problems = Vec::new();
    for efun in table.efuns() {
        let doc = &efun.doc;
        let at = &efun.location;
        if doc.summary.is_empty() {
            problems.push(format!("{at}: {} has no summary", efun.name));
        }
        if !doc.summary.ends_with('.') {
            problems.push(format!("{at}: {} summary should be a sentence", efun.name));
        }
        if doc.example.is_empty() && !efun.internal {
            problems.push(format!("{at}: {} has no example", efun.name));
        }
        let room = efun.params.len() + usize::from(efun.is_varargs()) + 1;
        if doc.args.len() > room {
            problems.push(format!(
                "{at}: {} documents more arguments than it has",
                efun.name
            ));
        }
        let lines =
            1 + doc.args.len() + usize::from(doc.returns.is_some()) + doc.example.lines().count();
        if lines > 8 {
            problems.push(format!("{at}: {} doc is longer than 8 lines", efun.name));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
