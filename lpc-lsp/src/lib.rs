//! `lpc-lsp`: the LPC language server. It runs the exact front-end of
//! `lpcc`, so the editor reports what the compiler reports.

pub mod analysis;
pub mod cancel;
pub mod config;
pub mod features;
pub mod pos;
pub mod resolve;
pub mod runtime;
pub mod server;
pub mod uses;
pub mod vfs;
pub mod world;
