//! Benchmarks of each front-end phase on a large generated LPC file:
//! lexing, preprocessing (which includes lexing) and parsing.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lpcc::lexer::tokenize;
use lpcc::parser::{ParseOptions, parse};
use lpcc::preprocess::{PreprocessConfig, preprocess_text};
use lpcc::source::MemoryProvider;
use lpcc::span::FileId;

/// A mudlib-like file of about `functions * 25` lines: macros, classes,
/// mappings, loops, switches, closures and string building.
fn generate(functions: usize) -> String {
    let mut s = String::from(
        "#include <bench.h>\n#define LIMIT 100\n#define TWICE(x) ((x) * 2)\n\
         inherit \"/std/object\";\n\nclass entry {\n    string name;\n    int value;\n}\n\n\
         private mapping table = ([ ]);\nnosave string *names = ({ });\n\n",
    );
    for i in 0..functions {
        s.push_str(&format!(
            "/* Function number {i}: a little of everything. */\n\
             varargs int work_{i}(int n, string label, mixed *extra...) {{\n\
             \x20   int total = 0;\n\
             \x20   class entry e = new(class entry, name: label, value: n);\n\
             \x20   for (int j = 0; j < LIMIT; j++) {{\n\
             \x20       if (j % 3 == 0 && n > {i}) total += TWICE(j);\n\
             \x20       else total -= j;\n\
             \x20   }}\n\
             \x20   foreach (string k, int v in table) {{\n\
             \x20       total += v + strlen(k);\n\
             \x20   }}\n\
             \x20   switch (n) {{\n\
             \x20   case 0: return -1;\n\
             \x20   case 1..9: total *= 2; break;\n\
             \x20   default: total = total ?? 0;\n\
             \x20   }}\n\
             \x20   names += ({{ sprintf(\"%s-%d\", label, {i}) }});\n\
             \x20   table[label] = filter(extra, (: intp($1) && $1 > $(n) :));\n\
             \x20   e->value = total;\n\
             \x20   string msg = `${{label}}: ${{total}}`;\n\
             \x20   // a comment line\n\
             \x20   return sizeof(msg) + e->value + this_object()->query_{i}(n[0..<2]);\n\
             }}\n\n"
        ));
    }
    s
}

fn provider() -> MemoryProvider {
    MemoryProvider::new().with(
        "/include/bench.h",
        "#ifndef BENCH_H\n#define BENCH_H\n#define VERSION 3\n#endif\n",
    )
}

fn config() -> PreprocessConfig {
    PreprocessConfig {
        include_dirs: vec!["/include".to_string()],
        ..PreprocessConfig::default()
    }
}

fn bench_frontend(c: &mut Criterion) {
    let text: Arc<str> = Arc::from(generate(2000));
    let lines = text.lines().count() as u64;
    let provider = provider();
    let config = config();
    let mut group = c.benchmark_group("frontend");
    group.throughput(Throughput::Elements(lines));
    group.sample_size(20);

    group.bench_function("lex", |b| {
        b.iter(|| black_box(tokenize(black_box(&text), FileId(0))))
    });
    group.bench_function("preprocess", |b| {
        b.iter(|| {
            black_box(preprocess_text(
                &provider,
                "/bench.c",
                text.clone(),
                &config,
            ))
        })
    });
    let pre = preprocess_text(&provider, "/bench.c", text.clone(), &config);
    assert!(pre.diagnostics.iter().all(|d| !d.is_error()));
    group.bench_function("parse", |b| {
        b.iter(|| black_box(parse(&pre.tokens, &pre.sources, &ParseOptions::default())))
    });
    group.bench_function("preprocess+parse", |b| {
        b.iter(|| {
            let pre = preprocess_text(&provider, "/bench.c", text.clone(), &config);
            black_box(parse(&pre.tokens, &pre.sources, &ParseOptions::default()))
        })
    });
    group.finish();
}

criterion_group!(benches, bench_frontend);
criterion_main!(benches);
