//! What only the `lpcc` binary needs: files on disk and surviving panics.

pub mod disk;
pub mod fmt;
pub mod panic;
