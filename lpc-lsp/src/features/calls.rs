//! Call hierarchy: the functions that call a function, and those it calls,
//! from the resolved names of the workspace.

use std::collections::BTreeMap;

use tower_lsp_server::ls_types::{
    CallHierarchyIncomingCall, CallHierarchyItem, CallHierarchyOutgoingCall, Range,
    SymbolKind as Kind,
};

use crate::analysis::{FileAnalysis, SymbolKind};
use crate::features::references::occurrences;
use crate::uses::{Bind, resolve_file};
use crate::world::World;

fn item(
    world: &World,
    path: &str,
    name: &str,
    detail: &str,
    range: Range,
) -> Option<CallHierarchyItem> {
    Some(CallHierarchyItem {
        name: name.to_string(),
        kind: Kind::FUNCTION,
        tags: None,
        detail: Some(detail.to_string()),
        uri: world.vfs.uri_of_path(path)?,
        range,
        selection_range: range,
        data: None,
    })
}

/// The function declared in `path` under `name`, as an item; `analysis`
/// is the open document's, whose own summary may be newer than the index's.
fn function_item(
    world: &World,
    analysis: &FileAnalysis,
    path: &str,
    name: &str,
) -> Option<CallHierarchyItem> {
    let summary = if path == analysis.path {
        world.own_summary(analysis)
    } else {
        world.summary(path)?
    };
    let symbol = world
        .visible_symbols(&summary)
        .into_iter()
        .find(|s| s.kind == SymbolKind::Function && s.name == name)?;
    item(
        world,
        &symbol.loc.path,
        name,
        &symbol.detail,
        symbol.loc.range,
    )
}

pub fn prepare(
    world: &World,
    analysis: &FileAnalysis,
    offset: u32,
) -> Option<Vec<CallHierarchyItem>> {
    let uses = resolve_file(world, analysis, false);
    let found = uses.at(offset)?;
    let Bind::Function(declared_in) = &found.bind else {
        return None;
    };
    let path = if found.declaration {
        &analysis.path
    } else {
        declared_in.as_str()
    };
    Some(vec![function_item(world, analysis, path, &found.name)?])
}

/// The calls of the function named at `offset`, grouped by calling function.
pub fn incoming(
    world: &World,
    analysis: &FileAnalysis,
    offset: u32,
) -> Option<Vec<CallHierarchyIncomingCall>> {
    let found = occurrences(world, analysis, offset)?;
    let mut by_caller: BTreeMap<(String, String), Vec<Range>> = BTreeMap::new();
    for o in found.into_iter().filter(|o| !o.declaration) {
        let Some(uses) = world.file_uses(&o.path).or_else(|| {
            (o.path == analysis.path)
                .then(|| std::sync::Arc::new(resolve_file(world, analysis, false)))
        }) else {
            continue;
        };
        let container = uses
            .uses
            .iter()
            .find(|u| u.range == o.range)
            .and_then(|u| u.container.clone());
        if let Some(caller) = container {
            by_caller
                .entry((o.path.clone(), caller.to_string()))
                .or_default()
                .push(o.range);
        }
    }
    Some(
        by_caller
            .into_iter()
            .filter_map(|((path, caller), from_ranges)| {
                Some(CallHierarchyIncomingCall {
                    from: function_item(world, analysis, &path, &caller)?,
                    from_ranges,
                })
            })
            .collect(),
    )
}

/// The functions that the function declared at `offset` calls.
pub fn outgoing(
    world: &World,
    analysis: &FileAnalysis,
    offset: u32,
) -> Option<Vec<CallHierarchyOutgoingCall>> {
    let uses = resolve_file(world, analysis, false);
    let function = uses.at(offset)?.name.clone();
    let mut by_callee: BTreeMap<(String, String), Vec<Range>> = BTreeMap::new();
    for u in &uses.uses {
        if u.declaration || u.container.as_ref() != Some(&function) {
            continue;
        }
        if let Bind::Function(declared_in) = &u.bind {
            by_callee
                .entry((declared_in.to_string(), u.name.to_string()))
                .or_default()
                .push(u.range);
        }
    }
    Some(
        by_callee
            .into_iter()
            .filter_map(|((path, callee), from_ranges)| {
                Some(CallHierarchyOutgoingCall {
                    to: function_item(world, analysis, &path, &callee)?,
                    from_ranges,
                })
            })
            .collect(),
    )
}
