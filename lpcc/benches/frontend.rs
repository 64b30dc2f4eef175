//! Benchmarks of each front-end phase: lexing, preprocessing (which
//! includes lexing), parsing, and preprocessing plus parsing, on two inputs:
//! a dense generated file (about 9 tokens a line) and mudlib-style code with
//! comments, blank lines and short lines (about 5 tokens a line, like the
//! driver's own test suite). Throughput is in lines per second; the token
//! density of each input is printed first, so tokens per second is lines per
//! second times that density.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lpcc::lexer::tokenize;
use lpcc::parser::{ParseOptions, parse};
use lpcc::preprocess::{PreprocessConfig, preprocess_text};
use lpcc::source::MemoryProvider;
use lpcc::span::FileId;

/// A dense file of about `functions * 25` lines: macros, classes, mappings,
/// loops, switches, closures and string building in every function.
fn generate_dense(functions: usize) -> String {
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

/// Mudlib-style code of about `rooms * 60` lines: room files with header
/// comments, short calls, string and mapping literals, blank lines.
fn generate_mudlib(rooms: usize) -> String {
    let mut s = String::from(
        "/*\n * A generated area: many rooms of a small town.\n */\n\n\
         #include <bench.h>\n\ninherit ROOM;\n\n",
    );
    for i in 0..rooms {
        s.push_str(&format!(
            "/*\n\
             \x20* Room {i} of the town square.\n\
             \x20* Players drink from the fountain here.\n\
             \x20*/\n\
             \n\
             private int visits_{i};\n\
             nosave mapping greeted_{i} = ([ ]);\n\
             \n\
             void create_{i}() {{\n\
             \x20   ::create();\n\
             \x20   set_short(\"The town square\");\n\
             \x20   set_long(\n\
             \x20       \"A wide square paved with worn grey stones. A fountain \"\n\
             \x20       \"splashes in the middle and paths lead off in every \"\n\
             \x20       \"direction.\\n\");\n\
             \x20   set_exits(([\n\
             \x20       \"north\" : TOWN \"road_{i}\",\n\
             \x20       \"south\" : TOWN \"gate\",\n\
             \x20       \"east\" : TOWN \"market\",\n\
             \x20   ]));\n\
             \x20   set_items(([\n\
             \x20       \"fountain\" : \"Water arcs from a stone fish.\\n\",\n\
             \x20       ({{ \"stones\", \"stone\" }}) : \"They are smooth with age.\\n\",\n\
             \x20   ]));\n\
             \x20   set_property(\"light\", 2);\n\
             }}\n\
             \n\
             // Greets each player once per reset.\n\
             void init_{i}() {{\n\
             \x20   object who = this_player();\n\
             \n\
             \x20   ::init();\n\
             \x20   add_action(\"do_drink\", \"drink\");\n\
             \x20   if (!userp(who)) return;\n\
             \x20   if (greeted_{i}[who->query_name()]) return;\n\
             \x20   greeted_{i}[who->query_name()] = 1;\n\
             \x20   visits_{i}++;\n\
             }}\n\
             \n\
             int do_drink_{i}(string str) {{\n\
             \x20   if (str != \"water\" && str != \"from fountain\") {{\n\
             \x20       return notify_fail(\"Drink what?\\n\");\n\
             \x20   }}\n\
             \x20   write(\"You drink some cool water.\\n\");\n\
             \x20   say(who_name() + \" drinks from the fountain.\\n\");\n\
             \x20   return 1;\n\
             }}\n\
             \n\
             string who_name_{i}() {{\n\
             \x20   return capitalize(this_player()->query_name());\n\
             }}\n\
             \n\
             void reset_{i}() {{\n\
             \x20   ::reset();\n\
             \x20   if (sizeof(greeted_{i}) > MAX_GREETED) {{\n\
             \x20       greeted_{i} = ([ ]);\n\
             \x20   }}\n\
             }}\n\
             \n"
        ));
    }
    s
}

fn provider() -> MemoryProvider {
    MemoryProvider::new().with(
        "/include/bench.h",
        "#ifndef BENCH_H\n#define BENCH_H\n#define VERSION 3\n#define ROOM \"/std/room\"\n\
         #define TOWN \"/domains/town/\"\n#define MAX_GREETED 50\n#endif\n",
    )
}

fn config() -> PreprocessConfig {
    PreprocessConfig {
        include_dirs: vec!["/include".to_string()],
        ..PreprocessConfig::default()
    }
}

fn bench_input(c: &mut Criterion, name: &str, text: String) {
    let text: Arc<str> = Arc::from(text);
    let lines = text.lines().count() as u64;
    let provider = provider();
    let config = config();
    let pre = preprocess_text(&provider, "/bench.c", text.clone(), &config);
    assert!(pre.diagnostics.iter().all(|d| !d.is_error()));
    let (_, parse_diagnostics) = parse(&pre.tokens, &pre.sources, &ParseOptions::default());
    assert!(parse_diagnostics.iter().all(|d| !d.is_error()));
    let tokens = pre.tokens.len() as u64;
    eprintln!(
        "frontend-{name}: {lines} lines, {tokens} tokens after preprocessing, {:.2} tokens a line",
        tokens as f64 / lines as f64
    );

    let mut group = c.benchmark_group(format!("frontend-{name}"));
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

fn bench_frontend(c: &mut Criterion) {
    bench_input(c, "dense", generate_dense(2000));
    bench_input(c, "mudlib", generate_mudlib(800));
}

criterion_group!(benches, bench_frontend);
criterion_main!(benches);
