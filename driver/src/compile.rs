//! Compiling mudlib files for the VM: the front-end pipeline (preprocess,
//! parse, semantic analysis, code generation) over the mudlib directory,
//! and loading verified `.lpcb` files in place of sources.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lpcc::bytecode::{Program, file, verify};
use lpcc::check::{CheckConfig, CommandLineSettings};
use lpcc::codegen::{self, CodegenEnv};
use lpcc::config::DriverConfig;
use lpcc::diagnostic::Diagnostic;
use lpcc::parser::{ParseOptions, parse};
use lpcc::preprocess::preprocess_text;
use lpcc::sema::{SemaEnv, check_program};
use lpcc::source::{SourceError, SourceMap, SourceProvider, normalize_path};
use rustc_hash::FxHashSet;

/// Reads mudlib paths from the mudlib directory; nothing outside it.
pub struct MudlibProvider {
    pub root: PathBuf,
}

impl MudlibProvider {
    pub fn host_path(&self, path: &str) -> PathBuf {
        let path = normalize_path(path);
        self.root.join(path.trim_start_matches('/'))
    }
}

impl SourceProvider for MudlibProvider {
    fn read(&self, path: &str) -> Result<Arc<str>, SourceError> {
        match std::fs::read_to_string(self.host_path(path)) {
            Ok(text) => Ok(Arc::from(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(SourceError::NotFound),
            Err(e) => Err(SourceError::Unreadable(e.to_string())),
        }
    }
}

/// Why a file did not compile: `(file, message)` pairs in the driver's
/// `/file.c line N: message` form, for master `log_error`.
#[derive(Debug, Default)]
pub struct CompileFailure {
    pub messages: Vec<(String, String)>,
}

pub struct Compiler {
    pub provider: MudlibProvider,
    pub check: CheckConfig,
    pub efuns: Arc<efun_specs::EfunTable>,
    programs: HashMap<String, Arc<Program>>,
    /// Names of the simul_efun object's functions, once it is loaded.
    pub simul_efuns: Option<FxHashSet<String>>,
    /// Run semantic analysis before code generation.
    pub semantic: bool,
    /// Source lines compiled recently, for `query_load_average`.
    pub compiled_lines: crate::efuns::misc::LoadAverage,
}

impl Compiler {
    pub fn new(root: &Path, config: Option<&DriverConfig>) -> anyhow::Result<Compiler> {
        let check = CheckConfig::new(config, &CommandLineSettings::default());
        let efuns = check
            .efun_table
            .clone()
            .ok_or_else(|| anyhow::anyhow!("the efun specifications did not load"))?;
        Ok(Compiler {
            provider: MudlibProvider {
                root: root.to_path_buf(),
            },
            check,
            efuns,
            programs: HashMap::new(),
            simul_efuns: None,
            semantic: true,
            compiled_lines: Default::default(),
        })
    }

    /// A program compiled before, by resolved path.
    pub fn program(&self, path: &str) -> Option<Arc<Program>> {
        self.programs.get(path).cloned()
    }

    /// Compiles the object or inherit named `name` (`/std/room`,
    /// `/std/room.c`), trying `.lpc` then `.c`, or a `.lpcb` beside them.
    pub fn compile(&mut self, name: &str) -> Result<Arc<Program>, CompileFailure> {
        let candidates = lpcc::sema::summary::inherit_candidates(name);
        for path in &candidates {
            if let Some(p) = self.programs.get(path) {
                return Ok(p.clone());
            }
        }
        for path in &candidates {
            let stem = path
                .strip_suffix(".c")
                .or_else(|| path.strip_suffix(".lpc"));
            let binary = self
                .provider
                .host_path(&format!("{}.lpcb", stem.unwrap_or(path)));
            if is_current(&binary, &self.provider.host_path(path))
                && let Ok(bytes) = std::fs::read(&binary)
            {
                return self.load_binary(path, &bytes);
            }
            match self.provider.read(path) {
                Ok(text) => return self.compile_text(path, text),
                Err(SourceError::NotFound) => continue,
                Err(e) => return Err(failure(path, 0, &e.to_string())),
            }
        }
        let path = candidates.last().cloned().unwrap_or_default();
        Err(failure(&path, 0, "file not found"))
    }

    fn load_binary(&mut self, path: &str, bytes: &[u8]) -> Result<Arc<Program>, CompileFailure> {
        let program = file::read(bytes).map_err(|e| failure(path, 0, &e.to_string()))?;
        verify::verify(&program).map_err(|e| failure(path, 0, &e.to_string()))?;
        for inherit in &program.inherits {
            self.compile(&inherit.path)?;
        }
        let program = Arc::new(program);
        self.programs.insert(path.to_string(), program.clone());
        Ok(program)
    }

    fn compile_text(&mut self, path: &str, text: Arc<str>) -> Result<Arc<Program>, CompileFailure> {
        let options = ParseOptions {
            allow_static: self.check.allow_static,
        };
        self.compiled_lines.add(text.lines().count() as f64);
        let preprocess_config = self.check.preprocess_config();
        let preprocessed = preprocess_text(&self.provider, path, text, &preprocess_config);
        let (ast, parse_diagnostics) = parse(&preprocessed.tokens, &preprocessed.sources, &options);
        let sources = &preprocessed.sources;
        let mut errors: Vec<&Diagnostic> = preprocessed
            .diagnostics
            .iter()
            .chain(&parse_diagnostics)
            .filter(|d| d.is_error())
            .collect();
        let semantic;
        if errors.is_empty() && self.semantic {
            let env = SemaEnv {
                provider: &self.provider,
                preprocess: &preprocess_config,
                parse: &options,
                efuns: Some(&self.efuns),
                simul_efun_file: self.check.simul_efun_file.as_deref(),
                cache: &self.check.inherit_cache,
            };
            semantic = check_program(&env, path, &ast, &preprocessed);
            errors.extend(semantic.iter().filter(|d| d.is_error()));
        }
        if !errors.is_empty() {
            return Err(CompileFailure {
                messages: errors.iter().map(|d| render(sources, d)).collect(),
            });
        }
        let efuns = self.efuns.clone();
        let simul = self.simul_efuns.take();
        let is_simul = |name: &str| simul.as_ref().is_some_and(|s| s.contains(name));
        let mut inherit_failure = None;
        let result = {
            let mut inherit = |p: &str| match self.compile(p) {
                Ok(program) => Ok(program),
                Err(f) => {
                    let why = f
                        .messages
                        .first()
                        .map(|m| m.1.trim().to_string())
                        .unwrap_or_default();
                    inherit_failure = Some(f);
                    Err(why)
                }
            };
            let mut env = CodegenEnv {
                inherit: &mut inherit,
                is_simul_efun: Some(&is_simul),
                efuns: &efuns,
            };
            codegen::compile(&mut env, path, &ast, sources)
        };
        self.simul_efuns = simul;
        if let Some(f) = inherit_failure {
            return Err(f);
        }
        let program = result.map_err(|diagnostics| CompileFailure {
            messages: diagnostics.iter().map(|d| render(sources, d)).collect(),
        })?;
        verify::verify(&program)
            .map_err(|e| failure(path, 0, &format!("internal compiler error: {e}")))?;
        let program = Arc::new(program);
        self.programs.insert(path.to_string(), program.clone());
        Ok(program)
    }
}

/// Whether a bytecode file may stand in for its source: it exists and the
/// source is missing or not newer.
fn is_current(binary: &Path, source: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (modified(binary), modified(source)) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(b), Some(s)) => b >= s,
    }
}

fn failure(path: &str, line: u32, message: &str) -> CompileFailure {
    CompileFailure {
        messages: vec![(path.to_string(), format!("{path} line {line}: {message}\n"))],
    }
}

fn render(sources: &SourceMap, d: &Diagnostic) -> (String, String) {
    let span = d.span();
    let file = sources.name(span.file).to_string();
    let (line, _) = sources.line_col(span);
    let message = format!("{file} line {line}: {}\n", d.message);
    (file, message)
}
