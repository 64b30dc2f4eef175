//! Name resolution for the whole workspace: what every name of a file
//! binds to, as `lpcc`'s semantic analysis sees it, and an identity for
//! each binding that holds across files. A function overridden down an
//! inherit chain is one identity (renaming it must rename the overrides);
//! two unrelated functions of the same name are two.

use std::sync::Arc;

use lpcc::parser::ParseOptions;
use lpcc::sema::{Binding, SemaEnv, resolve_program};
use lpcc::span::Span;
use rustc_hash::FxHashMap;
use smol_str::SmolStr;
use tower_lsp_server::ls_types::Range;

use crate::analysis::{FileAnalysis, SymbolKind};
use crate::pos::span_range;
use crate::world::World;

/// What a name binds to, with inherited names pinned to the file that
/// declares them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Bind {
    /// A local or parameter: where its name is declared, in the same file.
    Local(u32),
    /// A function declared in the file named.
    Function(SmolStr),
    /// A global variable declared in the file named.
    Global(SmolStr),
    Efun,
    /// A member of the class named.
    Member(SmolStr),
}

/// One name of a file.
#[derive(Clone, Debug)]
pub struct Use {
    pub name: SmolStr,
    pub start: u32,
    pub end: u32,
    pub range: Range,
    pub bind: Bind,
    pub declaration: bool,
    /// The function whose body (or header) holds it.
    pub container: Option<SmolStr>,
}

/// The names of one file, in text order.
#[derive(Clone, Debug, Default)]
pub struct FileUses {
    pub path: String,
    pub uses: Vec<Use>,
}

impl FileUses {
    /// The name under (or just before) `offset`.
    pub fn at(&self, offset: u32) -> Option<&Use> {
        self.uses
            .iter()
            .find(|u| u.start <= offset && offset < u.end)
            .or_else(|| self.uses.iter().find(|u| u.end == offset))
    }
}

/// Resolves every name of the analysed file. `locals` keeps locals and
/// parameters, which only their own file needs.
pub fn resolve_file(world: &World, analysis: &FileAnalysis, locals: bool) -> FileUses {
    let check = &world.config.check;
    let preprocess = check.preprocess_config();
    let options = ParseOptions {
        allow_static: check.allow_static,
    };
    let simul = world
        .config
        .simul_efun
        .as_deref()
        .or(check.simul_efun_file.as_deref());
    let env = SemaEnv {
        provider: &*world.vfs,
        preprocess: &preprocess,
        parse: &options,
        efuns: check.efun_table.as_deref(),
        simul_efun_file: simul,
        cache: &check.inherit_cache,
    };
    let resolved = resolve_program(&env, &analysis.path, &analysis.program, &analysis.pre);
    let main = analysis.main_file();
    let sources = analysis.sources();
    let text = analysis.text();
    let own: SmolStr = SmolStr::new(&analysis.path);
    let simul_path: Option<SmolStr> =
        simul.map(|s| SmolStr::new(crate::config::with_c_extension(s)));
    let functions: Vec<(u32, u32, SmolStr)> = analysis
        .program
        .items
        .iter()
        .filter_map(|item| match item {
            lpcc::ast::Item::Function(f) if f.span.file == main => {
                Some((f.span.start, f.span.end, f.name.text.clone()))
            }
            _ => None,
        })
        .collect();
    let container = |at: u32| {
        functions
            .iter()
            .find(|(start, end, _)| *start <= at && at <= *end)
            .map(|(_, _, name)| name.clone())
    };
    let mut uses: Vec<Use> = resolved
        .uses
        .into_iter()
        .filter(|u| u.span.file == main)
        // A name written through a macro is the macro's, not this name's.
        .filter(|u| text.get(u.span.start as usize..u.span.end as usize) == Some(&*u.name))
        .filter_map(|u| {
            let bind = match u.binding {
                Binding::Local { decl } if locals => Bind::Local(decl.start),
                Binding::Local { .. } => return None,
                Binding::Function { origin } => Bind::Function(origin.unwrap_or(own.clone())),
                Binding::Global { origin } => Bind::Global(origin.unwrap_or(own.clone())),
                Binding::SimulEfun => Bind::Function(simul_path.clone()?),
                Binding::Efun => Bind::Efun,
                Binding::Member { class } => Bind::Member(class),
            };
            Some(Use {
                range: span_range(sources, Span::new(main, u.span.start, u.span.end)),
                start: u.span.start,
                end: u.span.end,
                name: u.name,
                bind,
                declaration: u.declaration,
                container: container(u.span.start),
            })
        })
        .collect();
    uses.sort_by_key(|u| u.start);
    FileUses {
        path: analysis.path.clone(),
        uses,
    }
}

/// A binding's identity across the workspace.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Identity {
    /// A local of one file, by its declaration's offset.
    Local(String, u32),
    /// A function or global: the most ancestral file that declares the
    /// name, among the declaring file and what it inherits.
    Declared(SymbolKind, SmolStr, String),
    Efun(SmolStr),
    Member(SmolStr, SmolStr),
}

/// Works out identities, remembering each declaring file's root.
pub struct Identities<'w> {
    world: &'w World,
    roots: FxHashMap<(SymbolKind, SmolStr, SmolStr), String>,
}

impl<'w> Identities<'w> {
    pub fn new(world: &'w World) -> Identities<'w> {
        Identities {
            world,
            roots: FxHashMap::default(),
        }
    }

    pub fn of(&mut self, path: &str, u: &Use) -> Identity {
        match &u.bind {
            Bind::Local(decl) => Identity::Local(path.to_string(), *decl),
            Bind::Efun => Identity::Efun(u.name.clone()),
            Bind::Member(class) => Identity::Member(class.clone(), u.name.clone()),
            Bind::Function(file) => self.declared(SymbolKind::Function, &u.name, file),
            Bind::Global(file) => self.declared(SymbolKind::Global, &u.name, file),
        }
    }

    fn declared(&mut self, kind: SymbolKind, name: &SmolStr, file: &SmolStr) -> Identity {
        let key = (kind, name.clone(), file.clone());
        if let Some(root) = self.roots.get(&key) {
            return Identity::Declared(kind, name.clone(), root.clone());
        }
        let mut root = file.to_string();
        if let Some(summary) = self.world.summary(file) {
            for ancestor in self.world.inherited(&summary) {
                if ancestor
                    .symbols
                    .iter()
                    .any(|s| s.kind == kind && s.name == *name)
                {
                    root = ancestor.path.clone();
                }
            }
        }
        self.roots.insert(key, root.clone());
        Identity::Declared(kind, name.clone(), root)
    }
}

/// The resolved names of every indexed file, filled by the background
/// index and on demand.
#[derive(Debug, Default)]
pub struct UsesIndex {
    files: std::sync::RwLock<FxHashMap<String, Arc<FileUses>>>,
}

impl UsesIndex {
    pub fn get(&self, path: &str) -> Option<Arc<FileUses>> {
        self.files.read().ok()?.get(path).cloned()
    }

    pub fn insert(&self, uses: FileUses) -> Arc<FileUses> {
        let uses = Arc::new(uses);
        if let Ok(mut files) = self.files.write() {
            files.insert(uses.path.clone(), uses.clone());
        }
        uses
    }

    pub fn remove(&self, path: &str) {
        if let Ok(mut files) = self.files.write() {
            files.remove(path);
        }
    }

    pub fn clear(&self) {
        if let Ok(mut files) = self.files.write() {
            files.clear();
        }
    }

    pub fn all(&self) -> Vec<Arc<FileUses>> {
        self.files
            .read()
            .map(|f| f.values().cloned().collect())
            .unwrap_or_default()
    }
}
