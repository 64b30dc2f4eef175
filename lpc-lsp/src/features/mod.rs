//! The language features, each a plain function of the world and one
//! analysed file, answering in protocol types; the server only moves them
//! off the I/O tasks.

pub mod calls;
pub mod code_actions;
pub mod completion;
pub mod definition;
pub mod diagnostics;
pub mod folding;
pub mod formatting;
pub mod hover;
pub mod inlay;
pub mod links;
pub mod references;
pub mod semantic_tokens;
pub mod signature;
pub mod symbols;

use tower_lsp_server::ls_types::{Location, Range, Uri};

use crate::analysis::Loc;
use crate::world::World;

/// A protocol location for a place in the mudlib.
pub fn location(world: &World, loc: &Loc) -> Option<Location> {
    Some(Location::new(world.vfs.uri_of_path(&loc.path)?, loc.range))
}

pub fn file_location(world: &World, path: &str) -> Option<Location> {
    let uri: Uri = world.vfs.uri_of_path(path)?;
    Some(Location::new(uri, Range::default()))
}
