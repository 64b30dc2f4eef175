//! The `lpc-lsp` binary: the LPC language server over standard input and output.

fn main() {
    lpc_lsp::server::run_stdio();
}
