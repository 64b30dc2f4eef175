//! Tests of code generation: disassembly snapshots.
