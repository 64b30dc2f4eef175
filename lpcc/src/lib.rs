//! The shared LPC front-end: lexing, preprocessing, parsing and checking,
//! with no I/O of its own. Files come in through [`source::SourceProvider`].

pub mod ast;
pub mod bytecode;
pub mod check;
pub mod codegen;
pub mod config;
pub mod diagnostic;
pub mod expansion;
pub mod format;
pub mod host;
pub mod lexer;
pub mod parser;
pub mod preprocess;
pub mod render;
pub mod sema;
pub mod source;
pub mod span;
