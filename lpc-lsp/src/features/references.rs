//! Find references. Locals are searched in their function; every other
//! name in every file of the workspace, as a whole word outside comments and
//! strings. This is by name, not by resolution: two unrelated functions of
//! the same name share their references.

use lpcc::source::{SourceFile, SourceProvider};
use rayon::prelude::*;
use tower_lsp_server::ls_types::{Location, Range};

use crate::analysis::FileAnalysis;
use crate::pos::offset_to_position;
use crate::resolve::{
    Target, function_at, ident_at, in_comment_or_string, is_ident_byte, target_at,
};
use crate::world::World;

/// Most locations sent for one request.
pub const MAX_REFERENCES: usize = 2000;

pub fn references(world: &World, analysis: &FileAnalysis, offset: u32) -> Option<Vec<Location>> {
    let (target, _) = target_at(world, analysis, offset)?;
    let (_, _, name) = ident_at(analysis.text(), offset)?;
    if let Target::Local(_) = &target {
        let main = analysis.main_file();
        let function = function_at(&analysis.program, main, offset)?;
        let body = function.span;
        let uri = world.vfs.uri_of_path(&analysis.path)?;
        let file = analysis.sources().file(main);
        let found = occurrences(&file.text, name)
            .filter(|&at| at >= body.start && at <= body.end)
            .map(|at| Location::new(uri.clone(), word_range(file, at, name)))
            .collect();
        return Some(found);
    }
    if let Target::File(_) = target {
        return None;
    }
    let mut paths = world.vfs.all_files(&world.config.exclude);
    if !paths.contains(&analysis.path) {
        paths.push(analysis.path.clone());
    }
    let mut found: Vec<Location> = paths
        .par_iter()
        .flat_map_iter(|path| {
            let Ok(text) = world.vfs.read(path) else {
                return Vec::new();
            };
            if !text.contains(name) {
                return Vec::new();
            }
            let Some(uri) = world.vfs.uri_of_path(path) else {
                return Vec::new();
            };
            let file = SourceFile::new(path.clone(), text.clone());
            occurrences(&text, name)
                .map(|at| Location::new(uri.clone(), word_range(&file, at, name)))
                .collect()
        })
        .collect();
    found.truncate(MAX_REFERENCES);
    Some(found)
}

/// Where `name` occurs in `text` as a whole word outside `//` comments and strings.
fn occurrences<'t>(text: &'t str, name: &'t str) -> impl Iterator<Item = u32> + 't {
    let bytes = text.as_bytes();
    text.match_indices(name)
        .map(|(at, _)| at)
        .filter(move |&at| {
            let end = at + name.len();
            let before_ok = at == 0 || !is_ident_byte(bytes[at - 1]);
            let after_ok = end >= bytes.len() || !is_ident_byte(bytes[end]);
            before_ok
                && after_ok
                && !in_comment_or_string(text, at as u32)
                && !in_block_comment(text, at)
        })
        .map(|at| at as u32)
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

fn word_range(file: &SourceFile, at: u32, name: &str) -> Range {
    Range::new(
        offset_to_position(file, at),
        offset_to_position(file, at + name.len() as u32),
    )
}
