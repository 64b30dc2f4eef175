//! Measures lexing plus preprocessing speed on a synthetic 100,000-line
//! file: `cargo run --release --example pp_throughput`.

use std::time::Instant;

use lpcc::preprocess::{PreprocessConfig, preprocess};
use lpcc::source::MemoryProvider;

fn synthetic(lines: usize) -> String {
    let mut src = String::from(
        "#include <defs.h>\n#define MAX(a, b) ((a) > (b) ? (a) : (b))\n#define LIMIT 100\n",
    );
    let mut i = 0;
    while src.lines().count() < 3 || i * 10 < lines {
        src.push_str(&format!(
            "// function number {i}\n\
             int func_{i}(int x, string name) {{\n\
             \tmapping m = ([ \"key\": x, \"name\": name ]);\n\
             \tif (x > LIMIT) return MAX(x, {i});\n\
             \tforeach (string k, mixed v in m) {{\n\
             \t\twrite(sprintf(\"%s=%O\\n\", k, v));\n\
             \t}}\n\
             \treturn x * 2 + sizeof(name) - TRUE;\n\
             }}\n\n"
        ));
        i += 1;
    }
    src
}

fn main() {
    let src = synthetic(100_000);
    let lines = src.lines().count();
    let provider = MemoryProvider::new()
        .with("/bench.c", &src)
        .with("/include/defs.h", "#define TRUE 1\n#define FALSE 0\n");
    let config = PreprocessConfig {
        include_dirs: vec!["/include".into()],
        ..PreprocessConfig::default()
    };
    let mut best = f64::MAX;
    let mut tokens = 0;
    for _ in 0..5 {
        let start = Instant::now();
        let pp = preprocess(&provider, "/bench.c", &config);
        best = best.min(start.elapsed().as_secs_f64());
        tokens = pp.tokens.len();
        assert!(pp.diagnostics.is_empty(), "{:?}", pp.diagnostics);
    }
    println!(
        "{lines} lines, {tokens} tokens: {:.1} ms, {:.0} lines/s",
        best * 1e3,
        lines as f64 / best
    );
}
