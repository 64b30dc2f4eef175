//! Where the workspace's settings come from: the driver's configuration file
//! (found in the places mudlibs keep it, or named by `lpc.driverConfig`), an
//! `lpc-config.json` at the workspace root as other LPC editor tooling reads
//! it, and the editor's settings; merged into one [`WorkspaceConfig`].

use std::path::{Path, PathBuf};

use lpcc::check::{CheckConfig, CommandLineSettings};
pub use lpcc::host::{LpcConfigJson, defines, strings, strip_jsonc, with_c_extension};
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

/// Reads the workspace's configuration from disk, with the editor's settings
/// on top.
pub fn discover(workspace: &Path, settings: &Settings) -> WorkspaceConfig {
    let found = lpcc::host::discover(workspace, settings.driver_config.as_deref());
    let master_hint = found.master();
    let json = found.json.clone().unwrap_or_default();
    let check = found.check_config(&CommandLineSettings {
        include_dirs: settings.include_dirs.clone(),
        defines: settings.defines.clone(),
        allow_static: false,
    });
    WorkspaceConfig {
        mudlib_root: found.mudlib_root,
        check,
        master: master_hint,
        simul_efun: found
            .driver
            .as_ref()
            .and_then(|d| d.simul_efun_file.clone())
            .or(json.simul_efun)
            .map(|s| with_c_extension(&s)),
        exclude: json.exclude,
        driver_config: found.driver_file,
        messages: found.messages,
    }
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
