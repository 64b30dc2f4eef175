//! Go to definition: locals, declarations through the inherit chain,
//! simul_efuns, macros, and the files of `#include` and `inherit` lines.

use tower_lsp_server::ls_types::Location;

use crate::analysis::FileAnalysis;
use crate::features::{file_location, location};
use crate::pos::span_range;
use crate::resolve::{Target, target_at};
use crate::world::World;

pub fn definition(world: &World, analysis: &FileAnalysis, offset: u32) -> Option<Location> {
    let (target, _) = target_at(world, analysis, offset)?;
    match target {
        Target::Local(local) => Some(Location::new(
            world.vfs.uri_of_path(&analysis.path)?,
            span_range(analysis.sources(), local.span),
        )),
        Target::Symbol(symbol) => location(world, &symbol.loc),
        Target::File(path) => file_location(world, &path),
        Target::Efun(_) => None,
    }
}
