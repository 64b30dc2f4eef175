//! Random edit sequences on the repository's real LPC files, sent through
//! the server's document-change path as an editor sends them: the server
//! never fails a request or stops answering, and once the edits are done it
//! answers exactly as a fresh server that opened the final text.
//!
//! Each case opens one file of `tests/lpc/ok`, `tests/sample-mudlib` or
//! `driver/mudlib`, applies a sequence of edits (ranges at any UTF-16 column,
//! inside surrogate pairs and past line ends included; typing character by
//! character; deleted lines; pasted pieces of other files; unbalanced
//! brackets, quotes and comment openers; preprocessor lines; whole-text
//! replacements and several changes in one notification; sometimes every
//! edit undone again) and asks a few random requests after each edit.
//!
//! The default run is 64 cases of up to 20 edits. Larger runs:
//! `LPC_PROPTEST_CASES=1000 LPC_PROPTEST_EDITS=60 cargo test -p lpc-lsp --test edits`.
//! `PROPTEST_RNG_SEED` fixes the random seed. The failures found so far are
//! kept as ordinary tests at the end of this file.

#[path = "../common/mod.rs"]
mod common;
mod session;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::{Value, json};

use session::{Session, Workspace, uri_of};

/// A document to start from: its text, where it lives, and the other files
/// that pastes come from.
#[derive(Debug)]
struct Document {
    workspace: Workspace,
    path: PathBuf,
    text: String,
}

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("the repository root")
}

fn lpc_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            lpc_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "c" || e == "h") {
            out.push(path);
        }
    }
}

fn corpus() -> &'static [Document] {
    static CORPUS: OnceLock<Vec<Document>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let repo = repository();
        let workspaces = [
            (
                repo.join("tests/lpc"),
                vec![repo.join("tests/lpc/ok")],
                json!({"includeDirs": ["/include"]}),
            ),
            (
                repo.join("tests/sample-mudlib"),
                vec![repo.join("tests/sample-mudlib")],
                Value::Null,
            ),
            (
                repo.join("driver/mudlib"),
                vec![repo.join("driver/mudlib")],
                Value::Null,
            ),
        ];
        let mut documents = Vec::new();
        for (root, dirs, options) in workspaces {
            let mut paths = Vec::new();
            for dir in &dirs {
                lpc_files(dir, &mut paths);
            }
            for path in paths {
                let text = std::fs::read_to_string(&path).expect("a readable LPC file");
                documents.push(Document {
                    workspace: Workspace {
                        root: root.clone(),
                        options: options.clone(),
                    },
                    path,
                    text,
                });
            }
        }
        assert!(documents.len() > 30, "the corpus is found");
        documents
    })
}

/// The model of the editor's buffer: the text and LSP positions in it, by
/// the protocol's rules (UTF-16 columns; a column past the end of a line is
/// its end, before `\r\n` or `\n`; a line past the last is the end of the
/// text), and a column inside a surrogate pair means after the character.
/// Written apart from the server's own conversion so that the two check
/// each other.
mod model {
    use serde_json::{Value, json};

    /// Line texts without their line breaks, and where each line starts.
    fn lines(text: &str) -> Vec<(usize, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        for piece in text.split_inclusive('\n') {
            let content = piece.strip_suffix('\n').unwrap_or(piece);
            let content = content.strip_suffix('\r').unwrap_or(content);
            out.push((start, content));
            start += piece.len();
        }
        if text.is_empty() || text.ends_with('\n') {
            out.push((text.len(), ""));
        }
        out
    }

    pub fn line_count(text: &str) -> usize {
        lines(text).len()
    }

    /// UTF-16 length of line `line`.
    pub fn line_units(text: &str, line: usize) -> usize {
        lines(text)
            .get(line)
            .map_or(0, |(_, l)| l.encode_utf16().count())
    }

    pub fn offset(text: &str, line: usize, character: usize) -> usize {
        let lines = lines(text);
        let Some((start, content)) = lines.get(line) else {
            return text.len();
        };
        let mut units = 0;
        let mut offset = *start;
        for c in content.chars() {
            if units >= character {
                return offset;
            }
            units += c.len_utf16();
            offset += c.len_utf8();
        }
        start + content.len()
    }

    pub fn position(text: &str, offset: usize) -> (usize, usize) {
        let lines = lines(text);
        let line = lines
            .iter()
            .rposition(|(start, _)| *start <= offset)
            .unwrap_or(0);
        let (start, _) = lines[line];
        let character = text[start..offset].encode_utf16().count();
        (line, character)
    }

    pub fn range(a: (usize, usize), b: (usize, usize)) -> Value {
        json!({"start": {"line": a.0, "character": a.1},
            "end": {"line": b.0, "character": b.1}})
    }
}

/// A position given as two numbers that become a line and a column of the
/// text at hand, so that shrinking keeps them valid: one line past the end
/// and a few columns past a line's end are in reach.
#[derive(Clone, Copy, Debug)]
struct Spot(usize, usize);

impl Spot {
    fn resolve(self, text: &str) -> Pos {
        let line = self.0 % (model::line_count(text) + 1);
        let character = self.1 % (model::line_units(text, line) + 3);
        (line, character)
    }
}

#[derive(Clone, Debug)]
enum Edit {
    /// Replaces a range (possibly empty, possibly backwards) with a fragment.
    Replace(Spot, Spot, String),
    /// Types a fragment one character at a time, with completion and
    /// signature help asked after each keystroke.
    Type(Spot, String),
    /// Deletes `count` whole lines.
    DeleteLines(usize, usize),
    /// Pastes lines of another corpus file: which file, first line, count.
    Paste(Spot, usize, usize, usize),
    /// Sends the whole new text, the text with a fragment inserted.
    Whole(Spot, String),
    /// Several changes in one notification, each on the text before it.
    Batch(Vec<(Spot, Spot, String)>),
}

/// A request at a position.
#[derive(Clone, Copy, Debug)]
struct Probe(u8, Spot);

const PROBE_KINDS: u8 = 17;

#[derive(Clone, Debug)]
struct Case {
    document: usize,
    /// Each edit, the requests after it, and whether to wait for its
    /// diagnostics before going on.
    edits: Vec<(Edit, Vec<Probe>, bool)>,
    undo: bool,
    /// Positions whose hover, definition and completion are compared at the end.
    compare_at: Vec<Spot>,
}

const FRAGMENTS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "\"",
    "'",
    "/*",
    "*/",
    "//",
    "\n",
    "\r\n",
    "\t",
    "\\",
    ";",
    ",",
    "#include \"",
    "#include <",
    "#include <globals.h>\n",
    "#include \"/include/dirs.h\"\n",
    "#include \"missing.h\"\n",
    "#define FOO 1\n",
    "#define F(x) ((x) + 1)\n",
    "#define G(a, b) a ## b\n",
    "#define CONT \\\n",
    "#if 0\n",
    "#ifdef FOO\n",
    "#else\n",
    "#endif\n",
    "#undef FOO\n",
    "#pragma strict_types\n",
    "@EOT\ntext\nEOT\n",
    "@@END\n",
    "inherit \"/std/room\";\n",
    "inherit ",
    "::",
    "->",
    "(:",
    ":)",
    "({",
    "})",
    "([",
    "])",
    "$(",
    "$1",
    "class Foo { int a; string b; }\n",
    "new(class Foo)",
    "void f(int x) {",
    "int g(string s, varargs int *rest) { return sizeof(rest); }\n",
    "return ",
    "é",
    "中文",
    "😀",
    "a\u{301}",
    "\u{feff}",
    "\u{0}",
    "0x",
    "1.5e",
    "'\\n'",
    "varargs ",
    "...",
    " = ",
    "foo(",
    "write(",
    "this_object()->",
    "efun::",
    "catch(",
    "sscanf(",
    "switch (x) { case 1..2: ",
    "default:",
    "foreach (mixed k, mixed v in ",
    "function f = (: $1 + 1 :);\n",
    "private static nomask ",
    "x",
    "create",
    "((((((((((((",
    "#define A B\n#define B A\nA;\n",
    "#define SELF SELF\n",
    "#include __FILE__\n",
    "#line 1000\n",
    "#if defined(FOO) && FOO > 1\n",
    "#elif\n",
    "#error stop\n",
    "[<1..<2]",
    "@@",
    "\"\\",
    "/* unterminated",
    "#",
    "##",
];

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(FRAGMENTS).prop_map(String::from),
        2 => "[a-z_(){};,\"'/*#\\\\ \n\t0-9é中😀]{0,12}",
        1 => prop::collection::vec(prop::sample::select(FRAGMENTS), 1..5)
            .prop_map(|parts| parts.concat()),
    ]
}

fn spot() -> impl Strategy<Value = Spot> {
    (0usize..10_000, 0usize..10_000).prop_map(|(l, c)| Spot(l, c))
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        6 => (spot(), spot(), fragment()).prop_map(|(a, b, t)| Edit::Replace(a, b, t)),
        3 => (spot(), fragment()).prop_map(|(a, t)| Edit::Type(a, t)),
        2 => (0usize..10_000, 1usize..6).prop_map(|(l, n)| Edit::DeleteLines(l, n)),
        2 => (spot(), 0usize..1000, 0usize..10_000, 1usize..10)
            .prop_map(|(a, f, l, n)| Edit::Paste(a, f, l, n)),
        1 => (spot(), fragment()).prop_map(|(a, t)| Edit::Whole(a, t)),
        1 => prop::collection::vec((spot(), spot(), fragment()), 1..4).prop_map(Edit::Batch),
    ]
}

fn probe() -> impl Strategy<Value = Probe> {
    (0..PROBE_KINDS, spot()).prop_map(|(k, s)| Probe(k, s))
}

fn case(max_edits: usize) -> impl Strategy<Value = Case> {
    (
        0..corpus().len(),
        prop::collection::vec(
            (
                edit(),
                prop::collection::vec(probe(), 0..4),
                prop::bool::weighted(0.2),
            ),
            1..=max_edits,
        ),
        prop::bool::weighted(0.25),
        prop::collection::vec(spot(), 0..4),
    )
        .prop_map(|(document, edits, undo, compare_at)| Case {
            document,
            edits,
            undo,
            compare_at,
        })
}

/// A line and UTF-16 column.
type Pos = (usize, usize);

/// A change as sent: a range, or none for the whole text, and the new text.
type Change = (Option<(Pos, Pos)>, String);

/// One elementary change: where, what was there, what replaced it.
struct Done {
    start: usize,
    inserted: usize,
    removed: String,
}

/// The editor: the model text, the server, and what was done, for undo.
struct Editor<'a> {
    server: &'a mut Session,
    uri: String,
    text: String,
    version: i64,
    done: Vec<Done>,
}

impl Editor<'_> {
    /// Sends `changes` (a range of positions, or none for the whole text,
    /// and the new text) as one notification and applies them to the model.
    fn change(&mut self, changes: &[Change]) {
        let mut sent = Vec::new();
        for (range, new_text) in changes {
            match range {
                Some((a, b)) => {
                    let start = model::offset(&self.text, a.0, a.1);
                    let end = model::offset(&self.text, b.0, b.1);
                    let (start, end) = (start.min(end), start.max(end));
                    let removed = self.text[start..end].to_string();
                    self.text.replace_range(start..end, new_text);
                    self.done.push(Done {
                        start,
                        inserted: new_text.len(),
                        removed,
                    });
                    sent.push(json!({"range": model::range(*a, *b), "text": new_text}));
                }
                None => {
                    let removed = std::mem::replace(&mut self.text, new_text.clone());
                    self.done.push(Done {
                        start: 0,
                        inserted: new_text.len(),
                        removed,
                    });
                    sent.push(json!({"text": new_text}));
                }
            }
        }
        self.version += 1;
        self.server.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": self.uri, "version": self.version},
                "contentChanges": sent}),
        );
    }

    fn replace(&mut self, a: Pos, b: Pos, text: &str) {
        self.change(&[(Some((a, b)), text.to_string())]);
    }

    fn apply(&mut self, edit: &Edit) {
        match edit {
            Edit::Replace(a, b, fragment) => {
                let (a, b) = (a.resolve(&self.text), b.resolve(&self.text));
                self.replace(a, b, fragment);
            }
            Edit::Type(at, fragment) => {
                let mut at = at.resolve(&self.text);
                // The column where the typed text really lands.
                let offset = model::offset(&self.text, at.0, at.1);
                at = model::position(&self.text, offset);
                for key in keystrokes(fragment) {
                    let offset = model::offset(&self.text, at.0, at.1) + key.len();
                    self.replace(at, at, key);
                    at = model::position(&self.text, offset);
                    let position = json!({"line": at.0, "character": at.1});
                    let doc = json!({"uri": self.uri});
                    self.server.ask(
                        "textDocument/completion",
                        json!({"textDocument": doc, "position": position}),
                    );
                    if key == "(" || key == "," {
                        self.server.ask(
                            "textDocument/signatureHelp",
                            json!({"textDocument": doc, "position": position}),
                        );
                    }
                }
            }
            Edit::DeleteLines(line, count) => {
                let lines = model::line_count(&self.text);
                let first = line % lines;
                self.replace((first, 0), (first + count, 0), "");
            }
            Edit::Paste(at, file, line, count) => {
                let files = corpus();
                let source = &files[file % files.len()].text;
                let lines: Vec<&str> = source.split_inclusive('\n').collect();
                let first = line % lines.len().max(1);
                let piece: String = lines.iter().skip(first).take(*count).copied().collect();
                let at = at.resolve(&self.text);
                self.replace(at, at, &piece);
            }
            Edit::Whole(at, fragment) => {
                let (line, character) = at.resolve(&self.text);
                let offset = model::offset(&self.text, line, character);
                let mut text = self.text.clone();
                text.insert_str(offset, fragment);
                self.change(&[(None, text)]);
            }
            Edit::Batch(changes) => {
                // Each change's positions are in the text the previous one
                // left, so they are resolved against a scratch copy.
                let mut scratch = self.text.clone();
                let mut resolved = Vec::new();
                for (a, b, fragment) in changes {
                    let (a, b) = (a.resolve(&scratch), b.resolve(&scratch));
                    let start = model::offset(&scratch, a.0, a.1);
                    let end = model::offset(&scratch, b.0, b.1);
                    scratch.replace_range(start.min(end)..start.max(end), fragment);
                    resolved.push((Some((a, b)), fragment.clone()));
                }
                self.change(&resolved);
            }
        }
    }
}

/// What typing `text` sends, one key at a time: a line break is one key
/// even when it is `\r\n`, since no position lies between the two.
fn keystrokes(text: &str) -> Vec<&str> {
    let mut keys = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let len = if rest.starts_with("\r\n") {
            2
        } else {
            c.len_utf8()
        };
        keys.push(&rest[..len]);
        rest = &rest[len..];
    }
    keys
}

impl Editor<'_> {
    /// Undoes every change, last first, each as the ranged change an
    /// editor's undo sends.
    fn undo_all(&mut self) {
        while let Some(done) = self.done.pop() {
            let a = model::position(&self.text, done.start);
            let b = model::position(&self.text, done.start + done.inserted);
            self.replace(a, b, &done.removed);
            self.done.pop();
        }
    }

    fn probe(&mut self, probe: Probe) {
        let (line, character) = probe.1.resolve(&self.text);
        let doc = json!({"uri": self.uri});
        let position = json!({"line": line, "character": character});
        let at = json!({"textDocument": doc, "position": position});
        let lines = model::line_count(&self.text);
        let range = model::range((line, 0), (lines, 0));
        let (method, params) = match probe.0 {
            0 => ("textDocument/hover", at),
            1 => ("textDocument/completion", at),
            2 => ("textDocument/signatureHelp", at),
            3 => ("textDocument/definition", at),
            4 => (
                "textDocument/references",
                json!({"textDocument": doc, "position": position,
                    "context": {"includeDeclaration": true}}),
            ),
            5 => ("textDocument/documentHighlight", at),
            6 => ("textDocument/documentSymbol", json!({"textDocument": doc})),
            7 => (
                "textDocument/semanticTokens/full",
                json!({"textDocument": doc}),
            ),
            8 => (
                "textDocument/semanticTokens/range",
                json!({"textDocument": doc, "range": range}),
            ),
            9 => (
                "textDocument/formatting",
                json!({"textDocument": doc, "options": formatting_options()}),
            ),
            10 => (
                "textDocument/rangeFormatting",
                json!({"textDocument": doc, "range": range, "options": formatting_options()}),
            ),
            11 => (
                "textDocument/inlayHint",
                json!({"textDocument": doc, "range": range}),
            ),
            12 => {
                let diagnostics = self
                    .server
                    .diagnostics
                    .get(&self.uri)
                    .map_or(json!([]), |(_, d)| d.clone());
                (
                    "textDocument/codeAction",
                    json!({"textDocument": doc, "range": range,
                        "context": {"diagnostics": diagnostics}}),
                )
            }
            13 => ("textDocument/foldingRange", json!({"textDocument": doc})),
            14 => ("textDocument/documentLink", json!({"textDocument": doc})),
            15 => ("textDocument/prepareRename", at),
            _ => ("textDocument/prepareCallHierarchy", at),
        };
        let answer = self.server.ask(method, params);
        let problems = out_of_document(&answer, &self.uri, &self.text);
        assert!(
            problems.is_empty(),
            "{method} at {line}:{character} answers with positions outside the text {:?}: {problems:?}\n{answer}",
            self.text
        );
    }
}

/// The positions in an answer that are not in `text` (a line past the last,
/// a column past its line's end), and the semantic tokens that run past their
/// line. Positions in other files, under another `uri`, are not looked at.
fn out_of_document(answer: &Value, uri: &str, text: &str) -> Vec<String> {
    fn walk(value: &Value, uri: &str, text: &str, out: &mut Vec<String>) {
        match value {
            Value::Object(fields) => {
                if fields
                    .get("uri")
                    .and_then(Value::as_str)
                    .is_some_and(|u| u != uri)
                {
                    return;
                }
                if let (Some(line), Some(character)) = (
                    fields.get("line").and_then(Value::as_u64),
                    fields.get("character").and_then(Value::as_u64),
                ) {
                    let (line, character) = (line as usize, character as usize);
                    if line >= model::line_count(text) || character > model::line_units(text, line)
                    {
                        out.push(format!("{line}:{character}"));
                    }
                }
                for value in fields.values() {
                    walk(value, uri, text, out);
                }
            }
            Value::Array(values) => values.iter().for_each(|v| walk(v, uri, text, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(answer, uri, text, &mut out);
    if let Some(data) = answer.get("data").and_then(Value::as_array) {
        let numbers: Vec<usize> = data
            .iter()
            .map(|n| n.as_u64().unwrap_or(0) as usize)
            .collect();
        let (mut line, mut start) = (0, 0);
        for token in numbers.chunks(5) {
            let [delta_line, delta_start, length, ..] = token else {
                out.push("a short token".into());
                break;
            };
            if *delta_line > 0 {
                line += delta_line;
                start = *delta_start;
            } else {
                start += delta_start;
            }
            if line >= model::line_count(text) || start + length > model::line_units(text, line) {
                out.push(format!("token {line}:{start}+{length}"));
            }
        }
    }
    out
}

fn formatting_options() -> Value {
    json!({"tabSize": 4, "insertSpaces": true})
}

/// The answers that must not depend on how the text came to be.
fn answers(server: &mut Session, uri: &str, version: i64, text: &str, at: &[Spot]) -> Value {
    let doc = json!({"uri": uri});
    let lines = model::line_count(text);
    let mut out = json!({
        "diagnostics": server.diagnostics_of(uri, version),
        "symbols": server.ask("textDocument/documentSymbol", json!({"textDocument": doc})),
        "tokens": server.ask("textDocument/semanticTokens/full", json!({"textDocument": doc})),
        "folding": server.ask("textDocument/foldingRange", json!({"textDocument": doc})),
        "links": server.ask("textDocument/documentLink", json!({"textDocument": doc})),
        "formatting": server.ask("textDocument/formatting",
            json!({"textDocument": doc, "options": formatting_options()})),
        "inlay": server.ask("textDocument/inlayHint",
            json!({"textDocument": doc, "range": model::range((0, 0), (lines, 0))})),
    });
    let mut probes = Vec::new();
    for spot in at {
        let (line, character) = spot.resolve(text);
        let params =
            json!({"textDocument": doc, "position": {"line": line, "character": character}});
        probes.push(json!({
            "at": [line, character],
            "hover": server.ask("textDocument/hover", params.clone()),
            "definition": server.ask("textDocument/definition", params.clone()),
            "completion": server.ask("textDocument/completion", params),
        }));
    }
    out["probes"] = Value::Array(probes);
    out
}

/// Runs one case; the final answers of the edited server and of a fresh one.
fn run(case: &Case) -> (String, Value, Value) {
    session::note_case(format!("{case:?}"));
    let document = &corpus()[case.document];
    let uri = uri_of(&document.path);
    let mut server = Session::start(&document.workspace);
    server.open(&uri, &document.text);
    let mut editor = Editor {
        server: &mut server,
        uri: uri.clone(),
        text: document.text.clone(),
        version: 1,
        done: Vec::new(),
    };
    for (edit, probes, settle) in &case.edits {
        editor.apply(edit);
        for probe in probes {
            editor.probe(*probe);
        }
        if *settle {
            let (uri, version) = (editor.uri.clone(), editor.version);
            editor.server.diagnostics_of(&uri, version);
        }
    }
    if case.undo {
        editor.undo_all();
        assert_eq!(editor.text, document.text, "undo restores the original");
    }
    let (text, version) = (editor.text.clone(), editor.version);
    let edited = answers(&mut server, &uri, version, &text, &case.compare_at);
    server.shutdown();

    let mut fresh = Session::start(&document.workspace);
    fresh.open(&uri, &text);
    let expected = answers(&mut fresh, &uri, 1, &text, &case.compare_at);
    fresh.shutdown();
    (text, edited, expected)
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn check(case: &Case) -> Result<(), TestCaseError> {
    let (text, edited, expected) = run(case);
    let differences: Vec<String> = expected
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(key, value)| edited.get(key.as_str()) != Some(value))
        .map(|(key, value)| format!("{key}: edited {} fresh {value}", edited[key.as_str()]))
        .collect();
    prop_assert!(
        differences.is_empty(),
        "the edited server answers differently from a fresh one\nfinal text: {text:?}\n{}",
        differences.join("\n")
    );
    Ok(())
}

#[test]
fn random_edits_never_crash_and_end_like_a_fresh_start() {
    let config = ProptestConfig {
        cases: env_number("LPC_PROPTEST_CASES", 64) as u32,
        failure_persistence: None,
        max_shrink_iters: 512,
        ..ProptestConfig::default()
    };
    let max_edits = env_number("LPC_PROPTEST_EDITS", 20);
    proptest!(config, |(case in case(max_edits))| {
        check(&case)?;
    });
}

/// Failures the random edits found, kept as plain tests. Both came from
/// checks and requests of one document overlapping while it is edited, which
/// is timing; these tests take the timing out.
mod regressions {
    use std::path::PathBuf;
    use std::sync::Arc;

    use lpc_lsp::cancel::Cancel;
    use lpc_lsp::config::WorkspaceConfig;
    use lpc_lsp::features::definition::definition;
    use lpc_lsp::vfs::Vfs;
    use lpc_lsp::world::{World, load_efuns};

    use lpc_lsp::features::formatting::format_selection;
    use lpc_lsp::pos::apply_change;
    use tower_lsp_server::ls_types::{FormattingOptions, Position, Range};

    const OLD: &str =
        "// A comment.\n\nint helper() { return 1; }\nstring call() { return \"x\"; }\n";
    const NEW: &str = "string call() { return \"x\"; }\n";

    fn world() -> World {
        let files = [("/a.c".to_string(), OLD.to_string())];
        World::new(
            WorkspaceConfig::bare(PathBuf::from("/mud")),
            Vfs::in_memory(PathBuf::from("/mud"), &files),
            Arc::new(load_efuns()),
        )
    }

    fn symbol_names(world: &World) -> Vec<String> {
        let summary = world.index.get("/a.c").expect("/a.c is indexed");
        summary.symbols.iter().map(|s| s.name.to_string()).collect()
    }

    /// Lines were deleted while the check of the text before was still
    /// running; that check finished last and put its summary back, and the
    /// inlay hints of the final text lost the calls to functions it named.
    #[test]
    fn an_overtaken_check_does_not_put_back_an_older_summary() {
        let world = world();
        let older_check = Cancel::new();
        let old = world
            .with_cancel(older_check.clone())
            .analyze_path("/a.c")
            .expect("/a.c exists");
        world.vfs.set_overlay("/a.c", Arc::from(NEW));
        // The newer check starts: it cancels the older one, then stores its own.
        older_check.cancel();
        let new = world.analyze_path("/a.c").expect("/a.c exists");
        assert!(world.refresh_unless_cancelled(&new).is_some());
        // The older check gets there last.
        let stored = world
            .with_cancel(older_check)
            .refresh_unless_cancelled(&old);
        assert!(stored.is_none());
        assert_eq!(symbol_names(&world), ["call"]);
    }

    /// Go to definition on a declaration, asked before the check of the
    /// edited text had run, answered from the index's summary of the text
    /// before: three lines down, past the end of the buffer.
    #[test]
    fn definition_in_an_edited_buffer_finds_its_own_declarations() {
        let world = world();
        let old = world.analyze_path("/a.c").expect("/a.c exists");
        world.refresh(&old);
        world.vfs.set_overlay("/a.c", Arc::from(NEW));
        let new = world.analyze_path("/a.c").expect("/a.c exists");
        let location = definition(&world, &new, 9).expect("`call` is declared");
        assert_eq!(location.range.start.line, 0);
        assert_eq!(location.range.start.character, 7);
        // The index is left to the check.
        assert_eq!(symbol_names(&world), ["helper", "call"]);
    }

    /// The same for preparing the call hierarchy of a function.
    #[test]
    fn call_hierarchy_in_an_edited_buffer_finds_its_own_declarations() {
        let world = world();
        let old = world.analyze_path("/a.c").expect("/a.c exists");
        world.refresh(&old);
        world.vfs.set_overlay("/a.c", Arc::from(NEW));
        let new = world.analyze_path("/a.c").expect("/a.c exists");
        let items =
            lpc_lsp::features::calls::prepare(&world, &new, 9).expect("`call` is a function");
        assert_eq!(items[0].range.start.line, 0, "{items:?}");
    }

    /// Range formatting of a text whose first line ends in `\r\n` and the
    /// others in `\n` answered with an edit ending between the `\r` and the
    /// `\n`, a position that does not exist: an editor would have kept the
    /// `\r` the formatter meant to remove.
    #[test]
    fn range_formatting_never_splits_a_crlf_line_break() {
        let text = "// a comment with write(an#esscanf(\r\n#include \"/include/dirs.h\"\nfoo(lse\n";
        let files = [("/a.c".to_string(), text.to_string())];
        let world = World::new(
            WorkspaceConfig::bare(PathBuf::from("/mud")),
            Vfs::in_memory(PathBuf::from("/mud"), &files),
            Arc::new(load_efuns()),
        );
        let analysis = world.analyze_path("/a.c").expect("/a.c exists");
        let options = FormattingOptions {
            tab_size: 4,
            insert_spaces: true,
            ..FormattingOptions::default()
        };
        let range = Range::new(Position::new(1, 16), Position::new(4, 0));
        let edits = format_selection(&analysis, range, &options);
        assert_eq!(edits.len(), 1, "{edits:?}");
        let edit = &edits[0];
        let first_line = text.find('\r').expect("a CRLF line") as u32;
        for end in [edit.range.start, edit.range.end] {
            assert!(end.line > 0 || end.character <= first_line, "{edit:?}");
        }
        let mut edited = text.to_string();
        apply_change(&mut edited, edit.range, &edit.new_text);
        assert!(!edited.contains("\r\r"), "{edited:?}");
        assert!(
            edited.starts_with("// a comment with write(an#esscanf("),
            "{edited:?}"
        );
    }
}
