//! The driver as a library: the VM, the efuns, the network and the boot
//! sequence, so that the `driver` binary, tests and fuzz targets share them.
// The driver reads the config, the mudlib and writes logs.
#![allow(clippy::disallowed_methods)]
// `Value` hashes arrays, mappings and functions by identity, never by their
// contents, so their interior mutability cannot change a key's hash.
#![allow(clippy::mutable_key_type)]

pub mod asyncwork;
pub mod backend;
pub mod boot;
pub mod compile;
pub mod ed;
pub mod efuns;
pub mod jail;
pub mod metrics;
pub mod net;
pub mod runtime;
pub mod vm;
pub mod web;
