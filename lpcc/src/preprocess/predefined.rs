//! The macros the driver defines before any file is read: identity, limits,
//! build options, enabled packages and runtime-configuration switches.

use super::PreprocessConfig;

/// Packages a default build enables, as the efun specs list them.
pub fn default_packages() -> Vec<String> {
    efun_specs::default_packages()
        .into_iter()
        .map(String::from)
        .collect()
}

/// Runtime configuration switches that also define a macro when on:
/// `(setting name in the config file, macro, default value)`.
pub const CONFIG_PREDEFINES: &[(&str, &str, bool)] = &[
    ("sane explode string", "__SANE_EXPLODE_STRING__", true),
    (
        "reversible explode string",
        "__REVERSIBLE_EXPLODE_STRING__",
        false,
    ),
    ("sane sorting", "__SANE_SORTING__", true),
    ("call other type check", "__CALL_OTHER_TYPE_CHECK__", false),
    ("call other warn", "__CALL_OTHER_WARN__", false),
    ("mudlib error handler", "__MUDLIB_ERROR_HANDLER__", true),
    ("no resets", "__NO_RESETS__", false),
    ("lazy resets", "__LAZY_RESETS__", false),
    ("randomized resets", "__RANDOMIZED_RESETS__", true),
    (
        "this_player in call_out",
        "__THIS_PLAYER_IN_CALL_OUT__",
        true,
    ),
    ("trace", "__TRACE__", true),
    ("trace code", "__TRACE_CODE__", false),
    (
        "interactive catch tell",
        "__INTERACTIVE_CATCH_TELL__",
        false,
    ),
    ("receive snoop", "__RECEIVE_SNOOP__", true),
    ("snoop shadowed", "__SNOOP_SHADOWED__", false),
    ("reverse defer", "__REVERSE_DEFER__", false),
    ("has console", "__HAS_CONSOLE__", true),
    (
        "noninteractive stderr write",
        "__NONINTERACTIVE_STDERR_WRITE__",
        false,
    ),
    ("trap crashes", "__TRAP_CRASHES__", true),
    ("old type behavior", "__OLD_TYPE_BEHAVIOR__", false),
    ("old range behavior", "__OLD_RANGE_BEHAVIOR__", false),
    (
        "warn old range behavior",
        "__WARN_OLD_RANGE_BEHAVIOR__",
        true,
    ),
    (
        "suppress argument warnings",
        "__SUPPRESS_ARGUMENT_WARNINGS__",
        true,
    ),
];

/// The macros of [`CONFIG_PREDEFINES`] that a default configuration turns on.
pub fn default_config_predefines() -> Vec<String> {
    CONFIG_PREDEFINES
        .iter()
        .filter(|(_, _, on)| *on)
        .map(|(_, name, _)| name.to_string())
        .collect()
}

/// Compile-time options of a default build, exported as `__NAME__` macros.
const BUILD_OPTIONS: &[(&str, &str)] = &[
    ("__REF_RESERVED_WORD__", ""),
    ("__STRUCT_CLASS__", ""),
    ("__STRUCT_STRUCT__", ""),
    ("__SMALL_STRING_SIZE__", "100"),
    ("__LARGE_STRING_SIZE__", "1000"),
    ("__COMMAND_BUF_SIZE__", "2000"),
    ("__MAX_SAVE_SVALUE_DEPTH__", "100"),
    ("__CFG_MAX_GLOBAL_VARIABLES__", "65536"),
    ("__CFG_EVALUATOR_STACK_SIZE__", "65536"),
    ("__CFG_COMPILER_STACK_SIZE__", "600"),
    ("__CFG_MAX_CALL_DEPTH__", "150"),
    ("__USE_32BIT_ADDRESSES__", ""),
    ("__LARGEST_PRINTABLE_STRING__", "65535"),
    ("__OLD_ED__", ""),
    ("__ED_INDENT_SPACES__", "4"),
    ("__ED_TAB_WIDTH__", "8"),
    ("__RESTRICTED_ED__", ""),
    ("__SENSIBLE_MODIFIERS__", ""),
    (
        "__DEFAULT_PRAGMAS__",
        "PRAGMA_WARNINGS + PRAGMA_SAVE_TYPES + PRAGMA_ERROR_CONTEXT + PRAGMA_OPTIMIZE",
    ),
    ("__SAVE_EXTENSION__", "\".o\""),
    ("__PRIVS__", ""),
    ("__SAVE_GZ_EXTENSION__", "\".o.gz\""),
    ("__AUTO_SETEUID__", ""),
    ("__PARSE_DEBUG__", ""),
    ("__CXXFLAGS__", "\"Broken\""),
    ("__HAVE_CRYPT_H__", ""),
    ("__HAVE_DIRENT_H__", "1"),
    ("__HAVE_TIME_H__", "1"),
    ("__HAVE_SIGNAL_H__", "1"),
    ("__HAVE_SYS_RESOURCE_H__", "1"),
    ("__HAVE_SYS_TIME_H__", "1"),
    ("__TIME_WITH_SYS_TIME__", "1"),
    ("__HAVE_SYS_STAT_H__", "1"),
    ("__PACKAGES_PACKAGES_H__", ""),
    ("__GET_CHAR_IS_BUFFERED__", ""),
    ("__DSLIB__", ""),
    ("HAS_DEBUG_LEVEL", ""),
    ("SIZEOFINT", "8"),
    ("MAX_INT", "9223372036854775807"),
    ("MIN_INT", "-9223372036854775808"),
    ("__CACHE_STATS__", ""),
    ("__STRING_STATS__", ""),
    ("__CLASS_STATS__", ""),
    ("__ARRAY_STATS__", ""),
    ("__CALLOUT_HANDLES__", ""),
    ("__ARGUMENTS_IN_TRACEBACK__", ""),
    ("__LOCALS_IN_TRACEBACK__", ""),
    ("__DEBUG_MACRO__", ""),
];

/// Names whose value is computed while preprocessing, in this order.
pub const BUILTIN_NAMES: [&str; 3] = ["__FILE__", "__LINE__", "__DIR__"];

/// Every predefined macro as `(name, body)`, builtins first.
pub fn predefines(config: &PreprocessConfig) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(96);
    let mut add = |name: &str, body: String| out.push((name.to_string(), body));
    for name in BUILTIN_NAMES {
        add(name, String::new());
    }
    add("MUDOS", String::new());
    add("FLUFFOS", String::new());
    // Build options the configuration can switch follow it; the rest are fixed.
    let switchable = |name: &str| {
        crate::config::COMPILE_OPTIONS.iter().any(|(_, symbol, _)| {
            name.strip_prefix("__").and_then(|n| n.strip_suffix("__")) == Some(*symbol)
        })
    };
    for (name, body) in BUILD_OPTIONS {
        if !switchable(name) {
            add(name, body.to_string());
        }
    }
    for symbol in &config.compile_options {
        add(&format!("__{symbol}__"), String::new());
    }
    add("__PROJECT_VERSION__", super::quote(&config.version));
    add("__VERSION__", super::quote(&config.version));
    add("__PORT__", config.port.to_string());
    add("__ARCH__", super::quote(&config.arch));
    add("__COMPILER__", super::quote(&config.compiler));
    add("MUD_NAME", super::quote(&config.mud_name));
    add("MAX_FLOAT", format!("{:.6}", f64::MAX));
    add("MIN_FLOAT", format!("{:.6}", f64::MIN_POSITIVE));
    let has_package = |p: &str| config.packages.iter().any(|q| q.eq_ignore_ascii_case(p));
    for package in &config.packages {
        add(
            &format!("__PACKAGE_{}__", package.to_ascii_uppercase()),
            String::new(),
        );
    }
    // The driver's db efuns take these type numbers; SQLite needs no server,
    // so it is the default.
    if has_package("db") {
        add("__USE_MYSQL__", "1".to_string());
        add("__USE_SQLITE3__", "2".to_string());
        add("__USE_POSTGRES__", "3".to_string());
        add("__DEFAULT_DB__", "2".to_string());
    }
    if has_package("dwlib") {
        add("__DWLIB__", String::new());
    }
    let has_efun = |name: &str| match &config.efuns {
        Some(efuns) => efuns.contains(name),
        None => has_package("core"),
    };
    if has_efun("ed") {
        add("HAS_ED", String::new());
    }
    if has_efun("printf") {
        add("HAS_PRINTF", String::new());
    }
    for name in &config.config_predefines {
        add(name, String::new());
    }
    out
}
