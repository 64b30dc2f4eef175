//! Completion, filtered by the typed prefix and capped, so that a keystroke
//! never ships hundreds of items: locals, the file's and inherited
//! declarations, simul_efuns, macros, efuns with signature and docs,
//! keywords, and paths inside `#include` and `inherit` strings.

use rustc_hash::FxHashSet;
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, CompletionList, Documentation, MarkupContent, MarkupKind,
};

use crate::analysis::{FileAnalysis, FileSummary, SymbolKind};
use crate::features::hover::{efun_markdown, symbol_markdown};
use crate::resolve::{Qualifier, in_comment_or_string, is_ident_byte, locals_at, qualifier_before};
use crate::world::World;
use lpcc::source::{normalize_path, parent_dir};

/// Most items sent for one request; the list is marked incomplete past it,
/// so the editor asks again as the prefix grows.
pub const MAX_ITEMS: usize = 50;

pub const KEYWORDS: &[&str] = &[
    "break",
    "buffer",
    "case",
    "catch",
    "class",
    "continue",
    "default",
    "do",
    "efun",
    "else",
    "float",
    "for",
    "foreach",
    "function",
    "if",
    "in",
    "inherit",
    "int",
    "mapping",
    "mixed",
    "new",
    "nomask",
    "nosave",
    "object",
    "private",
    "protected",
    "public",
    "ref",
    "return",
    "sscanf",
    "string",
    "struct",
    "switch",
    "varargs",
    "void",
    "while",
];

pub fn completion(world: &World, analysis: &FileAnalysis, offset: u32) -> Option<CompletionList> {
    let text = analysis.text();
    let offset = (offset as usize).min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..offset];
    if let Some(items) = path_completion(world, analysis, line) {
        return Some(items);
    }
    if in_comment_or_string(text, offset as u32) {
        return None;
    }
    let bytes = text.as_bytes();
    let mut start = offset;
    while start > 0 && is_ident_byte(bytes[start - 1]) {
        start -= 1;
    }
    let prefix = &text[start..offset];
    if prefix.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let qualifier = qualifier_before(text, start as u32);
    let mut out = Collector::new(prefix);
    if let Some(items) = member_completion(world, analysis, start, &mut out) {
        return Some(items);
    }

    if qualifier == Qualifier::Efun {
        add_efuns(world, &mut out);
        return Some(out.finish());
    }
    if qualifier == Qualifier::None {
        for local in locals_at(&analysis.program, analysis.main_file(), start as u32)
            .into_iter()
            .rev()
        {
            out.add(&local.name, "0", || CompletionItem {
                kind: Some(CompletionItemKind::VARIABLE),
                detail: Some(local.text.clone()),
                ..CompletionItem::default()
            });
        }
    }
    let summary = world.own_summary(analysis);
    let symbols = match qualifier {
        Qualifier::Inherited(_) => world
            .inherited(&summary)
            .iter()
            .flat_map(|s| s.symbols.iter().cloned())
            .collect(),
        _ => world.visible_symbols(&summary),
    };
    for symbol in &symbols {
        if qualifier == Qualifier::Arrow && symbol.kind != SymbolKind::Function {
            continue;
        }
        let (kind, group) = match symbol.kind {
            SymbolKind::Function => (CompletionItemKind::FUNCTION, "1"),
            SymbolKind::Global => (CompletionItemKind::FIELD, "1"),
            SymbolKind::Class => (CompletionItemKind::STRUCT, "2"),
            SymbolKind::Macro => (CompletionItemKind::CONSTANT, "3"),
        };
        out.add(&symbol.name, group, || CompletionItem {
            kind: Some(kind),
            detail: Some(symbol.detail.clone()),
            documentation: Some(markdown(symbol_markdown(symbol))),
            ..CompletionItem::default()
        });
    }
    if qualifier != Qualifier::None {
        return Some(out.finish());
    }
    for definition in analysis.pre.macros_defined.iter().rev() {
        out.add(&definition.name, "3", || {
            let symbol = crate::analysis::macro_symbol(analysis.sources(), definition);
            CompletionItem {
                kind: Some(CompletionItemKind::CONSTANT),
                detail: Some(symbol.detail),
                ..CompletionItem::default()
            }
        });
    }
    add_efuns(world, &mut out);
    for keyword in KEYWORDS {
        out.add(keyword, "5", || CompletionItem {
            kind: Some(CompletionItemKind::KEYWORD),
            ..CompletionItem::default()
        });
    }
    Some(out.finish())
}

/// What a value before `.` or `->` is known to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Receiver {
    /// A value of the class named.
    Class(String),
    /// An object compiled from the file at this mudlib path.
    File(String),
}

/// Class members after `.` or `->` on a class value, and the functions of
/// the object's file after `->` on an object whose file is known. `None`
/// when the name at `start` follows neither, or the receiver is unknown.
fn member_completion(
    world: &World,
    analysis: &FileAnalysis,
    start: usize,
    out: &mut Collector<'_>,
) -> Option<CompletionList> {
    let text = analysis.text();
    let before = text[..start].trim_end();
    let (receiver_end, arrow) = if let Some(rest) = before.strip_suffix("->") {
        (rest.len(), true)
    } else if let Some(rest) = before.strip_suffix('.') {
        if rest.ends_with('.') {
            return None;
        }
        (rest.len(), false)
    } else {
        return None;
    };
    let receiver = receiver_text(text, receiver_end)?;
    let own = world.own_summary(analysis);
    match receiver_kind(world, analysis, &own, receiver, start as u32)? {
        Receiver::Class(class) => {
            for (ty, name) in class_members(world, analysis, &class) {
                out.add(&name, "0", || CompletionItem {
                    kind: Some(CompletionItemKind::FIELD),
                    detail: Some(format!("{ty} (class {class})")),
                    ..CompletionItem::default()
                });
            }
        }
        Receiver::File(path) if arrow => {
            let summary = world.summary(&path)?;
            for symbol in world.visible_symbols_of(&summary, false) {
                if symbol.kind != SymbolKind::Function || symbol.detail.contains("private ") {
                    continue;
                }
                out.add(&symbol.name, "0", || CompletionItem {
                    kind: Some(CompletionItemKind::METHOD),
                    detail: Some(symbol.detail.clone()),
                    documentation: Some(markdown(symbol_markdown(&symbol))),
                    ..CompletionItem::default()
                });
            }
        }
        Receiver::File(_) => return None,
    }
    Some(std::mem::replace(out, Collector::new("")).finish())
}

/// The expression that ends at `end`: a name, a call, or a string.
pub fn receiver_text(text: &str, end: usize) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut i = end;
    if i == 0 {
        return None;
    }
    match bytes[i - 1] {
        b')' => {
            let mut depth = 0;
            let mut in_string = false;
            while i > 0 {
                i -= 1;
                let b = bytes[i];
                if in_string {
                    if b == b'"' && (i == 0 || bytes[i - 1] != b'\\') {
                        in_string = false;
                    }
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b')' => depth += 1,
                    b'(' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    b';' | b'{' | b'}' => return None,
                    _ => {}
                }
            }
            while i > 0 && is_ident_byte(bytes[i - 1]) {
                i -= 1;
            }
        }
        b'"' => {
            i -= 1;
            while i > 0 && bytes[i - 1] != b'"' {
                i -= 1;
            }
            i = i.checked_sub(1)?;
        }
        b if is_ident_byte(b) => {
            while i > 0 && is_ident_byte(bytes[i - 1]) {
                i -= 1;
            }
        }
        _ => return None,
    }
    text.get(i..end).map(str::trim)
}

/// The class of a declaration written `class NAME var` (not an array).
fn declared_class(declaration: &str) -> Option<String> {
    if declaration.contains('*') {
        return None;
    }
    let rest = declaration.split("class ").nth(1)?;
    Some(rest.split_whitespace().next()?.to_string())
}

/// The file a string literal or string macro names, `.c` added.
fn path_value(analysis: &FileAnalysis, written: &str) -> Option<String> {
    let written = written.trim();
    let literal = if written.starts_with('"') {
        written.to_string()
    } else {
        let definition = crate::resolve::find_macro(analysis, written)?;
        definition.detail.split_once(written)?.1.trim().to_string()
    };
    let inner = literal.strip_prefix('"')?.strip_suffix('"')?;
    if inner.is_empty() || inner.contains('"') {
        return None;
    }
    Some(crate::config::with_c_extension(
        &lpcc::source::normalize_path(&format!("/{inner}")),
    ))
}

/// What the receiver expression is, as far as can be told; `own` is the
/// summary of the analysed file, for its globals.
pub fn receiver_kind(
    world: &World,
    analysis: &FileAnalysis,
    own: &FileSummary,
    receiver: &str,
    offset: u32,
) -> Option<Receiver> {
    if receiver.starts_with('"') {
        return path_value(analysis, receiver).map(Receiver::File);
    }
    if let Some(open) = receiver.find('(') {
        let callee = receiver[..open].trim();
        let args = receiver[open + 1..].strip_suffix(')')?;
        let first = args.split(',').next()?;
        return match callee {
            "load_object" | "find_object" | "clone_object" | "new" => {
                path_value(analysis, first).map(Receiver::File)
            }
            "this_object" if args.trim().is_empty() => Some(Receiver::File(analysis.path.clone())),
            _ => None,
        };
    }
    let locals = locals_at(&analysis.program, analysis.main_file(), offset);
    let declaration = match locals.iter().rev().find(|l| l.name == receiver) {
        Some(local) => local.text.clone(),
        None => {
            // Searched file by file rather than through the whole visible
            // list: the index asks this for every call on an object.
            let is_it =
                |s: &&crate::analysis::Symbol| s.name == receiver && s.kind == SymbolKind::Global;
            let global = own.symbols.iter().find(is_it).cloned().or_else(|| {
                world
                    .inherited(own)
                    .iter()
                    .find_map(|inherited| inherited.symbols.iter().find(is_it).cloned())
            });
            match global {
                Some(symbol) => symbol.detail,
                // `DAEMON->f()` with `#define DAEMON "/d/daemon"`.
                None => return path_value(analysis, receiver).map(Receiver::File),
            }
        }
    };
    if let Some(class) = declared_class(&declaration) {
        return Some(Receiver::Class(class));
    }
    assigned_file(analysis, receiver, offset).map(Receiver::File)
}

/// The file of the last `name = new("/x")` (or `clone_object`,
/// `load_object`, `find_object`) before `offset`, declarations included.
fn assigned_file(analysis: &FileAnalysis, name: &str, offset: u32) -> Option<String> {
    let text = analysis.text();
    let before = &text[..(offset as usize).min(text.len())];
    let bytes = before.as_bytes();
    let mut found = None;
    for (at, _) in before.match_indices(name) {
        let end = at + name.len();
        if (at > 0 && is_ident_byte(bytes[at - 1]))
            || end >= bytes.len()
            || is_ident_byte(bytes[end])
        {
            continue;
        }
        let Some(rest) = before[end..].trim_start().strip_prefix('=') else {
            continue;
        };
        if rest.starts_with('=') {
            continue;
        }
        let rest = rest.trim_start();
        let call_end = rest.find(')').map_or(rest.len(), |i| i + 1);
        if let Some(Receiver::File(path)) = receiver_kind_of_call(analysis, &rest[..call_end]) {
            found = Some(path);
        }
    }
    found
}

fn receiver_kind_of_call(analysis: &FileAnalysis, call: &str) -> Option<Receiver> {
    let open = call.find('(')?;
    let callee = call[..open].trim();
    if !matches!(
        callee,
        "load_object" | "find_object" | "clone_object" | "new"
    ) {
        return None;
    }
    let args = call[open + 1..].strip_suffix(')')?;
    path_value(analysis, args.split(',').next()?).map(Receiver::File)
}

/// The members of the class named, as visible from the file: (type, name).
fn class_members(world: &World, analysis: &FileAnalysis, class: &str) -> Vec<(String, String)> {
    for item in &analysis.program.items {
        if let lpcc::ast::Item::Class(c) = item
            && c.name.text == class
        {
            return c
                .members
                .iter()
                .map(|m| (crate::analysis::type_text(&m.ty), m.name.text.to_string()))
                .collect();
        }
    }
    let summary = world.own_summary(analysis);
    let Some(symbol) = world
        .visible_symbols(&summary)
        .into_iter()
        .find(|s| s.kind == SymbolKind::Class && s.name == class)
    else {
        return Vec::new();
    };
    // The class's detail lists one member a line, `type name;`.
    symbol
        .detail
        .lines()
        .filter_map(|line| {
            let line = line.trim().strip_suffix(';')?;
            let split = line.rfind([' ', '*'])?;
            Some((
                line[..=split].trim().to_string(),
                line[split + 1..].to_string(),
            ))
        })
        .collect()
}

fn add_efuns(world: &World, out: &mut Collector<'_>) {
    for efun in world.efuns.callable() {
        out.add(&efun.name, "4", || CompletionItem {
            kind: Some(CompletionItemKind::FUNCTION),
            detail: Some(efun.signature()),
            documentation: Some(markdown(efun_markdown(efun))),
            ..CompletionItem::default()
        });
    }
}

fn markdown(value: String) -> Documentation {
    Documentation::MarkupContent(MarkupContent {
        kind: MarkupKind::Markdown,
        value,
    })
}

/// Gathers the items whose label starts with the prefix (ignoring case),
/// each label once, the first offer of a label winning.
struct Collector<'p> {
    prefix: &'p str,
    seen: FxHashSet<String>,
    items: Vec<CompletionItem>,
}

impl<'p> Collector<'p> {
    fn new(prefix: &'p str) -> Collector<'p> {
        Collector {
            prefix,
            seen: FxHashSet::default(),
            items: Vec::new(),
        }
    }

    fn matches(&self, label: &str) -> bool {
        label.len() >= self.prefix.len()
            && label.as_bytes()[..self.prefix.len()].eq_ignore_ascii_case(self.prefix.as_bytes())
    }

    /// Offers `label`; `make` builds the item only when it is kept.
    fn add(&mut self, label: &str, group: &str, make: impl FnOnce() -> CompletionItem) {
        if !self.matches(label) || self.seen.contains(label) {
            return;
        }
        self.seen.insert(label.to_string());
        let exact_case = label.starts_with(self.prefix);
        let mut item = make();
        item.label = label.to_string();
        item.sort_text = Some(format!("{}{group}{label}", if exact_case { 0 } else { 1 }));
        self.items.push(item);
    }

    fn finish(mut self) -> CompletionList {
        self.items.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
        let is_incomplete = self.items.len() > MAX_ITEMS;
        self.items.truncate(MAX_ITEMS);
        CompletionList {
            is_incomplete,
            items: self.items,
        }
    }
}

/// Files and directories for the path being typed in an `#include` or
/// `inherit` string on `line` (the text before the cursor).
fn path_completion(world: &World, analysis: &FileAnalysis, line: &str) -> Option<CompletionList> {
    let trimmed = line.trim_start();
    let (dirs, typed, headers): (Vec<String>, &str, bool) = if let Some(rest) =
        trimmed.strip_prefix('#').map(str::trim_start)
    {
        let rest = rest.strip_prefix("include")?.trim_start();
        let here = parent_dir(&analysis.path).to_string();
        if let Some(typed) = rest.strip_prefix('<') {
            (world.config.check.include_dirs.clone(), typed, true)
        } else if let Some(typed) = rest.strip_prefix('"') {
            let mut dirs = vec![here];
            dirs.extend(world.config.check.include_dirs.iter().cloned());
            (dirs, typed, true)
        } else {
            return None;
        }
    } else {
        let quote = trimmed.find('"')?;
        let head = &trimmed[..quote];
        if !head.split_whitespace().any(|w| w == "inherit") || trimmed[quote + 1..].contains('"') {
            return None;
        }
        let typed = &trimmed[quote + 1..];
        let dirs = if typed.starts_with('/') {
            vec!["/".to_string()]
        } else {
            vec![parent_dir(&analysis.path).to_string(), "/".to_string()]
        };
        (dirs, typed, false)
    };
    let (typed_dir, typed_name) = match typed.rfind('/') {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None => ("", typed),
    };
    let mut out = Collector::new(typed_name);
    for dir in dirs {
        let dir = normalize_path(&format!("{dir}/{typed_dir}"));
        for name in world.vfs.list_dir(&dir) {
            let is_dir = name.ends_with('/');
            let wanted = is_dir
                || if headers {
                    name.ends_with(".h") || name.ends_with(".c")
                } else {
                    name.ends_with(".c")
                };
            if !wanted {
                continue;
            }
            let label = if !headers && !is_dir {
                name.trim_end_matches(".c").to_string()
            } else {
                name.clone()
            };
            out.add(&label, if is_dir { "1" } else { "0" }, || CompletionItem {
                kind: Some(if is_dir {
                    CompletionItemKind::FOLDER
                } else {
                    CompletionItemKind::FILE
                }),
                ..CompletionItem::default()
            });
        }
    }
    Some(out.finish())
}
