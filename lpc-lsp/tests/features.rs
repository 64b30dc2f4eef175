//! In-process tests of every feature on multi-file fixtures: `//- /path`
//! starts a file, `$0` marks the cursor, and the answers are snapshots.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use efun_specs::EfunTable;
use lpc_lsp::analysis::FileAnalysis;
use lpc_lsp::config::WorkspaceConfig;
use lpc_lsp::features::{completion, definition, diagnostics, folding, hover, signature, symbols};
use lpc_lsp::vfs::Vfs;
use lpc_lsp::world::{World, load_efuns};
use tower_lsp_server::ls_types::DocumentSymbol;
use tower_lsp_server::ls_types::{
    CompletionItemKind, Documentation, HoverContents, Location, ParameterLabel,
};

fn efuns() -> Arc<EfunTable> {
    static EFUNS: OnceLock<Arc<EfunTable>> = OnceLock::new();
    EFUNS.get_or_init(|| Arc::new(load_efuns())).clone()
}

/// The world of a fixture, the file holding `$0` analysed, and the cursor offset.
fn fixture(text: &str) -> (World, FileAnalysis, u32) {
    let mut files: Vec<(String, String)> = Vec::new();
    for chunk in text.split("//- ").filter(|c| !c.trim().is_empty()) {
        let (path, body) = chunk.split_once('\n').unwrap_or((chunk, ""));
        files.push((path.trim().to_string(), body.to_string()));
    }
    let mut cursor = None;
    for (path, body) in &mut files {
        if let Some(at) = body.find("$0") {
            body.replace_range(at..at + 2, "");
            cursor = Some((path.clone(), at as u32));
        }
    }
    // Without a marker, the last file is the one under test.
    let (path, offset) = cursor.unwrap_or_else(|| (files[files.len() - 1].0.clone(), 0));
    let mut config = WorkspaceConfig::bare(PathBuf::from("/mud"));
    config.check.include_dirs = vec!["/include".into()];
    if files.iter().any(|(p, _)| p == "/secure/simul_efun.c") {
        config.simul_efun = Some("/secure/simul_efun.c".into());
    }
    let world = World::new(
        config,
        Vfs::in_memory(PathBuf::from("/mud"), &files),
        efuns(),
    );
    let analysis = world.analyze_path(&path).expect("the cursor file exists");
    world.refresh(&analysis);
    (world, analysis, offset)
}

fn show_location(location: &Location) -> String {
    let path = location.uri.path().as_str().trim_start_matches("/mud");
    let start = location.range.start;
    format!("{path}:{}:{}", start.line + 1, start.character + 1)
}

fn hover_of(text: &str) -> String {
    let (world, analysis, offset) = fixture(text);
    let answer = hover::hover(&world, &analysis, offset).map(|h| match h.contents {
        HoverContents::Markup(m) => m.value,
        other => format!("{other:?}"),
    });
    answer.unwrap_or_else(|| "<none>".into())
}

fn definition_of(text: &str) -> String {
    let (world, analysis, offset) = fixture(text);
    let answer = definition::definition(&world, &analysis, offset);
    answer.as_ref().map_or("<none>".into(), show_location)
}

fn completion_of(text: &str) -> String {
    let (world, analysis, offset) = fixture(text);
    let Some(list) = completion::completion(&world, &analysis, offset) else {
        return "<none>".into();
    };
    let mut out = String::new();
    if list.is_incomplete {
        out.push_str("(incomplete)\n");
    }
    for item in &list.items {
        let kind = match item.kind {
            Some(CompletionItemKind::VARIABLE) => "local",
            Some(CompletionItemKind::FUNCTION) => "fn",
            Some(CompletionItemKind::FIELD) => "global",
            Some(CompletionItemKind::CONSTANT) => "macro",
            Some(CompletionItemKind::KEYWORD) => "kw",
            Some(CompletionItemKind::FILE) => "file",
            Some(CompletionItemKind::FOLDER) => "dir",
            Some(CompletionItemKind::STRUCT) => "class",
            Some(CompletionItemKind::METHOD) => "method",
            _ => "?",
        };
        let detail = item.detail.as_deref().unwrap_or("");
        let doc = match &item.documentation {
            Some(Documentation::MarkupContent(_)) => " +doc",
            _ => "",
        };
        out.push_str(&format!("{kind} {} {detail}{doc}\n", item.label));
    }
    out
}

fn signature_of(text: &str) -> String {
    let (world, analysis, offset) = fixture(text);
    let Some(help) = signature::signature_help(&world, &analysis, offset) else {
        return "<none>".into();
    };
    let sig = &help.signatures[0];
    let active = help.active_parameter.unwrap_or(0) as usize;
    let units: Vec<u16> = sig.label.encode_utf16().collect();
    let marked = match sig
        .parameters
        .as_ref()
        .and_then(|p| p.get(active))
        .map(|p| &p.label)
    {
        Some(ParameterLabel::LabelOffsets([a, b])) => {
            String::from_utf16_lossy(&units[*a as usize..*b as usize])
        }
        _ => String::new(),
    };
    format!("{}\nactive: {marked}", sig.label)
}

fn diagnostics_of(text: &str) -> String {
    let (world, analysis, _) = fixture(text);
    let mut out = String::new();
    for d in diagnostics::check(&world, &analysis) {
        let code = match &d.code {
            Some(tower_lsp_server::ls_types::NumberOrString::String(c)) => c.clone(),
            _ => String::new(),
        };
        let start = d.range.start;
        out.push_str(&format!(
            "{}:{} {code} {}\n",
            start.line + 1,
            start.character + 1,
            d.message
        ));
        for related in d.related_information.iter().flatten() {
            out.push_str(&format!(
                "  related {} {}\n",
                show_location(&related.location),
                related.message
            ));
        }
    }
    out
}

fn symbols_of(text: &str) -> String {
    fn walk(out: &mut String, symbols: &[DocumentSymbol], depth: usize) {
        for s in symbols {
            let start = s.range.start.line + 1;
            let end = s.range.end.line + 1;
            let detail = s.detail.as_deref().unwrap_or("");
            out.push_str(&format!(
                "{}{:?} {} [{start}-{end}] {detail}\n",
                "  ".repeat(depth),
                s.kind,
                s.name
            ));
            walk(out, s.children.as_deref().unwrap_or(&[]), depth + 1);
        }
    }
    let (_, analysis, _) = fixture(text);
    let mut out = String::new();
    walk(&mut out, &symbols::document_symbols(&analysis), 0);
    out
}

fn folding_of(text: &str) -> String {
    let (_, analysis, _) = fixture(text);
    folding::folding_ranges(&analysis)
        .iter()
        .map(|r| format!("{}..{} {:?}\n", r.start_line + 1, r.end_line + 1, r.kind))
        .collect()
}

const ROOM: &str = r#"
//- /include/dirs.h
#define STD_ROOM "/std/room"
#define MAX_EXITS 8
//- /std/object.c
// The short description shown in lists.
string short_desc;

/** Sets the short description. */
void set_short(string s) { short_desc = s; }
string query_short() { return short_desc; }
//- /std/room.c
inherit "/std/object";
mapping exits = ([]);

void add_exit(string dir, string dest) { exits[dir] = dest; }
"#;

fn with_room(main: &str) -> String {
    format!("{ROOM}//- /d/start.c\n{main}")
}

#[test]
fn hover_on_an_efun_shows_its_signature_and_docs() {
    insta::assert_snapshot!(hover_of("//- /a.c\nvoid f() { this_pl$0ayer(); }\n"));
}

#[test]
fn hover_on_an_inherited_function_shows_its_declaration_and_doc() {
    insta::assert_snapshot!(hover_of(&with_room(
        "#include <dirs.h>\ninherit STD_ROOM;\nvoid create() { set_sh$0ort(\"x\"); }\n"
    )));
}

#[test]
fn hover_on_locals_globals_and_macros() {
    insta::assert_snapshot!(hover_of(
        "//- /a.c\nvoid f(int count) { string *names; names = ({}); return cou$0nt; }\n"
    ));
    insta::assert_snapshot!(hover_of(
        "//- /a.c\nvoid f(int count) { string *names; nam$0es = ({}); }\n"
    ));
    insta::assert_snapshot!(hover_of(&with_room(
        "#include <dirs.h>\ninherit STD_ROOM;\nint f() { return MAX_EX$0ITS + sizeof(exits); }\n"
    )));
    insta::assert_snapshot!(hover_of(&with_room(
        "inherit \"/std/room\";\nint f() { return sizeof(ex$0its); }\n"
    )));
    insta::assert_snapshot!(hover_of("//- /a.c\n// just a comment with this_pl$0ayer\n"));
}

#[test]
fn definition_follows_the_inherit_chain() {
    insta::assert_snapshot!(definition_of(&with_room(
        "inherit \"/std/room\";\nvoid create() { set_sh$0ort(\"x\"); add_exit(\"n\", \"/x\"); }\n"
    )), @"/std/object.c:5:6");
    insta::assert_snapshot!(definition_of(&with_room(
        "inherit \"/std/room\";\nvoid create() { add_ex$0it(\"n\", \"/x\"); }\n"
    )), @"/std/room.c:4:6");
    insta::assert_snapshot!(definition_of(&with_room(
        "inherit \"/std/room\";\nvoid set_short(string s) { ::set_sh$0ort(s); }\n"
    )), @"/std/object.c:5:6");
    insta::assert_snapshot!(definition_of(&with_room(
        "inherit \"/std/room\";\nvoid set_short(string s) { object::set_sh$0ort(s); }\n"
    )), @"/std/object.c:5:6");
}

#[test]
fn definition_of_locals_macros_and_paths() {
    insta::assert_snapshot!(definition_of("//- /a.c\nvoid f(int n) {\n  int total;\n  for (int i = 0; i < n; i++) total += $0i;\n}\n"), @"/a.c:3:12");
    insta::assert_snapshot!(definition_of("//- /a.c\nint total;\nvoid f(int n) { tot$0al = n; }\n"), @"/a.c:1:5");
    insta::assert_snapshot!(definition_of(&with_room("#include <dirs.h>\ninherit STD_$0ROOM;\n")), @"/include/dirs.h:1:9");
    insta::assert_snapshot!(definition_of(&with_room("#include <di$0rs.h>\n")), @"/include/dirs.h:1:1");
    insta::assert_snapshot!(definition_of(&with_room("inherit \"/std/ro$0om\";\n")), @"/std/room.c:1:1");
    insta::assert_snapshot!(definition_of("//- /a.c\nvoid f() { write$0(\"x\"); }\n"), @"<none>");
}

#[test]
fn definition_reaches_simul_efuns() {
    insta::assert_snapshot!(definition_of(
        "//- /secure/simul_efun.c\nstring capitalize_all(string s) { return s; }\n//- /a.c\nvoid f() { capitalize_a$0ll(\"x\"); }\n"
    ), @"/secure/simul_efun.c:1:8");
}

#[test]
fn completion_is_filtered_by_the_prefix() {
    insta::assert_snapshot!(completion_of("//- /a.c\nvoid f() { this_pl$0 }\n"));
    insta::assert_snapshot!(completion_of(&with_room(
        "#include <dirs.h>\ninherit STD_ROOM;\nvoid create(int count) { int counter; co$0 }\n"
    )));
    insta::assert_snapshot!(completion_of(&with_room(
        "#include <dirs.h>\ninherit STD_ROOM;\nvoid create() { MAX$0 }\n"
    )));
}

#[test]
fn completion_never_sends_hundreds_of_items() {
    let all = completion_of("//- /a.c\nvoid f() { $0 }\n");
    assert!(all.starts_with("(incomplete)"), "{all}");
    assert!(all.lines().count() <= completion::MAX_ITEMS + 1);
}

#[test]
fn completion_after_scope_operators() {
    insta::assert_snapshot!(completion_of(&with_room(
        "inherit \"/std/room\";\nvoid create() { ::$0 }\n"
    )));
    insta::assert_snapshot!(completion_of("//- /a.c\nvoid f() { efun::this_o$0 }\n"));
}

#[test]
fn completion_of_paths() {
    insta::assert_snapshot!(completion_of(&with_room("#include <$0\n")));
    insta::assert_snapshot!(completion_of(&with_room("inherit \"/std/$0\n")));
    insta::assert_snapshot!(completion_of(&with_room("inherit \"/$0\n")));
}

#[test]
fn signature_help_for_efuns_and_functions() {
    insta::assert_snapshot!(signature_of(
        "//- /a.c\nvoid f() { explode(\"a,b\", $0); }\n"
    ));
    insta::assert_snapshot!(signature_of(&with_room(
        "inherit \"/std/room\";\nvoid create() { add_exit(\"north\", ({ 1, 2 }), $0); }\n"
    )));
    insta::assert_snapshot!(signature_of(&with_room(
        "inherit \"/std/room\";\nvoid create() { add_exit(query_short($0), \"x\"); }\n"
    )));
    insta::assert_snapshot!(signature_of("//- /a.c\nvoid f() { g(1); $0 }\n"), @"<none>");
}

#[test]
fn diagnostics_match_the_checker_with_include_trails() {
    insta::assert_snapshot!(diagnostics_of(
        "//- /include/bad.h\nint x = ;\n//- /a.c\n#include <bad.h>\n#include <missing.h>\nvoid f() { int y = 1 }\n"
    ));
}

#[test]
fn document_symbols_outline() {
    insta::assert_snapshot!(symbols_of(
        "//- /a.c\ninherit \"/std/object\";\nint a, *b;\nclass point {\n  int x;\n  int y;\n}\nvarargs string name(int n, mixed *rest...) {\n  return \"\";\n}\n"
    ));
}

#[test]
fn folding_ranges() {
    insta::assert_snapshot!(folding_of(
        "//- /a.c\n/*\n * header\n */\n#ifdef X\nint a;\n#endif\nvoid f() {\n  if (1) {\n    a = 1;\n  }\n}\n"
    ));
}

#[test]
fn workspace_symbols_come_from_the_index() {
    let (world, _, _) = fixture(ROOM);
    for path in ["/std/object.c", "/std/room.c"] {
        world.summary(path);
    }
    let found: Vec<String> = symbols::workspace_symbols(&world, "short")
        .iter()
        .map(|s| format!("{} {}", s.name, show_location(&s.location)))
        .collect();
    insta::assert_snapshot!(found.join("\n"));
}

fn references_of(text: &str) -> String {
    let (world, analysis, offset) = fixture(text);
    let Some(found) = lpc_lsp::features::references::references(&world, &analysis, offset, true)
    else {
        return "<none>".into();
    };
    let mut found = found;
    found.sort_by_key(|l| {
        (
            l.uri.to_string(),
            l.range.start.line,
            l.range.start.character,
        )
    });
    let lines: Vec<String> = found.iter().map(show_location).collect();
    lines.join("\n")
}

#[test]
fn references_across_the_workspace_and_within_a_function() {
    insta::assert_snapshot!(references_of(&with_room(
        "inherit \"/std/room\";\n// set_short in a comment\nvoid create() { set_sh$0ort(\"set_short\"); }\n"
    )), @r"
    /d/start.c:3:17
    /std/object.c:5:6
    ");
    insta::assert_snapshot!(references_of(
        "//- /a.c\nint n;\nvoid f(int n) { n$0 = n + 1; }\nvoid g() { n = 2; }\n"
    ), @r"
    /a.c:2:12
    /a.c:2:17
    /a.c:2:21
    ");
}

const UNRELATED: &str = r#"
//- /std/base.c
void reset() { }
int hp;
//- /std/mid.c
inherit "/std/base";
void reset() { ::reset(); hp = 1; }
//- /d/monster.c
inherit "/std/mid";
void f() { reset(); hp = 2; }
//- /d/other.c
// An unrelated object with its own reset and hp.
int hp;
void reset() { hp = 0; }
"#;

#[test]
fn references_follow_resolution_not_spelling() {
    // From a call: the override chain base -> mid -> monster, not /d/other.c.
    insta::assert_snapshot!(references_of(&UNRELATED.replace("{ reset(); hp = 2", "{ res$0et(); hp = 2")), @r"
    /d/monster.c:2:12
    /std/base.c:1:6
    /std/mid.c:2:6
    /std/mid.c:2:18
    ");
    insta::assert_snapshot!(references_of(&UNRELATED.replace("hp = 0", "h$0p = 0")), @r"
    /d/other.c:2:5
    /d/other.c:3:16
    ");
    insta::assert_snapshot!(references_of(&UNRELATED.replace("hp = 2", "h$0p = 2")), @r"
    /d/monster.c:2:21
    /std/base.c:2:5
    /std/mid.c:2:27
    ");
    // Two locals of the same name in two functions.
    insta::assert_snapshot!(references_of(
        "//- /a.c\nvoid f() { int i; i$0 = 1; }\nvoid g() { int i; i = 2; }\n"
    ), @r"
    /a.c:1:16
    /a.c:1:19
    ");
}

fn rename_of(text: &str, new_name: &str) -> String {
    let (world, analysis, offset) = fixture(text);
    let edit = match lpc_lsp::features::references::rename(&world, &analysis, offset, new_name) {
        Ok(Some(edit)) => edit,
        Ok(None) => return "<none>".into(),
        Err(why) => return format!("refused: {why}"),
    };
    let mut out = Vec::new();
    for (uri, mut edits) in edit.changes.unwrap_or_default() {
        let path = uri.path().as_str().trim_start_matches("/mud").to_string();
        let text =
            lpcc::source::SourceProvider::read(&*world.vfs, &path).expect("edited file exists");
        let file = lpcc::source::SourceFile::new(path.clone(), text.clone());
        edits.sort_by_key(|e| std::cmp::Reverse((e.range.start.line, e.range.start.character)));
        let mut text = text.to_string();
        for e in edits {
            let start = lpc_lsp::pos::position_to_offset(&file, e.range.start) as usize;
            let end = lpc_lsp::pos::position_to_offset(&file, e.range.end) as usize;
            text.replace_range(start..end, &e.new_text);
        }
        out.push(format!("//- {path}\n{text}"));
    }
    out.sort();
    out.join("")
}

#[test]
fn rename_across_the_inherit_chain() {
    insta::assert_snapshot!(rename_of(&UNRELATED.replace("{ reset(); hp = 2", "{ res$0et(); hp = 2"), "refresh"), @r#"
    //- /d/monster.c
    inherit "/std/mid";
    void f() { refresh(); hp = 2; }
    //- /std/base.c
    void refresh() { }
    int hp;
    //- /std/mid.c
    inherit "/std/base";
    void refresh() { ::refresh(); hp = 1; }
    "#);
    insta::assert_snapshot!(rename_of(
        "//- /a.c\nvoid f(int n) { n$0 = n + 1; }\nvoid g(int n) { n = 2; }\n", "count"
    ), @r"
    //- /a.c
    void f(int count) { count = count + 1; }
    void g(int n) { n = 2; }
    ");
}

#[test]
fn rename_refuses_efuns_keywords_and_bad_names() {
    insta::assert_snapshot!(rename_of("//- /a.c\nvoid f() { wri$0te(\"x\"); }\n", "say"), @"refused: `write` is an efun, part of the driver");
    insta::assert_snapshot!(rename_of("//- /a.c\nvoid f() { whi$0le (1) ; }\n", "x"), @"refused: `while` is a keyword");
    insta::assert_snapshot!(rename_of("//- /a.c\nint n;\nvoid f() { n$0 = 1; }\n", "int"), @"refused: `int` is a keyword");
    insta::assert_snapshot!(rename_of("//- /a.c\nint n;\nvoid f() { n$0 = 1; }\n", "2x"), @"refused: `2x` is not an identifier");
}

fn highlight_of(text: &str) -> String {
    let (world, analysis, offset) = fixture(text);
    let Some(found) = lpc_lsp::features::references::highlight(&world, &analysis, offset) else {
        return "<none>".into();
    };
    found
        .iter()
        .map(|h| {
            let kind = if h.kind == Some(tower_lsp_server::ls_types::DocumentHighlightKind::WRITE) {
                "decl"
            } else {
                "use"
            };
            format!(
                "{}:{} {kind}",
                h.range.start.line + 1,
                h.range.start.character + 1
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn document_highlight() {
    insta::assert_snapshot!(highlight_of(
        "//- /a.c\nint n;\nvoid f(int n) { n$0 = n + 1; }\nvoid g() { n = 2; }\n"
    ), @r"
    2:12 decl
    2:17 use
    2:21 use
    ");
    insta::assert_snapshot!(highlight_of(
        "//- /a.c\n#define MAX 3\nint f() { return MA$0X + MAX; }\n"
    ), @r"
    1:9 decl
    2:18 use
    2:24 use
    ");
}

#[test]
fn document_links_for_includes_and_inherits() {
    let (world, analysis, _) = fixture(&with_room(
        "#include <dirs.h>\ninherit \"/std/room\";\ninherit \"/std/missing\";\n",
    ));
    let links: Vec<String> = lpc_lsp::features::links::document_links(&world, &analysis)
        .iter()
        .map(|l| {
            let target = l.target.as_ref().map_or("", |t| t.path().as_str());
            format!(
                "{}:{}-{} {}",
                l.range.start.line + 1,
                l.range.start.character + 1,
                l.range.end.character + 1,
                target.trim_start_matches("/mud")
            )
        })
        .collect();
    insta::assert_snapshot!(links.join("\n"), @r"
    1:11-17 /include/dirs.h
    2:10-19 /std/room.c
    ");
}

fn tokens_of(text: &str) -> String {
    let (world, analysis, _) = fixture(text);
    let legend = lpc_lsp::features::semantic_tokens::legend();
    let tokens = lpc_lsp::features::semantic_tokens::semantic_tokens(&world, &analysis, None);
    let lines: Vec<&str> = analysis.text().lines().collect();
    let (mut line, mut col) = (0u32, 0u32);
    let mut out = String::new();
    for t in tokens {
        if t.delta_line > 0 {
            line += t.delta_line;
            col = t.delta_start;
        } else {
            col += t.delta_start;
        }
        let source: String = lines[line as usize]
            .encode_utf16()
            .skip(col as usize)
            .take(t.length as usize)
            .map(|u| char::from_u32(u as u32).unwrap_or('?'))
            .collect();
        let mut mods = Vec::new();
        for (i, m) in legend.token_modifiers.iter().enumerate() {
            if t.token_modifiers_bitset & (1 << i) != 0 {
                mods.push(m.as_str());
            }
        }
        out.push_str(&format!(
            "{}:{} {} {} {}\n",
            line + 1,
            col + 1,
            legend.token_types[t.token_type as usize].as_str(),
            mods.join(","),
            source
        ));
    }
    out
}

#[test]
fn semantic_tokens_classify_by_resolution() {
    insta::assert_snapshot!(tokens_of(
        "//- /a.c\n$0#include <dirs.h>\n#define LIMIT 10 // most\n/* state */\nint count;\n#if 0\nint dead;\n#endif\nclass pt { int x; }\nint f(int n, class pt p) {\n  string s = \"a\";\n  count += n + LIMIT + p.x;\n  return strlen(s) + f(1, p);\n}\n//- /include/dirs.h\n#define X 1\n"
    ));
}

#[test]
fn completion_of_class_members_and_object_functions() {
    insta::assert_snapshot!(completion_of(
        "//- /a.c\nclass pt { int x; string *names; }\nvoid f(class pt p) { p.$0 }\n"
    ), @r"
    global names string * (class pt)
    global x int (class pt)
    ");
    insta::assert_snapshot!(completion_of(
        "//- /include/pt.h\nclass pt { int x; int y; }\n//- /a.c\n#include <pt.h>\nclass pt origin;\nvoid f() { origin->$0 }\n"
    ), @r"
    global x int (class pt)
    global y int (class pt)
    ");
    insta::assert_snapshot!(completion_of(&with_room(
        "void f() { load_object(\"/std/room\")->add$0 }\n"
    )), @r#"
    method add_exit void add_exit(string dir, string dest) +doc
    "#);
    insta::assert_snapshot!(completion_of(&with_room(
        "#include <dirs.h>\nvoid f() { object r = new(STD_ROOM);\n  r->set$0 }\n"
    )), @r#"
    method set_short void set_short(string s) +doc
    "#);
    insta::assert_snapshot!(completion_of(&with_room(
        "void f() { object r;\n  r = clone_object(\"std/room\");\n  r->query_$0 }\n"
    )), @r#"
    method query_short string query_short() +doc
    "#);
    // A macro standing for the path.
    insta::assert_snapshot!(completion_of(&with_room(
        "#include <dirs.h>\nvoid f() { STD_ROOM->add$0 }\n"
    )), @r#"
    method add_exit void add_exit(string dir, string dest) +doc
    "#);
}

#[test]
fn inlay_hints_name_parameters() {
    let (world, analysis, _) = fixture(&with_room(
        "inherit \"/std/room\";\nvoid create() {\n  string dir = \"n\";\n  add_exit(dir, \"/d/x\");\n  write(explode(\"a b\", \" \"));\n}\n",
    ));
    let hints: Vec<String> = lpc_lsp::features::inlay::inlay_hints(&world, &analysis, None)
        .iter()
        .map(|h| {
            let label = match &h.label {
                tower_lsp_server::ls_types::InlayHintLabel::String(s) => s.clone(),
                other => format!("{other:?}"),
            };
            format!(
                "{}:{} {label}",
                h.position.line + 1,
                h.position.character + 1
            )
        })
        .collect();
    insta::assert_snapshot!(hints.join("\n"));
}

fn calls_of(text: &str) -> String {
    use lpc_lsp::features::calls;
    let (world, analysis, offset) = fixture(text);
    let Some(items) = calls::prepare(&world, &analysis, offset) else {
        return "<none>".into();
    };
    let item = &items[0];
    let path = item
        .uri
        .path()
        .as_str()
        .trim_start_matches("/mud")
        .to_string();
    let target = world.analyze_path(&path).expect("the item's file exists");
    let file = target.sources().file(target.main_file());
    let at = lpc_lsp::pos::position_to_offset(file, item.selection_range.start);
    let mut out = format!("item {} {path}:{}\n", item.name, item.range.start.line + 1);
    for call in calls::incoming(&world, &target, at).unwrap_or_default() {
        let from = call
            .from
            .uri
            .path()
            .as_str()
            .trim_start_matches("/mud")
            .to_string();
        out.push_str(&format!(
            "in  {} {from} x{}\n",
            call.from.name,
            call.from_ranges.len()
        ));
    }
    for call in calls::outgoing(&world, &target, at).unwrap_or_default() {
        let to = call
            .to
            .uri
            .path()
            .as_str()
            .trim_start_matches("/mud")
            .to_string();
        out.push_str(&format!(
            "out {} {to} x{}\n",
            call.to.name,
            call.from_ranges.len()
        ));
    }
    out
}

#[test]
fn call_hierarchy_incoming_and_outgoing() {
    insta::assert_snapshot!(calls_of(&with_room(
        "inherit \"/std/room\";\nvoid setup() { set_short(\"x\"); add_exit(\"n\", \"/x\"); add_exit(\"s\", \"/y\"); }\nvoid create() { setup(); }\nvoid reset() { set$0up(); }\n"
    )), @r"
    item setup /d/start.c:2
    in  create /d/start.c x1
    in  reset /d/start.c x1
    out set_short /std/object.c x1
    out add_exit /std/room.c x2
    ");
}

fn actions_of(text: &str) -> String {
    let (world, analysis, _) = fixture(text);
    let diagnostics = diagnostics::check(&world, &analysis);
    let actions = lpc_lsp::features::code_actions::code_actions(&world, &analysis, &diagnostics);
    let mut out = String::new();
    for action in actions {
        let tower_lsp_server::ls_types::CodeActionOrCommand::CodeAction(action) = action else {
            continue;
        };
        let edits: Vec<String> = action
            .edit
            .and_then(|e| e.changes)
            .unwrap_or_default()
            .into_values()
            .flatten()
            .map(|e| {
                format!(
                    "{}:{} {:?}",
                    e.range.start.line + 1,
                    e.range.start.character + 1,
                    e.new_text
                )
            })
            .collect();
        out.push_str(&format!("{} => {}\n", action.title, edits.join(", ")));
    }
    out
}

#[test]
fn code_actions_fix_names() {
    insta::assert_snapshot!(actions_of(
        "//- /a.c\nint f() { return strlne(\"x\"); }\n"
    ), @r#"
    Change to `strlen` => 1:18 "strlen"
    "#);
    insta::assert_snapshot!(actions_of(
        "//- /a.c\n$0int count;\nint f() {\n  cuont = 1;\n  return MAX_EXITS;\n}\n//- /include/dirs.h\n#define MAX_EXITS 8\n"
    ), @r##"
    Change to `count` => 3:3 "count"
    Declare local variable `cuont` => 2:10 "\n  mixed cuont;"
    Add `#include <dirs.h>` => 1:1 "#include <dirs.h>\n"
    "##);
}

#[test]
fn a_changed_header_resummarises_its_includers() {
    let (world, _, _) =
        fixture("//- /include/api.h\nvoid old_api();\n//- /a.c\n#include <api.h>\nvoid f() { }\n");
    world.summary("/a.c");
    let names = |world: &World| -> Vec<String> {
        let summary = world.index.get("/a.c").expect("indexed");
        summary.symbols.iter().map(|s| s.name.to_string()).collect()
    };
    assert_eq!(names(&world), ["old_api", "f"]);
    world
        .vfs
        .set_overlay("/include/api.h", "void new_api();\n".into());
    let refreshed = world.refresh_dependents("/include/api.h");
    assert_eq!(refreshed, ["/a.c"]);
    assert_eq!(names(&world), ["new_api", "f"]);
}

fn editor_options() -> tower_lsp_server::ls_types::FormattingOptions {
    tower_lsp_server::ls_types::FormattingOptions {
        tab_size: 4,
        insert_spaces: true,
        ..Default::default()
    }
}

#[test]
fn formatting_rewrites_the_document_and_leaves_formatted_text_alone() {
    use lpc_lsp::features::formatting::format_document;
    let (_, analysis, _) = fixture("//- /a.c\nint f(int x){\nif(x>1) return x*2;\n  return x;}\n");
    let edits = format_document(&analysis, &editor_options());
    assert_eq!(edits.len(), 1);
    insta::assert_snapshot!(edits[0].new_text, @r"
    int f(int x) {
        if (x > 1)
            return x * 2;
        return x;
    }
    ");
    let (_, formatted, _) = fixture(&format!("//- /a.c\n{}", edits[0].new_text));
    assert!(format_document(&formatted, &editor_options()).is_empty());
}

#[test]
fn formatting_refuses_text_that_does_not_lex() {
    use lpc_lsp::features::formatting::format_document;
    let (_, analysis, _) = fixture("//- /a.c\nint f() {\n  return \"open;\n}\n");
    assert!(format_document(&analysis, &editor_options()).is_empty());
}

#[test]
fn range_formatting_touches_only_the_selection() {
    use lpc_lsp::features::formatting::format_selection;
    use tower_lsp_server::ls_types::{Position, Range};
    let (_, analysis, _) = fixture("//- /a.c\nint a=1;\nint b=2;\n");
    let line = |n| Range {
        start: Position::new(n, 0),
        end: Position::new(n, 8),
    };
    let edits = format_selection(&analysis, line(1), &editor_options());
    assert_eq!(edits.len(), 1, "{edits:?}");
    // Apply the edit: the first line stays as written.
    let text = analysis.text();
    let file = analysis.sources().file(analysis.main_file());
    let start = lpc_lsp::pos::position_to_offset(file, edits[0].range.start) as usize;
    let end = lpc_lsp::pos::position_to_offset(file, edits[0].range.end) as usize;
    let edited = format!("{}{}{}", &text[..start], edits[0].new_text, &text[end..]);
    assert_eq!(edited, "int a=1;\nint b = 2;\n");
}

const OBJECT_CALLS: &str = r#"
//- /include/paths.h
#define SWORD "/obj/sword"
//- /std/weapon.c
int wield() { return 1; }
//- /obj/sword.c
inherit "/std/weapon";
int wield() { return ::wield() + 1; }
void polish() { this_object()->wield(); }
//- /obj/shield.c
// Another object with a function of the same name.
int wield() { return 0; }
//- /d/armoury.c
#include <paths.h>
object sword;
void create() { sword = clone_object(SWORD); }
void f(object who) {
    object blade = new(SWORD);
    blade->wield();
    load_object("/obj/sword")->wield();
    "/obj/sword"->wield();
    call_other("/obj/sword", "wield", 1);
    call_other(clone_object("/obj/sword"), "wield");
    who->wield();
    call_other(who, "wield");
    find_object("/obj/shield")->wield();
    sword->wield();
    SWORD->wield();
}
"#;

#[test]
fn calls_on_objects_of_known_files_are_references() {
    // From the base's declaration: the override and the calls on sword
    // objects; not the calls on `who` (unknown file) nor on the shield.
    insta::assert_snapshot!(references_of(&OBJECT_CALLS.replace("int wield() { return 1", "int wi$0eld() { return 1")), @r"
    /d/armoury.c:6:12
    /d/armoury.c:7:32
    /d/armoury.c:8:19
    /d/armoury.c:9:31
    /d/armoury.c:10:45
    /d/armoury.c:14:12
    /d/armoury.c:15:12
    /obj/sword.c:2:5
    /obj/sword.c:2:24
    /obj/sword.c:3:32
    /std/weapon.c:1:5
    ");
    // From a call on an object: the same set.
    insta::assert_snapshot!(references_of(&OBJECT_CALLS.replace("blade->wield", "blade->wi$0eld")), @r"
    /d/armoury.c:6:12
    /d/armoury.c:7:32
    /d/armoury.c:8:19
    /d/armoury.c:9:31
    /d/armoury.c:10:45
    /d/armoury.c:14:12
    /d/armoury.c:15:12
    /obj/sword.c:2:5
    /obj/sword.c:2:24
    /obj/sword.c:3:32
    /std/weapon.c:1:5
    ");
    // The shield's function has only its own call.
    insta::assert_snapshot!(references_of(&OBJECT_CALLS.replace("int wield() { return 0", "int wi$0eld() { return 0")), @r"
    /d/armoury.c:13:33
    /obj/shield.c:2:5
    ");
}

#[test]
fn rename_reaches_calls_on_objects() {
    insta::assert_snapshot!(rename_of(&OBJECT_CALLS.replace("\"/obj/sword\"->wield", "\"/obj/sword\"->wi$0eld"), "hold"), @r#"
    //- /d/armoury.c
    #include <paths.h>
    object sword;
    void create() { sword = clone_object(SWORD); }
    void f(object who) {
        object blade = new(SWORD);
        blade->hold();
        load_object("/obj/sword")->hold();
        "/obj/sword"->hold();
        call_other("/obj/sword", "hold", 1);
        call_other(clone_object("/obj/sword"), "hold");
        who->wield();
        call_other(who, "wield");
        find_object("/obj/shield")->wield();
        sword->hold();
        SWORD->hold();
    }
    //- /obj/sword.c
    inherit "/std/weapon";
    int hold() { return ::hold() + 1; }
    void polish() { this_object()->hold(); }
    //- /std/weapon.c
    int hold() { return 1; }
    "#);
}

#[test]
fn call_hierarchy_counts_calls_on_objects() {
    insta::assert_snapshot!(calls_of(&OBJECT_CALLS.replace("int wield() { return ::wield", "int wi$0eld() { return ::wield")), @r"
    item wield /obj/sword.c:2
    in  f /d/armoury.c x7
    in  polish /obj/sword.c x1
    in  wield /obj/sword.c x1
    out wield /std/weapon.c x1
    ");
    insta::assert_snapshot!(calls_of(&OBJECT_CALLS.replace("void f(object who)", "void f$0(object who)")), @r"
    item f /d/armoury.c:4
    out wield /obj/shield.c x1
    out wield /obj/sword.c x7
    ");
}

/// What workspace-wide work leaves behind when its world is cancelled
/// before it starts: its answer, and the files it resolved or indexed on
/// the way, which must be none besides the file under the cursor and
/// what it inherits (summarised to know what the cursor is on).
fn cancelled_work(text: &str) -> String {
    use std::sync::atomic::AtomicUsize;
    let (world, analysis, offset) = fixture(text);
    let cancel = lpc_lsp::cancel::Cancel::new();
    let world = world.with_cancel(cancel.clone());
    cancel.cancel();
    let references = lpc_lsp::features::references::references(&world, &analysis, offset, true);
    let rename = lpc_lsp::features::references::rename(&world, &analysis, offset, "x");
    let symbols = symbols::workspace_symbols(&world, "");
    let (done, total) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let indexed = world.index_workspace(&done, &total);
    let mut resolved: Vec<String> = world.uses.all().iter().map(|u| u.path.clone()).collect();
    resolved.sort();
    format!(
        "references: {references:?}\nrename: {rename:?}\nsymbols: {}\nindexed: {indexed}\nresolved: {resolved:?}\nsummarised: {}",
        symbols.len(),
        world.index.len(),
    )
}

#[test]
fn cancelled_workspace_work_stops_before_the_next_file() {
    insta::assert_snapshot!(cancelled_work(&UNRELATED.replace("{ reset(); hp = 2", "{ res$0et(); hp = 2")), @r#"
    references: None
    rename: Err("nothing to rename here")
    symbols: 0
    indexed: 0
    resolved: []
    summarised: 3
    "#);
    // A macro's search reads every file; cancelled, it finds nothing to rename.
    insta::assert_snapshot!(cancelled_work("//- /include/m.h\n#define LIMIT 3\n//- /a.c\n#include <m.h>\nint f() { return LIM$0IT; }\n//- /b.c\n#include <m.h>\nint g() { return LIMIT; }\n"), @r#"
    references: None
    rename: Err("nothing to rename here")
    symbols: 0
    indexed: 0
    resolved: []
    summarised: 1
    "#);
}

#[test]
fn the_same_work_uncancelled_finds_everything() {
    // The counterpart of the test above, so that it cannot pass by finding
    // nothing anyway.
    let (world, analysis, offset) =
        fixture(&UNRELATED.replace("{ reset(); hp = 2", "{ res$0et(); hp = 2"));
    let found = lpc_lsp::features::references::references(&world, &analysis, offset, true);
    let (done, total) = (
        std::sync::atomic::AtomicUsize::new(0),
        std::sync::atomic::AtomicUsize::new(0),
    );
    let indexed = world.index_workspace(&done, &total);
    insta::assert_snapshot!(format!("references: {}\nindexed: {indexed}\nsymbols: {}", found.map_or(0, |f| f.len()), symbols::workspace_symbols(&world, "").len()), @r"
    references: 4
    indexed: 4
    symbols: 6
    ");
}

#[test]
fn hover_on_a_macro_use_shows_what_it_expands_to() {
    insta::assert_snapshot!(hover_of(
        "//- /a.c\n#define TWICE(x) ((x) * 2)\nint f(int n) { return TWI$0CE(n + 1); }\n"
    ));
}

#[test]
fn rename_a_macro_across_files_but_not_in_strings_or_comments() {
    insta::assert_snapshot!(rename_of(
        "//- /include/limits.h\n#define MAX_HP 100\n//- /a.c\n#include <limits.h>\n\
         // MAX_HP in a comment stays\nint f() { return MAX$0_HP + sizeof(\"MAX_HP\"); }\n",
        "HP_CAP"
    ));
}

#[test]
fn rename_a_class_member_everywhere_it_is_named() {
    insta::assert_snapshot!(rename_of(
        "//- /a.c\nclass point { int x; int y; }\n\
         int f(class point p) { return p->x$0 + p.y; }\nint g() { class point q = new(class point, x: 1); return q.x; }\n\
         int x;\nint h() { return x; }\n",
        "left"
    ), @r"
    //- /a.c
    class point { int left; int y; }
    int f(class point p) { return p->left + p.y; }
    int g() { class point q = new(class point, left: 1); return q.left; }
    int x;
    int h() { return x; }
    ");
    insta::assert_snapshot!(rename_of(
        "//- /include/pt.h\nclass point { int x; }\n//- /a.c\n#include <pt.h>\n\
         int f(class point p) { return p->x$0; }\n",
        "left"
    ), @"refused: the declaration is in an included file; rename it there");
}
