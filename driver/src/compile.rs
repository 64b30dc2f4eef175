//! Compiling mudlib files for the VM: the front-end pipeline (preprocess,
//! parse, semantic analysis, code generation) over the mudlib directory,
//! and loading verified `.lpcb` files in place of sources.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use lpcc::ast::{Item, Modifiers};
use lpcc::bytecode::{Program, file, verify};
use lpcc::check::{CheckConfig, CommandLineSettings};
use lpcc::codegen::{self, CodegenEnv};
use lpcc::config::DriverConfig;
use lpcc::diagnostic::Diagnostic;
use lpcc::parser::{ParseOptions, parse};
use lpcc::preprocess::{IncludeAnswer, IncludeHook, Pragma, preprocess_with_hook};
use lpcc::sema::{SemaEnv, check_program};
use lpcc::source::{SourceError, SourceMap, SourceProvider, normalize_path};
use rustc_hash::FxHashMap;

/// Reads mudlib paths from the mudlib directory; nothing outside it.
pub struct MudlibProvider {
    pub root: PathBuf,
    /// The other spelling (`.c` for `.lpc` and back) of each loaded
    /// object's source, to that source: naming a loaded object by either
    /// spelling finds it, in an `inherit` too.
    pub loaded_spellings: rustc_hash::FxHashMap<String, String>,
    /// Source text the master supplied for inherited programs that have no
    /// file, by the path they compile as; read before the disk.
    pub inline: HashMap<String, Arc<str>>,
}

impl MudlibProvider {
    pub fn host_path(&self, path: &str) -> PathBuf {
        let path = normalize_path(path);
        self.root.join(path.trim_start_matches('/'))
    }

    /// The file `path` itself, without looking at other spellings.
    fn read_file(&self, path: &str) -> Result<Arc<str>, SourceError> {
        if let Some(text) = self.inline.get(path) {
            return Ok(text.clone());
        }
        match std::fs::read_to_string(self.host_path(path)) {
            // A NUL byte is never part of LPC source; refusing it here
            // covers the main file and every include alike.
            Ok(text) if text.contains('\0') => Err(SourceError::Unreadable(
                "Illegal embedded NUL byte in the source".into(),
            )),
            Ok(text) => Ok(Arc::from(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(SourceError::NotFound),
            Err(e) => Err(SourceError::Unreadable(e.to_string())),
        }
    }
}

impl SourceProvider for MudlibProvider {
    fn read(&self, path: &str) -> Result<Arc<str>, SourceError> {
        match self.read_file(path) {
            Err(SourceError::NotFound) => match self.loaded_spellings.get(path) {
                Some(source) => self.read_file(source),
                None => Err(SourceError::NotFound),
            },
            other => other,
        }
    }
}

/// Why a file did not compile: `(file, message)` pairs in the driver's
/// `/file.c line N: message` form, for master `log_error`.
#[derive(Debug, Default)]
pub struct CompileFailure {
    pub messages: Vec<(String, String)>,
    /// No source of that name exists (a virtual object may stand in).
    pub not_found: bool,
}

/// A compiled program and what it was compiled from, so a changed source
/// or a recompiled inherit makes it stale.
struct Cached {
    program: Arc<Program>,
    /// Modification time of the file it came from.
    modified: Option<SystemTime>,
    /// The inherited programs it was compiled against.
    inherits: Vec<Arc<Program>>,
}

/// What master `inherit_program` decided about one `inherit` statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InheritAnswer {
    /// Inherit the named file as usual.
    Default,
    /// Inherit this file instead.
    Path(String),
    /// This text is the source of the inherited program.
    Source(String),
    /// The inherit fails with this message.
    Refuse(String),
}

/// What the driver is asked while it compiles: the master's compile-time
/// applies.
pub trait CompileHooks {
    /// Master `get_include_path(file)`: the include directories for
    /// `file`, `None` for the configured ones.
    fn include_path(&mut self, file: &str) -> Option<Vec<String>>;
    /// Master `valid_override(file, name, mainfile)`.
    fn valid_override(&mut self, file: &str, name: &str, main: &str) -> bool;
    /// Master `include_file(compiled, from, path)`, for every `#include`.
    fn include_file(&mut self, _compiled: &str, _from: &str, _path: &str) -> IncludeAnswer {
        IncludeAnswer::Default
    }
    /// Master `inherit_program(from, path, private)`, for every `inherit`.
    fn inherit_program(&mut self, _from: &str, _path: &str, _private: bool) -> InheritAnswer {
        InheritAnswer::Default
    }
    /// Whether an object is loaded under `name` (no extension).
    fn is_loaded(&mut self, _name: &str) -> bool {
        false
    }
    /// A compile warning, `/file.c line N: Warning: ...`, for the master's
    /// `log_error`.
    fn warning(&mut self, _file: &str, _message: &str) {}
}

/// The preprocessor's view of the hooks: only `#include` is asked.
struct IncludeAsker<'h> {
    hooks: &'h mut dyn CompileHooks,
}

impl IncludeHook for IncludeAsker<'_> {
    fn include(&mut self, compiled: &str, from: &str, path: &str) -> IncludeAnswer {
        self.hooks.include_file(compiled, from, path)
    }
}

/// The functions of a simul_efun object by name, each with whether it is
/// declared to return `float`.
pub fn simul_efun_names(linked: &crate::vm::object::Linked) -> FxHashMap<String, bool> {
    linked
        .public
        .iter()
        .map(|(name, &fnref)| {
            let float = linked
                .function(fnref)
                .and_then(|f| f.types.first())
                .is_some_and(|t| t == "float");
            (name.to_string(), float)
        })
        .collect()
}

pub struct Compiler {
    pub provider: MudlibProvider,
    pub check: CheckConfig,
    pub efuns: Arc<efun_specs::EfunTable>,
    programs: HashMap<String, Cached>,
    /// Names of the simul_efun object's functions, once it is loaded, each
    /// with whether it is declared to return `float`.
    pub simul_efuns: Option<FxHashMap<String, bool>>,
    /// Run semantic analysis before code generation.
    pub semantic: bool,
    /// Source lines compiled recently, for `query_load_average`.
    pub compiled_lines: crate::efuns::misc::LoadAverage,
    /// The files being compiled, outermost first, to refuse inherit cycles.
    compiling: Vec<String>,
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
                loaded_spellings: Default::default(),
                inline: HashMap::new(),
            },
            check,
            efuns,
            programs: HashMap::new(),
            simul_efuns: None,
            semantic: true,
            compiled_lines: Default::default(),
            compiling: Vec::new(),
        })
    }

    /// A compiler over the same mudlib and settings with nothing compiled,
    /// to stand in while this one is busy and calls the master.
    pub fn stand_in(&self) -> Compiler {
        Compiler {
            provider: MudlibProvider {
                root: self.provider.root.clone(),
                loaded_spellings: self.provider.loaded_spellings.clone(),
                inline: self.provider.inline.clone(),
            },
            check: self.check.clone(),
            efuns: self.efuns.clone(),
            programs: HashMap::new(),
            simul_efuns: self.simul_efuns.clone(),
            semantic: self.semantic,
            compiled_lines: Default::default(),
            compiling: Vec::new(),
        }
    }

    /// Drops what was compiled from `path`, so it is compiled anew however
    /// recently its source changed.
    pub fn forget(&mut self, path: &str) {
        self.programs.remove(path);
        self.check.inherit_cache.clear();
    }

    /// A program compiled before, by resolved path.
    pub fn program(&self, path: &str) -> Option<Arc<Program>> {
        self.programs.get(path).map(|c| c.program.clone())
    }

    /// The cached program of `path` if its source and inherits are
    /// unchanged since it was compiled; a stale one is dropped.
    fn fresh(&mut self, path: &str, depth: usize) -> Option<Arc<Program>> {
        let cached = self.programs.get(path)?;
        let program = cached.program.clone();
        let inherits = cached.inherits.clone();
        let modified = cached.modified;
        let mut ok = depth < 64
            && modified == self.modified(path)
            && inherits.len() == program.inherits.len();
        if ok {
            for (decl, old) in program.inherits.iter().zip(&inherits) {
                let current = self.fresh(&decl.path, depth + 1);
                if !current.is_some_and(|c| Arc::ptr_eq(&c, old)) {
                    ok = false;
                    break;
                }
            }
        }
        if ok {
            return Some(program);
        }
        self.programs.remove(path);
        // Summaries of inherits may hold the old text too.
        self.check.inherit_cache.clear();
        None
    }

    fn modified(&self, path: &str) -> Option<SystemTime> {
        std::fs::metadata(self.provider.host_path(path))
            .and_then(|m| m.modified())
            .ok()
    }

    fn remember(&mut self, path: &str, program: Arc<Program>, inherits: Vec<Arc<Program>>) {
        let modified = self.modified(path);
        self.programs.insert(
            path.to_string(),
            Cached {
                program,
                modified,
                inherits,
            },
        );
    }

    /// Compiles the object or inherit named `name` (`/std/room`,
    /// `/std/room.c`), trying `.lpc` then `.c`, or a `.lpcb` beside them.
    /// `hooks` answer what the master decides along the way.
    pub fn compile_with(
        &mut self,
        name: &str,
        hooks: &mut dyn CompileHooks,
    ) -> Result<Arc<Program>, CompileFailure> {
        let candidates = lpcc::sema::summary::inherit_candidates(name);
        for path in &candidates {
            if let Some(p) = self.fresh(path, 0) {
                return Ok(p);
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
                return self.load_binary(path, &bytes, hooks);
            }
            match self.provider.read_file(path) {
                Ok(text) => return self.compile_text(path, text, hooks),
                Err(SourceError::NotFound) => continue,
                Err(e) => return Err(failure(path, 0, &e.to_string())),
            }
        }
        // A name spelled with the extension its loaded object's source
        // lacks still names that object's source.
        if let [path] = candidates.as_slice()
            && let Some(source) = self.provider.loaded_spellings.get(path).cloned()
            && let Ok(text) = self.provider.read_file(&source)
        {
            return self.compile_text(path, text, hooks);
        }
        let path = candidates.last().cloned().unwrap_or_default();
        let mut missing = failure(&path, 0, "file not found");
        missing.not_found = true;
        Err(missing)
    }

    fn load_binary(
        &mut self,
        path: &str,
        bytes: &[u8],
        hooks: &mut dyn CompileHooks,
    ) -> Result<Arc<Program>, CompileFailure> {
        let program = file::read(bytes).map_err(|e| failure(path, 0, &e.to_string()))?;
        verify::verify(&program).map_err(|e| failure(path, 0, &e.to_string()))?;
        let mut inherits = Vec::new();
        for inherit in &program.inherits {
            inherits.push(self.compile_with(&inherit.path, hooks)?);
        }
        let program = Arc::new(program);
        self.remember(path, program.clone(), inherits);
        Ok(program)
    }

    fn compile_text(
        &mut self,
        path: &str,
        text: Arc<str>,
        hooks: &mut dyn CompileHooks,
    ) -> Result<Arc<Program>, CompileFailure> {
        let options = ParseOptions {
            allow_static: self.check.allow_static,
        };
        self.compiled_lines.add(text.lines().count() as f64);
        let mut preprocess_config = self.check.preprocess_config();
        // An empty list keeps the configured directories too.
        if let Some(dirs) = hooks.include_path(path).filter(|d| !d.is_empty()) {
            // `:DEFAULT:` stands for the configured directories.
            let configured = std::mem::take(&mut preprocess_config.include_dirs);
            for dir in dirs {
                if dir == ":DEFAULT:" {
                    preprocess_config
                        .include_dirs
                        .extend(configured.iter().cloned());
                } else {
                    preprocess_config.include_dirs.push(dir);
                }
            }
        }
        let preprocessed = preprocess_with_hook(
            &self.provider,
            path,
            text,
            &preprocess_config,
            Some(&mut IncludeAsker { hooks: &mut *hooks }),
        );
        let (mut ast, parse_diagnostics) =
            parse(&preprocessed.tokens, &preprocessed.sources, &options);
        let sources = &preprocessed.sources;
        if preprocessed.pragmas.enabled_at_end(Pragma::Warnings) {
            for d in preprocessed.diagnostics.iter().chain(&parse_diagnostics) {
                report_warning(sources, d, hooks);
            }
        }
        let mut errors: Vec<&Diagnostic> = preprocessed
            .diagnostics
            .iter()
            .chain(&parse_diagnostics)
            .filter(|d| d.is_error())
            .collect();
        if errors.is_empty() {
            self.compiling.push(path.to_string());
            let resolved = self.resolve_inherits(path, &mut ast, sources, hooks);
            self.compiling.pop();
            resolved?;
        }
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
            if preprocessed.pragmas.enabled_at_end(Pragma::Warnings) {
                for d in &semantic {
                    report_warning(sources, d, hooks);
                }
            }
        }
        if !errors.is_empty() {
            return Err(CompileFailure {
                messages: errors.iter().map(|d| render(sources, d)).collect(),
                not_found: false,
            });
        }
        let efuns = self.efuns.clone();
        // A copy: inherits compiled on the way need the names too.
        let simul = self.simul_efuns.clone();
        let is_simul = |name: &str| simul.as_ref().is_some_and(|s| s.contains_key(name));
        let simul_float = |name: &str| simul.as_ref().is_some_and(|s| s.get(name) == Some(&true));
        let mut inherit_failure = None;
        let mut inherited = Vec::new();
        let result = {
            // Both closures ask the hooks, never at once: an inherit is
            // compiled between two calls of this file's code, not inside one.
            let hooks = std::cell::RefCell::new(hooks);
            let mut override_hook =
                |file: &str, name: &str| hooks.borrow_mut().valid_override(file, name, path);
            let mut inherit = |p: &str| match self.compile_with(p, *hooks.borrow_mut()) {
                Ok(program) => {
                    inherited.push(program.clone());
                    Ok(program)
                }
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
                simul_returns_float: Some(&simul_float),
                efuns: &efuns,
                valid_override: Some(&mut override_hook),
            };
            codegen::compile(&mut env, path, &ast, sources)
        };
        if let Some(f) = inherit_failure {
            return Err(f);
        }
        let program = result.map_err(|diagnostics| CompileFailure {
            messages: diagnostics.iter().map(|d| render(sources, d)).collect(),
            not_found: false,
        })?;
        verify::verify(&program)
            .map_err(|e| failure(path, 0, &format!("internal compiler error: {e}")))?;
        let program = Arc::new(program);
        // The inherits in declaration order, as `fresh` compares them.
        let inherits = program
            .inherits
            .iter()
            .filter_map(|decl| inherited.iter().find(|p| p.path == decl.path).cloned())
            .collect();
        self.remember(path, program.clone(), inherits);
        Ok(program)
    }
}

impl Compiler {
    /// Asks the master about each `inherit` of `ast` (rewriting the path
    /// it names, or supplying the source) and compiles the inherited
    /// files, so that their own inherits are settled before this file is
    /// checked against them.
    fn resolve_inherits(
        &mut self,
        path: &str,
        ast: &mut lpcc::ast::Program,
        sources: &SourceMap,
        hooks: &mut dyn CompileHooks,
    ) -> Result<(), CompileFailure> {
        for item in &mut ast.items {
            let Item::Inherit(inherit) = item else {
                continue;
            };
            let at = |message: &str| {
                let (file, message) = render_at(sources, inherit.path_span, message);
                CompileFailure {
                    messages: vec![(file, message)],
                    not_found: false,
                }
            };
            let private = inherit.modifiers.contains(Modifiers::PRIVATE);
            match hooks.inherit_program(path, &inherit.path, private) {
                InheritAnswer::Default => {}
                InheritAnswer::Path(target) => inherit.path = target.into(),
                InheritAnswer::Source(text) => {
                    let name = crate::vm::object_name(&inherit.path);
                    // An empty source, or a program already loaded under the
                    // name, leaves the inherit to the usual lookup.
                    if !text.is_empty() && !hooks.is_loaded(&name) {
                        let file = format!("{name}.c");
                        self.supply_source(&file, Arc::from(text));
                        inherit.path = file.into();
                    }
                }
                InheritAnswer::Refuse(message) => return Err(at(&message)),
            }
            let target = crate::vm::object_name(&inherit.path);
            if self
                .compiling
                .iter()
                .any(|c| crate::vm::object_name(c) == target)
            {
                let message = if crate::vm::object_name(path) == target {
                    "Illegal to inherit self.".to_string()
                } else {
                    format!("inherit cycle: {target} inherits itself")
                };
                return Err(at(&message));
            }
            if let Err(failure) = self.compile_with(&inherit.path, hooks) {
                if !failure.not_found {
                    return Err(failure);
                }
                let message = format!("Inherited file '{target}' does not exist!");
                return Err(at(&message));
            }
        }
        Ok(())
    }

    /// Makes `text` the source of `file`, forgetting what was compiled
    /// from other text under that name.
    fn supply_source(&mut self, file: &str, text: Arc<str>) {
        let previous = self.provider.inline.insert(file.to_string(), text.clone());
        if previous.is_some_and(|p| p != text) {
            self.programs.remove(file);
        }
        // Summaries are cached by path; this text may differ from the last.
        self.check.inherit_cache.clear();
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
        not_found: false,
    }
}

fn render(sources: &SourceMap, d: &Diagnostic) -> (String, String) {
    render_at(sources, d.span(), &d.message)
}

fn render_at(sources: &SourceMap, span: lpcc::span::Span, message: &str) -> (String, String) {
    let file = sources.name(span.file).to_string();
    let (line, _) = sources.line_col(span);
    let message = format!("{file} line {line}: {message}\n");
    (file, message)
}

/// Passes a warning on to the master, as the driver logs compile errors.
fn report_warning(sources: &SourceMap, d: &Diagnostic, hooks: &mut dyn CompileHooks) {
    if d.severity != lpcc::diagnostic::Severity::Warning {
        return;
    }
    let (file, message) = render_at(sources, d.span(), &format!("Warning: {}", d.message));
    hooks.warning(&file, &message);
}
