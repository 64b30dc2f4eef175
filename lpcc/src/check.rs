//! Checking one file: the pipeline `lpcc check` runs for every file, and the
//! settings it runs with.

use crate::config::{DriverConfig, default_compile_options};
use crate::diagnostic::Diagnostic;
use crate::parser::{ParseOptions, parse};
use crate::preprocess::{PreprocessConfig, preprocess_text};
use crate::sema::{InheritCache, SemaEnv, check_program};
use crate::source::{SourceError, SourceMap, SourceProvider, normalize_path};
use crate::span::{FileId, Span};
use rustc_hash::FxHashSet;
use std::sync::Arc;

/// The file to check could not be read.
pub const E_UNREADABLE: &str = "E0010";
/// The checker itself failed on a file; a bug in lpcc, not in the file.
pub const E_INTERNAL: &str = "E0000";

/// Settings for checking files, the same for every file of a run.
#[derive(Clone, Debug, Default)]
pub struct CheckConfig {
    /// Mudlib directories searched by `#include <...>`, in order.
    pub include_dirs: Vec<String>,
    /// Included before every file, in `"..."` or `<...>` form.
    pub global_include: Option<String>,
    /// Predefined macros: name (possibly with a parameter list) and body.
    pub defines: Vec<(String, String)>,
    /// Accept the `static` modifier; drivers built with sensible modifiers reject it.
    pub allow_static: bool,
    /// Enabled efun packages, each defining `__PACKAGE_<NAME>__`; empty means
    /// the default build's.
    pub packages: Vec<String>,
    /// The efuns `efun_defined()` knows; `None` counts every name as an efun.
    pub efuns: Option<Arc<FxHashSet<String>>>,
    /// The efun signatures calls are checked against; `None` accepts any
    /// name as an efun and checks no efun call.
    pub efun_table: Option<Arc<efun_specs::EfunTable>>,
    /// The simul_efun file: its functions act as globals in every file.
    pub simul_efun_file: Option<String>,
    /// Summaries of inherited files, shared by every file of the run.
    pub inherit_cache: Arc<InheritCache>,
    /// Run semantic analysis after parsing.
    pub semantic: bool,
    /// FluffOS build options in effect, by symbol; `None` means a default
    /// build's (see [`crate::config::COMPILE_OPTIONS`]).
    pub compile_options: Option<Vec<String>>,
    /// Macros defined by the configuration's runtime switches; `None` means
    /// a default configuration's.
    pub config_predefines: Option<Vec<String>>,
    /// `MUD_NAME` and `__PORT__` from the configuration; `None` means the
    /// preprocessor's defaults.
    pub mud_name: Option<String>,
    pub port: Option<u16>,
}

/// What the command line adds to the driver configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommandLineSettings {
    /// `-I` directories, searched before the configured ones, as C compilers do.
    pub include_dirs: Vec<String>,
    /// `-D` definitions, already split by [`parse_define`].
    pub defines: Vec<(String, String)>,
    pub allow_static: bool,
}

impl CheckConfig {
    pub fn new(driver: Option<&DriverConfig>, command_line: &CommandLineSettings) -> CheckConfig {
        let mut include_dirs: Vec<String> = Vec::new();
        let configured = driver.map_or(&[][..], |d| &d.include_directories[..]);
        for dir in command_line.include_dirs.iter().chain(configured) {
            let dir = normalize_path(dir);
            if !include_dirs.contains(&dir) {
                include_dirs.push(dir);
            }
        }
        let compile_options =
            driver.map_or_else(default_compile_options, |d| d.compile_options.clone());
        let mut spec_options = efun_specs::SpecOptions::fluffos_default();
        for (_, symbol, _) in crate::config::COMPILE_OPTIONS {
            spec_options = spec_options.without_symbol(symbol);
        }
        for symbol in &compile_options {
            spec_options = spec_options.with_symbol(symbol);
        }
        for (package, on) in driver.map_or(&[][..], |d| &d.package_switches[..]) {
            spec_options.packages.retain(|p| p != package);
            if *on {
                spec_options.packages.push(package.clone());
            }
        }
        let (packages, efuns, efun_table) = load_efuns(&spec_options);
        let sensible = compile_options.iter().any(|o| o == "SENSIBLE_MODIFIERS");
        CheckConfig {
            include_dirs,
            global_include: driver.and_then(|d| d.global_include_file.clone()),
            defines: command_line.defines.clone(),
            allow_static: command_line.allow_static || !sensible,
            packages,
            efuns,
            efun_table,
            simul_efun_file: driver.and_then(|d| d.simul_efun_file.clone()),
            inherit_cache: Arc::new(InheritCache::new()),
            semantic: true,
            config_predefines: driver.map(|d| d.config_predefines.clone()),
            compile_options: Some(compile_options),
            mud_name: driver.map(|d| d.mud_name.clone()),
            port: driver.and_then(|d| d.port),
        }
    }

    /// What the preprocessor needs of these settings.
    pub fn preprocess_config(&self) -> PreprocessConfig {
        let mut config = PreprocessConfig {
            include_dirs: self.include_dirs.clone(),
            global_include: self.global_include.clone(),
            defines: self.defines.clone(),
            efuns: self.efuns.clone(),
            ..PreprocessConfig::default()
        };
        if let Some(options) = &self.compile_options {
            config.array_keyword = options.iter().any(|o| o == "ARRAY_RESERVED_WORD");
            config.compile_options = options.clone();
        }
        if let Some(predefines) = &self.config_predefines {
            config.config_predefines = predefines.clone();
        }
        if !self.packages.is_empty() {
            config.packages = self.packages.clone();
        }
        if let Some(name) = &self.mud_name {
            config.mud_name = name.clone();
        }
        if let Some(port) = self.port {
            config.port = port;
        }
        config
    }
}

/// The efun table of a default build, from the efun specs.
type DefaultEfuns = (
    Vec<String>,
    Option<Arc<FxHashSet<String>>>,
    Option<Arc<efun_specs::EfunTable>>,
);

/// The packages, efun names and efun table of a build.
fn load_efuns(options: &efun_specs::SpecOptions) -> DefaultEfuns {
    match efun_specs::load_all(options) {
        Ok(table) => {
            let names = table.callable().map(|e| e.name.to_string()).collect();
            (
                table.packages().to_vec(),
                Some(Arc::new(names)),
                Some(Arc::new(table)),
            )
        }
        Err(_) => (Vec::new(), None, None),
    }
}

/// Splits a `-D` argument, `NAME`, `NAME=VALUE` or `NAME(ARGS)=VALUE`; a
/// missing value is `1`, as in C compilers.
pub fn parse_define(text: &str) -> Result<(String, String), String> {
    let (name, value) = match text.split_once('=') {
        Some((name, value)) => (name, value),
        None => (text, "1"),
    };
    let identifier_end = name
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(name.len());
    let (identifier, params) = name.split_at(identifier_end);
    let starts_well = identifier
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let params_ok = params.is_empty() || (params.starts_with('(') && params.ends_with(')'));
    if !starts_well || !params_ok {
        return Err(format!(
            "`{text}` is not a macro definition: expected NAME, NAME=VALUE or NAME(ARGS)=VALUE"
        ));
    }
    Ok((name.to_string(), value.to_string()))
}

/// The outcome of checking one file.
#[derive(Clone, Debug)]
pub struct FileReport {
    /// The mudlib path of the file checked.
    pub path: String,
    /// Every file the diagnostics point into.
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    /// The report for a file whose check failed inside lpcc: one diagnostic
    /// saying so, instead of losing the whole run.
    pub fn internal_error(path: &str, message: &str) -> FileReport {
        let path = normalize_path(path);
        let mut sources = SourceMap::new();
        let file = sources.add(path.clone(), "".into());
        let diagnostic = Diagnostic::error(
            E_INTERNAL,
            Span::new(file, 0, 0),
            format!("internal error while checking this file: {message}"),
        )
        .with_note("this is a bug in lpcc, please report it");
        FileReport {
            path,
            sources,
            diagnostics: vec![diagnostic],
        }
    }
}

/// Checks one file, given by mudlib path.
pub fn check_file(provider: &dyn SourceProvider, path: &str, config: &CheckConfig) -> FileReport {
    let path = normalize_path(path);
    let mut sources = SourceMap::new();
    let text = match provider.read(&path) {
        Ok(text) => text,
        Err(error) => {
            let file = sources.add(path.clone(), "".into());
            let diagnostics = vec![unreadable(file, &path, &error)];
            return FileReport {
                path,
                sources,
                diagnostics,
            };
        }
    };
    let options = ParseOptions {
        allow_static: config.allow_static,
    };
    let preprocess_config = config.preprocess_config();
    let preprocessed = preprocess_text(provider, &path, text, &preprocess_config);
    let (program, parse_diagnostics) = parse(&preprocessed.tokens, &preprocessed.sources, &options);
    let parsed_cleanly = !parse_diagnostics.iter().any(Diagnostic::is_error);
    let semantic = if config.semantic && parsed_cleanly {
        let env = SemaEnv {
            provider,
            preprocess: &preprocess_config,
            parse: &options,
            efuns: config.efun_table.as_deref(),
            simul_efun_file: config.simul_efun_file.as_deref(),
            cache: &config.inherit_cache,
        };
        check_program(&env, &path, &program, &preprocessed)
    } else {
        Vec::new()
    };
    let mut diagnostics = preprocessed.diagnostics;
    let cut = runaway_literal(&diagnostics);
    let bad_text: Vec<Span> = diagnostics
        .iter()
        .filter(|d| d.is_error() && LEXER_CODES.contains(&d.code))
        .map(|d| d.span())
        .collect();
    let sources = &preprocessed.sources;
    let echoes_bad_text = |d: &Diagnostic| {
        let span = d.span();
        bad_text.iter().any(|bad| {
            bad.file == span.file
                && bad.start <= span.start
                && sources.line_col(*bad).0 == sources.line_col(span).0
        })
    };
    let parse_diagnostics: Vec<Diagnostic> = parse_diagnostics
        .into_iter()
        .filter(|d| !follows_runaway(d, cut) && !echoes_bad_text(d))
        .collect();
    diagnostics.extend(parse_diagnostics);
    diagnostics.extend(semantic);
    diagnostics.extend(invalid_utf8_literals(
        provider,
        &preprocessed.tokens,
        sources,
    ));
    crate::expansion::add_macro_trails(&mut diagnostics, &preprocessed.tokens, sources);
    FileReport {
        path,
        sources: preprocessed.sources,
        diagnostics,
    }
}

/// Checks arbitrary bytes as a file: the part before the first NUL byte is
/// `/fuzz.c`, the rest `/include/fuzz.h`, which it may include. For fuzzing
/// and its regression tests: whatever the input, this must return.
pub fn check_bytes(data: &[u8]) -> FileReport {
    let (main, header) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let mut provider = crate::source::MemoryProvider::new();
    provider.insert("/fuzz.c", &String::from_utf8_lossy(main));
    provider.insert("/include/fuzz.h", &String::from_utf8_lossy(header));
    static CONFIG: std::sync::OnceLock<CheckConfig> = std::sync::OnceLock::new();
    let config = CONFIG.get_or_init(|| {
        let command_line = CommandLineSettings {
            include_dirs: vec!["/include".to_string()],
            ..CommandLineSettings::default()
        };
        CheckConfig::new(None, &command_line)
    });
    // Each input is its own mudlib: nothing may be remembered between inputs.
    let config = CheckConfig {
        inherit_cache: Arc::default(),
        ..config.clone()
    };
    check_file(&provider, "/fuzz.c", &config)
}

/// A string literal holds bytes that are not UTF-8.
pub const E_INVALID_UTF8: &str = "E0008";

/// Errors for string literals read from files whose bytes were not all
/// UTF-8: the provider turned the bad bytes into U+FFFD, and the driver
/// refuses such literals.
fn invalid_utf8_literals(
    provider: &dyn SourceProvider,
    tokens: &[crate::lexer::Token],
    sources: &SourceMap,
) -> Vec<Diagnostic> {
    use crate::lexer::TokenKind;
    let lossy: Vec<FileId> = (0..sources.files().len() as u32)
        .map(FileId)
        .filter(|&id| provider.had_invalid_utf8(sources.name(id)))
        .collect();
    if lossy.is_empty() {
        return Vec::new();
    }
    tokens
        .iter()
        .filter(|t| {
            matches!(
                t.kind,
                TokenKind::Str
                    | TokenKind::TextBlock
                    | TokenKind::TextBlockArray
                    | TokenKind::Template
                    | TokenKind::TemplateHead
                    | TokenKind::TemplateMiddle
                    | TokenKind::TemplateTail
                    | TokenKind::Char
            )
        })
        .filter(|t| {
            let file = sources
                .origin(t.origin)
                .map_or(t.span.file, |o| o.text.file);
            lossy.contains(&file) && sources.token_text(t).contains('\u{FFFD}')
        })
        .map(|t| {
            Diagnostic::error(
                E_INVALID_UTF8,
                t.span,
                "this literal holds bytes that are not valid UTF-8",
            )
        })
        .collect()
}

/// Errors the lexer reports for text that is no token. The parser skips
/// such text, so a parse error after it on the same line only echoes it.
const LEXER_CODES: [&str; 7] = [
    "E0001", "E0002", "E0003", "E0004", "E0005", "E0006", "E0007",
];

/// Lexer errors for a literal or comment that ran to the end of its file.
const RUNAWAY_CODES: [&str; 4] = ["E0002", "E0003", "E0005", "E0007"];

/// Where the first literal or comment that never closed starts, if any.
fn runaway_literal(diagnostics: &[Diagnostic]) -> Option<Span> {
    diagnostics
        .iter()
        .filter(|d| RUNAWAY_CODES.contains(&d.code))
        .map(|d| d.span())
        .min_by_key(|s| (s.file, s.start))
}

/// Whether a parse error is only the echo of a runaway literal: the parser
/// ran out of tokens because the literal swallowed the rest of the file.
fn follows_runaway(d: &Diagnostic, cut: Option<Span>) -> bool {
    let Some(cut) = cut else { return false };
    let span = d.span();
    d.code == "E0101" || (span.file == cut.file && span.start >= cut.start)
}

fn unreadable(file: FileId, path: &str, error: &SourceError) -> Diagnostic {
    Diagnostic::error(
        E_UNREADABLE,
        Span::new(file, 0, 0),
        format!("cannot read `{path}`: {error}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::MemoryProvider;

    /// The diagnostics of checking `path` in `provider`, one a line.
    fn check(provider: &MemoryProvider, path: &str, expect: &str) {
        let report = check_file(provider, path, &CheckConfig::default());
        let actual: Vec<String> = report
            .diagnostics
            .iter()
            .map(|d| {
                let (line, col) = report.sources.line_col(d.span());
                let file = report.sources.name(d.span().file);
                format!("{file}:{line}:{col} {} {}", d.code, d.message)
            })
            .collect();
        assert_eq!(actual.join("\n"), expect.trim());
    }

    #[test]
    fn lexer_diagnostics_are_reported() {
        let provider = MemoryProvider::new()
            .with("/ok.c", "int x = 1;\n")
            .with("/bad.c", "int x;\nstring s = \"open\n");
        check(&provider, "/ok.c", "");
        check(
            &provider,
            "bad.c",
            "/bad.c:2:12 E0002 end of file in a string",
        );
    }

    #[test]
    fn a_missing_file_is_a_diagnostic() {
        check(
            &MemoryProvider::new(),
            "/std/gone.c",
            "/std/gone.c:1:1 E0010 cannot read `/std/gone.c`: no such file",
        );
    }

    #[test]
    fn internal_errors_become_reports() {
        let report = FileReport::internal_error("std/x.c", "index out of bounds");
        assert_eq!(report.path, "/std/x.c");
        assert_eq!(report.diagnostics.len(), 1);
        assert_eq!(report.diagnostics[0].code, E_INTERNAL);
        assert_eq!(
            report.diagnostics[0].message,
            "internal error while checking this file: index out of bounds"
        );
    }

    #[test]
    fn defines() {
        let ok = |text: &str, name: &str, value: &str| {
            assert_eq!(
                parse_define(text),
                Ok((name.into(), value.into())),
                "{text}"
            );
        };
        ok("DEBUG", "DEBUG", "1");
        ok("LEVEL=3", "LEVEL", "3");
        ok("EMPTY=", "EMPTY", "");
        ok("_X=a=b", "_X", "a=b");
        ok("SQ(x)=((x)*(x))", "SQ(x)", "((x)*(x))");
        for bad in ["", "=1", "1A", "A-B", "F(x", "A B=1"] {
            assert!(parse_define(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn config_from_driver_and_command_line() {
        let driver = DriverConfig {
            mud_name: "Test".into(),
            port: None,
            mudlib_directory: "lib".into(),
            include_directories: vec!["/include".into(), "/sys".into()],
            global_include_file: Some("<globals.h>".into()),
            master_file: None,
            simul_efun_file: None,
            compile_options: default_compile_options(),
            package_switches: Vec::new(),
            config_predefines: Vec::new(),
        };
        let command_line = CommandLineSettings {
            include_dirs: vec!["extra".into(), "/sys/".into()],
            defines: vec![("DEBUG".into(), "1".into())],
            allow_static: true,
        };
        let config = CheckConfig::new(Some(&driver), &command_line);
        assert_eq!(
            config.include_dirs,
            vec!["/extra".to_string(), "/sys".into(), "/include".into()]
        );
        assert_eq!(config.global_include, Some("<globals.h>".into()));
        assert_eq!(config.defines, vec![("DEBUG".to_string(), "1".to_string())]);
        assert!(config.allow_static);
        assert!(config.packages.iter().any(|p| p == "core"));
        assert!(
            config
                .efuns
                .as_ref()
                .is_some_and(|e| e.contains("this_object"))
        );
        let bare = CheckConfig::new(None, &CommandLineSettings::default());
        assert!(bare.include_dirs.is_empty() && bare.global_include.is_none());
    }
}
