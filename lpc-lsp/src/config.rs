//! Where the workspace's settings come from: the driver's configuration file
//! (found in the places mudlibs keep it, or named by `lpc.driverConfig`), an
//! `lpc-config.json` at the workspace root as other LPC editor tooling reads
//! it, and the editor's settings; merged into one [`WorkspaceConfig`].

use std::path::{Path, PathBuf};

use lpcc::check::{CheckConfig, CommandLineSettings, parse_define};
use lpcc::config::{ConfigFile, DriverConfig};
use lpcc::source::normalize_path;
use serde_json::Value;

/// What the editor's settings or `initializationOptions` say, under `lpc` or flat.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    /// `lpc.driverConfig`: the driver configuration file, relative to the workspace.
    pub driver_config: Option<String>,
    /// `lpc.includeDirs`: more mudlib include directories.
    pub include_dirs: Vec<String>,
    /// `lpc.defines`: more predefined macros.
    pub defines: Vec<(String, String)>,
}

impl Settings {
    pub fn from_json(value: &Value) -> Settings {
        let value = value.get("lpc").unwrap_or(value);
        let driver_config = value
            .get("driverConfig")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let include_dirs = ["includeDirs", "includeDirectories", "include"]
            .iter()
            .flat_map(|key| strings(value.get(*key)))
            .collect();
        Settings {
            driver_config,
            include_dirs,
            defines: defines(value.get("defines")),
        }
    }

    /// `self` with what `other` sets added.
    pub fn merged(mut self, other: Settings) -> Settings {
        if other.driver_config.is_some() {
            self.driver_config = other.driver_config;
        }
        self.include_dirs.extend(other.include_dirs);
        self.defines.extend(other.defines);
        self
    }
}

/// Everything the server needs to know about the mudlib in the workspace.
#[derive(Clone, Debug)]
pub struct WorkspaceConfig {
    /// The directory whose files are mudlib path `/`.
    pub mudlib_root: PathBuf,
    pub check: CheckConfig,
    /// Mudlib path of the master object, when known.
    pub master: Option<String>,
    /// Mudlib path of the simul_efun object, when known: its functions are
    /// callable from every file.
    pub simul_efun: Option<String>,
    /// Mudlib path prefixes left out of the index.
    pub exclude: Vec<String>,
    /// The driver configuration file used, if any.
    pub driver_config: Option<PathBuf>,
    /// What went wrong reading the configuration, for the log.
    pub messages: Vec<String>,
}

impl WorkspaceConfig {
    /// Settings for files outside any configured workspace.
    pub fn bare(root: PathBuf) -> WorkspaceConfig {
        WorkspaceConfig {
            mudlib_root: root,
            check: CheckConfig::new(None, &CommandLineSettings::default()),
            master: None,
            simul_efun: None,
            exclude: Vec::new(),
            driver_config: None,
            messages: Vec::new(),
        }
    }
}

/// The parts of `lpc-config.json` the server uses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LpcConfigJson {
    pub include_dirs: Vec<String>,
    pub exclude: Vec<String>,
    pub master: Option<String>,
    pub simul_efun: Option<String>,
    pub global_include: Option<String>,
    pub defines: Vec<(String, String)>,
}

impl LpcConfigJson {
    /// Reads the file's text; it may carry comments and trailing commas.
    pub fn parse(text: &str) -> Result<LpcConfigJson, String> {
        let value: Value = serde_json::from_str(&strip_jsonc(text)).map_err(|e| e.to_string())?;
        let files = value.get("libFiles").or_else(|| value.get("files"));
        let file = |key: &str| {
            files
                .and_then(|f| f.get(key))
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(normalize_path)
        };
        // `include` lists directories; glob patterns there select files, which
        // every file of the mudlib already is.
        let include_dirs = strings(value.get("libInclude"))
            .into_iter()
            .chain(strings(value.get("include")))
            .filter(|d| !d.contains('*'))
            .map(|d| normalize_path(&d))
            .collect();
        let exclude = strings(value.get("exclude"))
            .into_iter()
            .map(|e| normalize_path(e.trim_end_matches("/**").trim_end_matches("/*")))
            .collect();
        Ok(LpcConfigJson {
            include_dirs,
            exclude,
            master: file("master"),
            simul_efun: file("simul_efun"),
            global_include: file("global_include"),
            defines: defines(value.get("defines")),
        })
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

/// Macro definitions written as `{"NAME": "value"}`, `[{"NAME": "value"}]`
/// or `["NAME=value"]`.
fn defines(value: Option<&Value>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let add_object = |map: &serde_json::Map<String, Value>, out: &mut Vec<(String, String)>| {
        for (name, value) in map {
            let value = match value {
                Value::String(s) => s.clone(),
                Value::Null => "1".to_string(),
                other => other.to_string(),
            };
            out.push((name.clone(), value));
        }
    };
    match value {
        Some(Value::Object(map)) => add_object(map, &mut out),
        Some(Value::Array(items)) => {
            for item in items {
                match item {
                    Value::Object(map) => add_object(map, &mut out),
                    Value::String(s) => {
                        if let Ok(define) = parse_define(s) {
                            out.push(define);
                        }
                    }
                    _ => {}
                }
            }
        }
        Some(Value::String(s)) => {
            if let Ok(define) = parse_define(s) {
                out.push(define);
            }
        }
        _ => {}
    }
    out
}

/// JSON with `//` and `/* */` comments and trailing commas made plain JSON.
pub fn strip_jsonc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if c == '\\' {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            ']' | '}' => {
                let trimmed = out.trim_end().len();
                if out[..trimmed].ends_with(',') {
                    out.truncate(trimmed - 1);
                }
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Reads the workspace's configuration from disk.
pub fn discover(workspace: &Path, settings: &Settings) -> WorkspaceConfig {
    let mut messages = Vec::new();
    let json = match std::fs::read_to_string(workspace.join("lpc-config.json")) {
        Ok(text) => match LpcConfigJson::parse(&text) {
            Ok(json) => Some(json),
            Err(error) => {
                messages.push(format!("lpc-config.json: {error}"));
                None
            }
        },
        Err(_) => None,
    };
    let driver_file = find_driver_config(workspace, settings);
    let mut driver: Option<DriverConfig> = None;
    if let Some(path) = &driver_file
        && let Ok(text) = std::fs::read_to_string(path)
    {
        let (file, problems) = ConfigFile::parse(&text);
        let (config, problems2) = DriverConfig::from_file(&file);
        for p in problems.iter().chain(&problems2) {
            let line = p.line.map_or(String::new(), |l| format!(":{l}"));
            messages.push(format!("{}{line}: {}", path.display(), p.message));
        }
        driver = config;
    }
    let master_hint = driver
        .as_ref()
        .and_then(|d| d.master_file.clone())
        .or_else(|| json.as_ref().and_then(|j| j.master.clone()));
    let mudlib_root = match (&driver, &driver_file) {
        (Some(d), Some(file)) => {
            resolve_mudlib_root(workspace, file, &d.mudlib_directory, master_hint.as_deref())
        }
        _ => workspace.to_path_buf(),
    };
    let json = json.unwrap_or_default();
    let mut command_line = CommandLineSettings {
        include_dirs: settings.include_dirs.clone(),
        defines: json.defines.clone(),
        allow_static: false,
    };
    command_line
        .include_dirs
        .extend(json.include_dirs.iter().cloned());
    command_line
        .defines
        .extend(settings.defines.iter().cloned());
    let mut check = CheckConfig::new(driver.as_ref(), &command_line);
    if check.global_include.is_none() {
        check.global_include = json.global_include.as_ref().map(|g| format!("\"{g}\""));
    }
    WorkspaceConfig {
        mudlib_root,
        check,
        master: master_hint,
        simul_efun: driver
            .as_ref()
            .and_then(|d| d.simul_efun_file.clone())
            .or(json.simul_efun)
            .map(|s| with_c_extension(&s)),
        exclude: json.exclude,
        driver_config: driver_file,
        messages,
    }
}

/// `path` with `.c` added when it has no extension, as the driver does for
/// object names.
pub fn with_c_extension(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.contains('.') {
        path.to_string()
    } else {
        format!("{path}.c")
    }
}

/// The driver configuration file: the one settings name, else the first
/// file in the usual places that has a `mudlib directory` line.
fn find_driver_config(workspace: &Path, settings: &Settings) -> Option<PathBuf> {
    if let Some(named) = &settings.driver_config {
        let path = workspace.join(named);
        if path.is_file() {
            return Some(path);
        }
    }
    for dir in ["", "etc", "config", "bin", "adm/etc", ".."] {
        let dir = workspace.join(dir);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut names: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .filter(|p| {
                p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                    n.starts_with("config") || n.ends_with(".cfg") || n.ends_with(".conf")
                })
            })
            .collect();
        names.sort();
        for path in names {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let (file, _) = ConfigFile::parse(&text);
            if file.get("mudlib directory").is_some() {
                return Some(path);
            }
        }
    }
    None
}

/// The host directory a configuration's `mudlib directory` names. The value
/// is relative to wherever the driver is started, which the workspace does
/// not say, so the candidates are tried in turn: a directory holding the
/// master object is preferred, and the workspace itself is the last resort.
fn resolve_mudlib_root(
    workspace: &Path,
    config_file: &Path,
    mudlib_directory: &str,
    master: Option<&str>,
) -> PathBuf {
    let config_dir = config_file.parent().unwrap_or(workspace);
    let written = Path::new(mudlib_directory);
    let mut candidates: Vec<PathBuf> = Vec::new();
    if written.is_absolute() {
        candidates.push(written.to_path_buf());
    }
    candidates.push(workspace.join(written));
    candidates.push(config_dir.join(written));
    if let Some(parent) = config_dir.parent() {
        candidates.push(parent.join(written));
    }
    candidates.push(workspace.to_path_buf());
    let has_master = |dir: &Path| {
        master.is_some_and(|m| {
            let m = with_c_extension(m);
            dir.join(m.trim_start_matches('/')).is_file()
        })
    };
    candidates
        .iter()
        .find(|c| c.is_dir() && has_master(c))
        .or_else(|| candidates.iter().find(|c| c.is_dir()))
        .cloned()
        .unwrap_or_else(|| workspace.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lpc_config_json_shapes() {
        let text = r#"{
            // comments and trailing commas are allowed
            "driver": { "type": "fluffos" },
            "include": ["/include", "src/**/*.c"],
            "libInclude": ["/sys/"],
            "exclude": ["/log", "/tmp/**"],
            "libFiles": {
                "master": "/adm/obj/master.c",
                "simul_efun": "/adm/obj/simul_efun",
                "global_include": "/include/global.h",
            },
            "defines": [{ "DEBUG": "1" }, "LEVEL=3"],
        }"#;
        let json = LpcConfigJson::parse(text);
        insta::assert_debug_snapshot!(json, @r#"
        Ok(
            LpcConfigJson {
                include_dirs: [
                    "/sys",
                    "/include",
                ],
                exclude: [
                    "/log",
                    "/tmp",
                ],
                master: Some(
                    "/adm/obj/master.c",
                ),
                simul_efun: Some(
                    "/adm/obj/simul_efun",
                ),
                global_include: Some(
                    "/include/global.h",
                ),
                defines: [
                    (
                        "DEBUG",
                        "1",
                    ),
                    (
                        "LEVEL",
                        "3",
                    ),
                ],
            },
        )
        "#);
        assert!(LpcConfigJson::parse("{ nope").is_err());
    }

    #[test]
    fn settings_under_lpc_or_flat() {
        let nested = serde_json::json!({"lpc": {"driverConfig": "etc/config.test",
            "includeDirs": ["/inc"], "defines": {"X": "2"}}});
        let settings = Settings::from_json(&nested);
        assert_eq!(settings.driver_config.as_deref(), Some("etc/config.test"));
        assert_eq!(settings.include_dirs, vec!["/inc".to_string()]);
        assert_eq!(settings.defines, vec![("X".to_string(), "2".to_string())]);
        let flat = Settings::from_json(&serde_json::json!({"defines": ["Y"]}));
        assert_eq!(flat.defines, vec![("Y".to_string(), "1".to_string())]);
    }

    #[test]
    fn finds_the_sample_mudlib_configuration() {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/sample-mudlib");
        let config = discover(&workspace, &Settings::default());
        assert!(
            config
                .driver_config
                .is_some_and(|p| p.ends_with("etc/config.sample"))
        );
        assert_eq!(config.mudlib_root, workspace);
        assert_eq!(config.check.include_dirs, vec!["/include".to_string()]);
        assert_eq!(config.check.global_include.as_deref(), Some("<globals.h>"));
        assert_eq!(config.simul_efun.as_deref(), Some("/secure/simul_efun.c"));
    }
}
