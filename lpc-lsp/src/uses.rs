//! Name resolution for the whole workspace: what every name of a file
//! binds to, as `lpcc`'s semantic analysis sees it, and an identity for
//! each binding that holds across files. A function overridden down an
//! inherit chain is one identity (renaming it must rename the overrides);
//! two unrelated functions of the same name are two.

use std::sync::Arc;

use lpcc::lexer::{Token, TokenKind};
use lpcc::parser::ParseOptions;
use lpcc::sema::{Binding, SemaEnv, resolve_program};
use lpcc::span::Span;
use rustc_hash::FxHashMap;
use smol_str::SmolStr;
use tower_lsp_server::ls_types::Range;

use crate::analysis::{FileAnalysis, FileSummary, SymbolKind};
use crate::features::completion::{Receiver, receiver_kind, receiver_text};
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
    /// A call on another object whose file is known, `ob->f(...)` or
    /// `call_other(ob, "f")`, bound to that file's function.
    pub on_object: bool,
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
                on_object: false,
            })
        })
        .collect();
    for call in object_calls(world, analysis) {
        uses.push(Use {
            range: span_range(sources, Span::new(main, call.start, call.end)),
            start: call.start,
            end: call.end,
            bind: Bind::Function(SmolStr::new(&call.file)),
            declaration: false,
            container: container(call.start),
            name: call.name,
            on_object: true,
        });
    }
    uses.sort_by_key(|u| u.start);
    FileUses {
        path: analysis.path.clone(),
        uses,
    }
}

/// A function called by name on an object whose file is known.
struct ObjectCall {
    name: SmolStr,
    start: u32,
    end: u32,
    file: String,
}

/// The calls `ob->f(...)` and `call_other(ob, "f", ...)` written in the
/// main file whose object's file completion can tell (a path or a macro
/// for one, an object loaded, found or cloned from one, `this_object()`,
/// or a variable assigned such an object). Calls on objects of unknown file are left out: matching them
/// by name alone would bind them to functions they may never reach.
fn object_calls(world: &World, analysis: &FileAnalysis) -> Vec<ObjectCall> {
    let main = analysis.main_file();
    let text = analysis.text();
    // Tokens from macro expansions stand where the macro is written, not
    // where their text is.
    let tokens: Vec<&Token> = analysis
        .pre
        .tokens
        .iter()
        .filter(|t| t.span.file == main && t.origin == 0)
        .collect();
    let written = |t: &Token| text.get(t.span.start as usize..t.span.end as usize);
    // Made at most once, and not stored: the index may be mid-run, and
    // storing a summary there drops what depends on it.
    let own = std::cell::OnceCell::new();
    let own = || own.get_or_init(|| world.own_summary(analysis)).clone();
    let mut out = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let next = |k: usize| tokens.get(i + k).map(|t| t.kind);
        if token.kind == TokenKind::Arrow
            && next(1) == Some(TokenKind::Ident)
            && next(2) == Some(TokenKind::LParen)
        {
            let name = tokens[i + 1];
            let Some(receiver) = receiver_text(text, token.span.start as usize) else {
                continue;
            };
            let Some(Receiver::File(file)) =
                receiver_kind(world, analysis, &own(), receiver, token.span.start)
            else {
                continue;
            };
            let Some(written) = written(name) else {
                continue;
            };
            out.push(ObjectCall {
                name: SmolStr::new(written),
                start: name.span.start,
                end: name.span.end,
                file,
            });
        } else if token.kind == TokenKind::Ident
            && written(token) == Some("call_other")
            && next(1) == Some(TokenKind::LParen)
            && let Some(call) = call_other(world, analysis, &own(), &tokens[i + 2..])
        {
            out.push(call);
        }
    }
    out
}

/// The call in `call_other(` followed by `args`, when its object's file is
/// known and it names the function with a plain string.
fn call_other(
    world: &World,
    analysis: &FileAnalysis,
    own: &FileSummary,
    args: &[&Token],
) -> Option<ObjectCall> {
    let text = analysis.text();
    let mut depth = 0i32;
    let comma = args.iter().position(|t| {
        match t.kind {
            TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
            TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => depth -= 1,
            _ => {}
        }
        depth < 0 || (depth == 0 && t.kind == TokenKind::Comma)
    })?;
    if comma == 0 || args[comma].kind != TokenKind::Comma {
        return None;
    }
    let function = args.get(comma + 1)?;
    let after = args.get(comma + 2)?.kind;
    if function.kind != TokenKind::Str || !matches!(after, TokenKind::Comma | TokenKind::RParen) {
        return None;
    }
    let (start, end) = (function.span.start + 1, function.span.end.checked_sub(1)?);
    let name = text.get(start as usize..end as usize)?;
    let valid = name
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && name.bytes().all(crate::resolve::is_ident_byte);
    if !valid {
        return None;
    }
    let receiver = text
        .get(args[0].span.start as usize..args[comma].span.start as usize)?
        .trim();
    let Receiver::File(file) = receiver_kind(world, analysis, own, receiver, args[0].span.start)?
    else {
        return None;
    };
    Some(ObjectCall {
        name: SmolStr::new(name),
        start,
        end,
        file,
    })
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
