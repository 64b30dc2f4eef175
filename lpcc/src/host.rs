//! The host side both programs share: finding a mudlib's configuration on
//! disk (the FluffOS driver config in the places mudlibs keep it, and the
//! `lpc-config.json` other LPC editor tooling reads). The front-end proper
//! (lexer, preprocessor, parser, checks, formatter) never touches the disk;
//! this module is the one place in the library that does.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::check::{CheckConfig, CommandLineSettings, parse_define};
use crate::config::{ConfigFile, DriverConfig};
use crate::source::normalize_path;

/// The parts of `lpc-config.json` the toolchain uses.
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

/// A JSON string, or the strings of an array, as a list.
pub fn strings(value: Option<&Value>) -> Vec<String> {
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
pub fn defines(value: Option<&Value>) -> Vec<(String, String)> {
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
pub fn find_driver_config(workspace: &Path, named: Option<&str>) -> Option<PathBuf> {
    if let Some(named) = named {
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
pub fn resolve_mudlib_root(
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

/// What was found in a workspace.
#[derive(Clone, Debug, Default)]
pub struct Discovered {
    /// The driver configuration file used, if any.
    pub driver_file: Option<PathBuf>,
    pub driver: Option<DriverConfig>,
    /// `lpc-config.json` at the workspace root, if there is one.
    pub json: Option<LpcConfigJson>,
    /// The directory whose files are mudlib path `/`.
    pub mudlib_root: PathBuf,
    /// Problems met on the way, one line each with file and line.
    pub messages: Vec<String>,
}

impl Discovered {
    /// Whether anything configured the workspace.
    pub fn found(&self) -> bool {
        self.driver.is_some() || self.json.is_some()
    }

    /// The settings for checking files: the driver config, with what
    /// `lpc-config.json` and `extra` (the command line or the editor's
    /// settings, searched first) add.
    pub fn check_config(&self, extra: &CommandLineSettings) -> CheckConfig {
        let json = self.json.clone().unwrap_or_default();
        let mut command_line = extra.clone();
        command_line.include_dirs.extend(json.include_dirs);
        command_line.defines.splice(0..0, json.defines);
        let mut check = CheckConfig::new(self.driver.as_ref(), &command_line);
        if check.global_include.is_none() {
            check.global_include = json.global_include.map(|g| format!("\"{g}\""));
        }
        if check.simul_efun_file.is_none() {
            check.simul_efun_file = json.simul_efun;
        }
        check
    }

    /// The master file's mudlib path, from the driver config or the JSON.
    pub fn master(&self) -> Option<String> {
        self.driver
            .as_ref()
            .and_then(|d| d.master_file.clone())
            .or_else(|| self.json.as_ref().and_then(|j| j.master.clone()))
    }
}

/// Reads the workspace's configuration from disk: `named` (relative to the
/// workspace) or the first driver config in the usual places, and
/// `lpc-config.json` at the root.
pub fn discover(workspace: &Path, named: Option<&str>) -> Discovered {
    let mut found = Discovered {
        mudlib_root: workspace.to_path_buf(),
        ..Discovered::default()
    };
    if let Ok(text) = std::fs::read_to_string(workspace.join("lpc-config.json")) {
        match LpcConfigJson::parse(&text) {
            Ok(json) => found.json = Some(json),
            Err(error) => found.messages.push(format!("lpc-config.json: {error}")),
        }
    }
    found.driver_file = find_driver_config(workspace, named);
    if let Some(path) = &found.driver_file
        && let Ok(text) = std::fs::read_to_string(path)
    {
        let (file, problems) = ConfigFile::parse(&text);
        let (config, more) = DriverConfig::from_file(&file);
        for p in problems.iter().chain(&more) {
            let line = p.line.map_or(String::new(), |l| format!(":{l}"));
            found
                .messages
                .push(format!("{}{line}: {}", path.display(), p.message));
        }
        found.driver = config;
    }
    if let (Some(driver), Some(file)) = (&found.driver, &found.driver_file) {
        let master = found.master();
        found.mudlib_root =
            resolve_mudlib_root(workspace, file, &driver.mudlib_directory, master.as_deref());
    }
    found
}
