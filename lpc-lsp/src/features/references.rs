//! Find references, rename and document highlight, by resolved names: a
//! name is matched by what it binds to, so two unrelated functions or
//! locals of the same name do not share references, while a function and
//! its overrides down the inherit chain do. Macros, which semantic analysis
//! never sees, are matched as whole words.

use std::collections::HashMap;

use lpcc::source::{SourceFile, SourceProvider};
use rayon::prelude::*;
use tower_lsp_server::ls_types::{
    DocumentHighlight, DocumentHighlightKind, Location, PrepareRenameResponse, Range, TextEdit,
    Uri, WorkspaceEdit,
};

use crate::analysis::{FileAnalysis, SymbolKind};
use crate::features::completion::KEYWORDS;
use crate::pos::offset_to_position;
use crate::resolve::{Target, ident_at, in_comment_or_string, is_ident_byte, target_at};
use crate::uses::{FileUses, Identities, Identity, resolve_file};
use crate::world::World;

/// Most locations sent for one request.
pub const MAX_REFERENCES: usize = 2000;

/// A place a name occurs, and whether it declares it there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub path: String,
    pub range: Range,
    pub declaration: bool,
}

/// What the cursor is on, for the searches below.
enum Subject {
    Name(Identity, String),
    Macro(String),
}

fn subject(
    world: &World,
    analysis: &FileAnalysis,
    here: &FileUses,
    offset: u32,
) -> Option<Subject> {
    if let Some(found) = here.at(offset) {
        let identity = Identities::new(world).of(&analysis.path, found);
        return Some(Subject::Name(identity, found.name.to_string()));
    }
    let (Target::Symbol(symbol), _) = target_at(world, analysis, offset)? else {
        return None;
    };
    (symbol.kind == SymbolKind::Macro).then(|| Subject::Macro(symbol.name.to_string()))
}

/// Every occurrence of what the name at `offset` binds to, in the file
/// and, unless it is a local, the whole workspace. `None` also when the
/// world's work is cancelled while the workspace is searched.
pub fn occurrences(world: &World, analysis: &FileAnalysis, offset: u32) -> Option<Vec<Occurrence>> {
    let here = resolve_file(world, analysis, true);
    match subject(world, analysis, &here, offset)? {
        Subject::Macro(name) => {
            let found = macro_occurrences(world, analysis, &name);
            (!world.cancelled()).then_some(found)
        }
        Subject::Name(identity, name) => {
            let mut found = matching(world, &here, &identity, &name);
            if matches!(identity, Identity::Local(..)) {
                return Some(found);
            }
            let mut paths = world.vfs.all_files(&world.config.exclude);
            paths.retain(|p| p != &analysis.path && !p.ends_with(".h"));
            let others: Vec<std::sync::Arc<FileUses>> = paths
                .par_iter()
                .filter(|_| !world.cancelled())
                .filter_map(|path| match world.uses.get(path) {
                    Some(uses) => Some(uses),
                    None => {
                        let text = world.vfs.read(path).ok()?;
                        if !text.contains(name.as_str()) {
                            return None;
                        }
                        world.file_uses(path)
                    }
                })
                .collect();
            if world.cancelled() {
                return None;
            }
            for uses in others {
                found.extend(matching(world, &uses, &identity, &name));
                if found.len() >= MAX_REFERENCES {
                    break;
                }
            }
            found.truncate(MAX_REFERENCES);
            Some(found)
        }
    }
}

fn matching(world: &World, uses: &FileUses, identity: &Identity, name: &str) -> Vec<Occurrence> {
    let mut identities = Identities::new(world);
    uses.uses
        .iter()
        .filter(|u| u.name == name && identities.of(&uses.path, u) == *identity)
        .map(|u| Occurrence {
            path: uses.path.clone(),
            range: u.range,
            declaration: u.declaration,
        })
        .collect()
}

pub fn references(
    world: &World,
    analysis: &FileAnalysis,
    offset: u32,
    include_declaration: bool,
) -> Option<Vec<Location>> {
    let found = occurrences(world, analysis, offset)?;
    Some(
        found
            .into_iter()
            .filter(|o| include_declaration || !o.declaration)
            .filter_map(|o| Some(Location::new(world.vfs.uri_of_path(&o.path)?, o.range)))
            .collect(),
    )
}

/// The occurrences in this file of what the name at `offset` binds to.
pub fn highlight(
    world: &World,
    analysis: &FileAnalysis,
    offset: u32,
) -> Option<Vec<DocumentHighlight>> {
    let here = resolve_file(world, analysis, true);
    let found = match subject(world, analysis, &here, offset)? {
        Subject::Macro(name) => word_occurrences(analysis.text(), &analysis.path, &name),
        Subject::Name(identity, name) => matching(world, &here, &identity, &name),
    };
    Some(
        found
            .into_iter()
            .filter(|o| o.path == analysis.path)
            .map(|o| DocumentHighlight {
                range: o.range,
                kind: Some(if o.declaration {
                    DocumentHighlightKind::WRITE
                } else {
                    DocumentHighlightKind::READ
                }),
            })
            .collect(),
    )
}

/// Why a name cannot be renamed, or the range of the name to rename.
pub fn prepare_rename(
    world: &World,
    analysis: &FileAnalysis,
    offset: u32,
) -> Result<Option<PrepareRenameResponse>, String> {
    let here = resolve_file(world, analysis, true);
    let Some(found) = here.at(offset) else {
        let (start, end, name) =
            ident_at(analysis.text(), offset).ok_or("nothing to rename here")?;
        if KEYWORDS.contains(&name) {
            return Err(format!("`{name}` is a keyword"));
        }
        // Macros are not names semantic analysis sees: they are renamed as
        // whole words wherever they stand outside comments and strings.
        if let Some(Subject::Macro(_)) = subject(world, analysis, &here, offset) {
            let file = analysis.sources().file(analysis.main_file());
            return Ok(Some(PrepareRenameResponse::Range(Range {
                start: crate::pos::offset_to_position(file, start),
                end: crate::pos::offset_to_position(file, end),
            })));
        }
        return Err(format!("`{name}` is not a name this file declares or uses"));
    };
    if let Some(why) = refusal(world, analysis, found) {
        return Err(why);
    }
    Ok(Some(PrepareRenameResponse::Range(found.range)))
}

fn refusal(world: &World, analysis: &FileAnalysis, found: &crate::uses::Use) -> Option<String> {
    match Identities::new(world).of(&analysis.path, found) {
        Identity::Efun(name) => Some(format!("`{name}` is an efun, part of the driver")),
        _ => None,
    }
}

/// The edits that rename what the name at `offset` binds to, everywhere.
pub fn rename(
    world: &World,
    analysis: &FileAnalysis,
    offset: u32,
    new_name: &str,
) -> Result<Option<WorkspaceEdit>, String> {
    let valid = new_name
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && new_name.bytes().all(is_ident_byte);
    if !valid {
        return Err(format!("`{new_name}` is not an identifier"));
    }
    if KEYWORDS.contains(&new_name) {
        return Err(format!("`{new_name}` is a keyword"));
    }
    prepare_rename(world, analysis, offset)?;
    let found = occurrences(world, analysis, offset).ok_or("nothing to rename here")?;
    // A rename that cannot reach the declaration would leave the code broken:
    // class members declared in an included header are found only where used.
    if !found.iter().any(|o| o.declaration) {
        return Err("the declaration is in an included file; rename it there".to_string());
    }
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for o in found {
        let Some(uri) = world.vfs.uri_of_path(&o.path) else {
            continue;
        };
        let edits = changes.entry(uri).or_default();
        if !edits.iter().any(|e| e.range == o.range) {
            edits.push(TextEdit::new(o.range, new_name.to_string()));
        }
    }
    Ok(Some(WorkspaceEdit::new(changes)))
}

/// A macro's name as a whole word in every file of the workspace.
fn macro_occurrences(world: &World, analysis: &FileAnalysis, name: &str) -> Vec<Occurrence> {
    let mut paths = world.vfs.all_files(&world.config.exclude);
    if !paths.contains(&analysis.path) {
        paths.push(analysis.path.clone());
    }
    let mut found: Vec<Occurrence> = paths
        .par_iter()
        .flat_map_iter(|path| {
            if world.cancelled() {
                return Vec::new();
            }
            let Ok(text) = world.vfs.read(path) else {
                return Vec::new();
            };
            word_occurrences(&text, path, name)
        })
        .collect();
    found.truncate(MAX_REFERENCES);
    found
}

fn word_occurrences(text: &str, path: &str, name: &str) -> Vec<Occurrence> {
    if !text.contains(name) {
        return Vec::new();
    }
    let file = SourceFile::new(path.to_string(), text.into());
    let bytes = text.as_bytes();
    text.match_indices(name)
        .map(|(at, _)| at)
        .filter(|&at| {
            let end = at + name.len();
            let before_ok = at == 0 || !is_ident_byte(bytes[at - 1]);
            let after_ok = end >= bytes.len() || !is_ident_byte(bytes[end]);
            before_ok
                && after_ok
                && !in_comment_or_string(text, at as u32)
                && !in_block_comment(text, at)
        })
        .map(|at| {
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let declaration = text[line_start..at].trim_start().starts_with('#');
            Occurrence {
                path: path.to_string(),
                range: Range::new(
                    offset_to_position(&file, at as u32),
                    offset_to_position(&file, (at + name.len()) as u32),
                ),
                declaration,
            }
        })
        .collect()
}

/// Whether `at` lies inside a `/* */` comment.
fn in_block_comment(text: &str, at: usize) -> bool {
    let before = &text[..at];
    match (before.rfind("/*"), before.rfind("*/")) {
        (Some(open), Some(close)) => open > close,
        (Some(_), None) => true,
        _ => false,
    }
}
