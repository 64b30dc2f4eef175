//! The driver's runtime configuration file (`key : value` lines), read the way
//! the driver reads it, and the handful of settings the front-end needs from it.
//!
//! The syntax, as the driver accepts it:
//! - everything from the first `#` on a line is a comment (so values cannot contain `#`);
//! - blank lines are skipped, the rest of each line is trimmed;
//! - the key is the text before the first `:`, the value the trimmed text after it;
//!   keys may contain spaces and are matched with runs of white space collapsed;
//! - a key with an empty value counts as absent, and the first line with a
//!   non-empty value for a key wins;
//! - the driver stops reading at the first line of 120 bytes or more.
//!
//! This module only parses text: the caller reads the file.

use crate::diagnostic::Severity;

/// Longest line the driver reads; a longer one ends its reading of the file.
pub const MAX_LINE_LENGTH: usize = 119;

/// One `key : value` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigEntry {
    /// The key with runs of white space collapsed to one space.
    pub key: String,
    pub value: String,
    /// One-based line number in the file.
    pub line: u32,
}

/// Something wrong with a configuration file; `line` is one-based, `None`
/// for a problem with the file as a whole (a missing key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigProblem {
    pub severity: Severity,
    pub line: Option<u32>,
    pub message: String,
}

impl ConfigProblem {
    fn error(line: Option<u32>, message: impl Into<String>) -> ConfigProblem {
        ConfigProblem {
            severity: Severity::Error,
            line,
            message: message.into(),
        }
    }

    fn warning(line: Option<u32>, message: impl Into<String>) -> ConfigProblem {
        ConfigProblem {
            severity: Severity::Warning,
            line,
            message: message.into(),
        }
    }
}

/// All the `key : value` lines of a configuration file, in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigFile {
    entries: Vec<ConfigEntry>,
}

impl ConfigFile {
    /// Parses a whole file. Never fails: malformed lines become problems and are skipped.
    pub fn parse(text: &str) -> (ConfigFile, Vec<ConfigProblem>) {
        let mut entries: Vec<ConfigEntry> = Vec::new();
        let mut problems = Vec::new();
        for (index, raw) in text.split('\n').enumerate() {
            let line = index as u32 + 1;
            if raw.len() > MAX_LINE_LENGTH {
                problems.push(ConfigProblem::warning(
                    Some(line),
                    format!(
                        "line is longer than {MAX_LINE_LENGTH} bytes; the driver stops reading \
                         the file here, and so does lpcc"
                    ),
                ));
                break;
            }
            let content = raw.split('#').next().unwrap_or("").trim();
            if content.is_empty() {
                continue;
            }
            // The driver never matches such a line and boots anyway, so a
            // warning: the mudlib's own config may carry one.
            let Some((key, value)) = content.split_once(':') else {
                problems.push(ConfigProblem::warning(
                    Some(line),
                    format!("expected `key : value`, found `{content}`; the line is ignored"),
                ));
                continue;
            };
            let key = collapse_spaces(key);
            if key.is_empty() {
                problems.push(ConfigProblem::error(Some(line), "missing key before `:`"));
                continue;
            }
            let value = value.trim().to_string();
            if !value.is_empty()
                && let Some(first) = entries.iter().find(|e| e.key == key && !e.value.is_empty())
            {
                problems.push(ConfigProblem::warning(
                    Some(line),
                    format!(
                        "`{key}` is already set on line {}; this line is ignored",
                        first.line
                    ),
                ));
            }
            entries.push(ConfigEntry { key, value, line });
        }
        (ConfigFile { entries }, problems)
    }

    pub fn entries(&self) -> &[ConfigEntry] {
        &self.entries
    }

    /// The entry in effect for `key`: the first with a non-empty value.
    pub fn entry(&self, key: &str) -> Option<&ConfigEntry> {
        let key = collapse_spaces(key);
        self.entries
            .iter()
            .find(|e| e.key == key && !e.value.is_empty())
    }

    /// The value in effect for `key`, if it has a non-empty one.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entry(key).map(|e| e.value.as_str())
    }

    /// An integer setting; a value that is not an integer is a problem.
    pub fn get_int(&self, key: &str) -> Result<Option<i64>, ConfigProblem> {
        let Some(entry) = self.entry(key) else {
            return Ok(None);
        };
        entry.value.parse().map(Some).map_err(|_| {
            ConfigProblem::error(
                Some(entry.line),
                format!(
                    "`{}` must be an integer, found `{}`",
                    entry.key, entry.value
                ),
            )
        })
    }

    /// A colon-separated list setting, empty items dropped.
    pub fn get_list(&self, key: &str) -> Vec<&str> {
        self.get(key)
            .map(|v| {
                v.split(':')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The settings the front-end uses, taken from a [`ConfigFile`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DriverConfig {
    /// `name`, which `MUD_NAME` expands to.
    pub mud_name: String,
    /// `port number`, which `__PORT__` expands to.
    pub port: Option<u16>,
    /// `mudlib directory`, as written: a host path, relative ones taken from
    /// the directory the driver (or lpcc) runs in.
    pub mudlib_directory: String,
    /// `include directories`, as mudlib paths (`/include`), searched by `#include <...>`.
    pub include_directories: Vec<String>,
    /// `global include file`, always in `"..."` or `<...>` form: the driver
    /// puts quotes around a bare name.
    pub global_include_file: Option<String>,
    /// `master file`, as a mudlib path; kept for checks of master applies.
    pub master_file: Option<String>,
    /// `simulated efun file`, as a mudlib path; kept for checks of simul efuns.
    pub simul_efun_file: Option<String>,
    /// The FluffOS build options the mudlib was written for, by symbol
    /// (`ARRAY_RESERVED_WORD`): the defaults of [`COMPILE_OPTIONS`] with the
    /// file's settings applied.
    pub compile_options: Vec<String>,
    /// `package NAME : 0|1` lines: packages switched on or off.
    pub package_switches: Vec<(String, bool)>,
    /// Macros the runtime switches of the file define (see
    /// [`crate::preprocess::CONFIG_PREDEFINES`]).
    pub config_predefines: Vec<String>,
}

/// FluffOS build options (its `local_options`) that change the language or
/// the efun set, made settings of the config file so one binary serves
/// mudlibs written for different builds: `(key, option symbol, default)`.
/// FluffOS itself ignores these lines; `docs/config.md` documents them.
pub const COMPILE_OPTIONS: &[(&str, &str, bool)] = &[
    ("array reserved word", "ARRAY_RESERVED_WORD", false),
    ("sensible modifiers", "SENSIBLE_MODIFIERS", true),
    ("old ed", "OLD_ED", true),
    ("privs", "PRIVS", true),
    ("no add action", "NO_ADD_ACTION", false),
    ("no shadows", "NO_SHADOWS", false),
    ("no snoop", "NO_SNOOP", false),
    ("no environment", "NO_ENVIRONMENT", false),
    ("no light", "NO_LIGHT", false),
    ("no wizards", "NO_WIZARDS", false),
];

/// The symbols of [`COMPILE_OPTIONS`] a default build has on.
pub fn default_compile_options() -> Vec<String> {
    COMPILE_OPTIONS
        .iter()
        .filter(|(_, _, on)| *on)
        .map(|(_, symbol, _)| symbol.to_string())
        .collect()
}

/// A switch value: `1`/`0`, or `yes`/`no`, `on`/`off`, `true`/`false`.
fn switch_value(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "yes" | "on" | "true" => Some(true),
        "0" | "no" | "off" | "false" => Some(false),
        _ => None,
    }
}

impl DriverConfig {
    /// The settings, or the problems that prevent using them. Warnings come
    /// back alongside a usable configuration.
    pub fn from_file(file: &ConfigFile) -> (Option<DriverConfig>, Vec<ConfigProblem>) {
        let mut problems = Vec::new();
        let mudlib_directory = file.get("mudlib directory").map(str::to_string);
        if mudlib_directory.is_none() {
            problems.push(ConfigProblem::error(
                None,
                "missing required key `mudlib directory`",
            ));
        }

        let mut include_directories = Vec::new();
        for dir in file.get_list("include directories") {
            if dir.split('/').any(|part| part == "..") {
                let line = file.entry("include directories").map(|e| e.line);
                problems.push(ConfigProblem::error(
                    line,
                    format!("include directory `{dir}` must not contain `..`"),
                ));
                continue;
            }
            include_directories.push(crate::source::normalize_path(dir));
        }

        let global_include_file = file.get("global include file").map(|v| {
            if v.starts_with('"') || v.starts_with('<') {
                v.to_string()
            } else {
                format!("\"{v}\"")
            }
        });
        let mudlib_path = |key: &str| file.get(key).map(crate::source::normalize_path);

        let mut switch = |key: &str, default: bool| -> bool {
            let Some(entry) = file.entry(key) else {
                return default;
            };
            switch_value(&entry.value).unwrap_or_else(|| {
                problems.push(ConfigProblem::error(
                    Some(entry.line),
                    format!("`{key}` takes 1 or 0, found `{}`", entry.value),
                ));
                default
            })
        };
        let compile_options: Vec<String> = COMPILE_OPTIONS
            .iter()
            .filter(|(key, _, default)| switch(key, *default))
            .map(|(_, symbol, _)| symbol.to_string())
            .collect();
        let config_predefines: Vec<String> = crate::preprocess::CONFIG_PREDEFINES
            .iter()
            .filter(|(key, _, default)| switch(key, *default))
            .map(|(_, name, _)| name.to_string())
            .collect();
        let mut package_switches = Vec::new();
        for entry in file.entries() {
            if let Some(name) = entry.key.strip_prefix("package ") {
                match switch_value(&entry.value) {
                    Some(on) => package_switches.push((name.trim().to_string(), on)),
                    None => problems.push(ConfigProblem::error(
                        Some(entry.line),
                        format!("`{}` takes 1 or 0, found `{}`", entry.key, entry.value),
                    )),
                }
            }
        }

        let port = file
            .get_int("port number")
            .ok()
            .flatten()
            .and_then(|p| u16::try_from(p).ok());
        let config = DriverConfig {
            mud_name: file.get("name").unwrap_or_default().to_string(),
            port,
            mudlib_directory: mudlib_directory.unwrap_or_default(),
            include_directories,
            global_include_file,
            master_file: mudlib_path("master file"),
            simul_efun_file: mudlib_path("simulated efun file"),
            compile_options,
            package_switches,
            config_predefines,
        };
        let usable = !problems.iter().any(|p| p.severity == Severity::Error);
        (usable.then_some(config), problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write;

    fn show_problems(out: &mut String, problems: &[ConfigProblem]) {
        for p in problems {
            let line = p.line.map_or("-".to_string(), |l| l.to_string());
            writeln!(out, "{} {line}: {}", p.severity.as_str(), p.message).unwrap();
        }
    }

    /// Every entry and problem of `text`, one a line.
    fn parse(text: &str) -> String {
        let (file, problems) = ConfigFile::parse(text);
        let mut out = String::new();
        for e in file.entries() {
            writeln!(out, "{}: {:?} = {:?}", e.line, e.key, e.value).unwrap();
        }
        show_problems(&mut out, &problems);
        out
    }

    /// The driver settings taken from `text`, and every problem.
    fn driver(text: &str) -> String {
        let (file, mut problems) = ConfigFile::parse(text);
        let (config, more) = DriverConfig::from_file(&file);
        problems.extend(more);
        let mut out = match config {
            Some(c) => format!("{c:#?}\n"),
            None => "unusable\n".to_string(),
        };
        show_problems(&mut out, &problems);
        out
    }

    #[track_caller]
    fn check(actual: String, expect: &str) {
        assert_eq!(actual.trim_end(), expect.trim(), "\nactual:\n{actual}");
    }

    #[test]
    fn keys_values_comments_and_blank_lines() {
        check(
            parse(
                "# a comment\n\nname : Test\nmudlib directory : ./ # trailing #\n\
                 \tmaximum   call depth:  50  \ninclude directories:/include:/sys\n",
            ),
            r#"
3: "name" = "Test"
4: "mudlib directory" = "./"
5: "maximum call depth" = "50"
6: "include directories" = "/include:/sys"
"#,
        );
    }

    #[test]
    fn carriage_returns_and_empty_values() {
        check(
            parse("default error message :\r\nname : X\r\n"),
            r#"
1: "default error message" = ""
2: "name" = "X"
"#,
        );
    }

    #[test]
    fn lines_without_a_colon_are_ignored_and_without_a_key_are_errors() {
        check(
            parse("name : X\njust some words\n : value\n"),
            r#"
1: "name" = "X"
warning 2: expected `key : value`, found `just some words`; the line is ignored
error 3: missing key before `:`
"#,
        );
    }

    #[test]
    fn first_non_empty_value_wins() {
        let text = "name :\nname : A\nname : B\n";
        check(
            parse(text),
            r#"
1: "name" = ""
2: "name" = "A"
3: "name" = "B"
warning 3: `name` is already set on line 2; this line is ignored
"#,
        );
        let (file, _) = ConfigFile::parse(text);
        assert_eq!(file.get("name"), Some("A"));
        assert_eq!(file.entry("name").map(|e| e.line), Some(2));
    }

    #[test]
    fn reading_stops_at_an_overlong_line() {
        let long = format!("# {}\nname : X\n", "x".repeat(MAX_LINE_LENGTH));
        check(
            parse(&long),
            "warning 1: line is longer than 119 bytes; the driver stops reading the file \
             here, and so does lpcc",
        );
        let fits = format!("#{}\nname : X\n", "x".repeat(MAX_LINE_LENGTH - 1));
        check(parse(&fits), r#"2: "name" = "X""#);
    }

    #[test]
    fn typed_accessors() {
        let (file, _) = ConfigFile::parse(
            "time to reset : 900\nbad int : 12abc\ninclude directories : /a::b : /c/\n\
             external_port_1 : telnet 4000\n",
        );
        assert_eq!(file.get_int("time   to reset"), Ok(Some(900)));
        assert_eq!(file.get_int("absent"), Ok(None));
        let err = file.get_int("bad int").unwrap_err();
        assert_eq!(err.line, Some(2));
        assert_eq!(err.message, "`bad int` must be an integer, found `12abc`");
        assert_eq!(file.get_list("include directories"), ["/a", "b", "/c/"]);
        assert!(file.get_list("absent").is_empty());
        assert_eq!(file.get("external_port_1"), Some("telnet 4000"));
    }

    #[test]
    fn driver_settings() {
        check(
            driver(
                "mudlib directory : ../lib\ninclude directories : /include:sys/:\n\
                 global include file : <globals.h>\nmaster file : /secure/master\n\
                 simulated efun file : single/simul_efun\n",
            ),
            r#"
DriverConfig {
    mud_name: "",
    port: None,
    mudlib_directory: "../lib",
    include_directories: [
        "/include",
        "/sys",
    ],
    global_include_file: Some(
        "<globals.h>",
    ),
    master_file: Some(
        "/secure/master",
    ),
    simul_efun_file: Some(
        "/single/simul_efun",
    ),
    compile_options: [
        "SENSIBLE_MODIFIERS",
        "OLD_ED",
        "PRIVS",
    ],
    package_switches: [],
    config_predefines: [
        "__SANE_EXPLODE_STRING__",
        "__SANE_SORTING__",
        "__MUDLIB_ERROR_HANDLER__",
        "__RANDOMIZED_RESETS__",
        "__THIS_PLAYER_IN_CALL_OUT__",
        "__TRACE__",
        "__RECEIVE_SNOOP__",
        "__HAS_CONSOLE__",
        "__TRAP_CRASHES__",
        "__WARN_OLD_RANGE_BEHAVIOR__",
        "__SUPPRESS_ARGUMENT_WARNINGS__",
    ],
}
"#,
        );
    }

    #[test]
    fn compile_options_packages_and_runtime_switches() {
        let (file, _) = ConfigFile::parse(
            "mudlib directory : .\narray reserved word : 1\nold ed : 0\nno add action : yes\n\
             package uids : 0\npackage dwlib : 1\nsane sorting : 0\ntrace code : 1\n\
             privs : maybe\n",
        );
        let (config, problems) = DriverConfig::from_file(&file);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, Some(9));
        assert!(config.is_none(), "a bad switch makes the config unusable");
        let (file, _) = ConfigFile::parse(
            "mudlib directory : .\narray reserved word : 1\nold ed : 0\nno add action : yes\n\
             package uids : 0\npackage dwlib : 1\nsane sorting : 0\ntrace code : 1\n",
        );
        let (config, problems) = DriverConfig::from_file(&file);
        assert!(problems.is_empty(), "{problems:?}");
        let config = config.expect("usable");
        assert_eq!(
            config.compile_options,
            [
                "ARRAY_RESERVED_WORD",
                "SENSIBLE_MODIFIERS",
                "PRIVS",
                "NO_ADD_ACTION"
            ]
        );
        assert_eq!(
            config.package_switches,
            [("uids".to_string(), false), ("dwlib".to_string(), true)]
        );
        assert!(
            !config
                .config_predefines
                .iter()
                .any(|m| m == "__SANE_SORTING__")
        );
        assert!(
            config
                .config_predefines
                .iter()
                .any(|m| m == "__TRACE_CODE__")
        );
    }

    #[test]
    fn bare_global_include_gets_quotes() {
        let (file, _) =
            ConfigFile::parse("mudlib directory : .\nglobal include file : /include/auto.h\n");
        let (config, problems) = DriverConfig::from_file(&file);
        assert!(problems.is_empty());
        let config = config.unwrap();
        assert_eq!(
            config.global_include_file.as_deref(),
            Some("\"/include/auto.h\"")
        );
        assert_eq!(config.master_file, None);
        assert!(config.include_directories.is_empty());
    }

    #[test]
    fn driver_setting_errors() {
        check(
            driver("mudlib directory :\ninclude directories : /include:/../etc\n"),
            r#"
unusable
error -: missing required key `mudlib directory`
error 2: include directory `/../etc` must not contain `..`
"#,
        );
    }
}
