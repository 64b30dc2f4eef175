//! Efun signatures and documentation for every driver package, read from
//! FluffOS-style `.spec` files embedded in the crate.
//!
//! [`load_all`] gives the [`EfunTable`] of a build configuration; the compiler
//! checks calls against it and the language server shows its docs.

mod docs;
mod error;
mod model;
mod parser;
mod preprocess;
mod table;

pub use docs::{DOCS_COMMAND, DOCS_PATH, docs_markdown, render_markdown};
pub use error::SpecError;
pub use model::{DefaultValue, DocArg, Efun, EfunDoc, Location, Operator, Origin, Param, Type};
pub use parser::{SpecFile, parse_spec};
pub use table::{
    DEFAULT_SYMBOLS, EfunTable, PACKAGES, Package, SpecOptions, default_packages, load_all,
    package, package_macro, package_symbol,
};
