//! The shared LPC front-end: lexing, preprocessing, parsing and checking,
//! with no I/O of its own. Files come in through [`source::SourceProvider`].

pub mod ast;
pub mod diagnostic;
pub mod lexer;
pub mod parser;
pub mod source;
pub mod span;
