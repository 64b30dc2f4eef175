//! One file as the features see it: preprocessed tokens, source map and
//! syntax tree, plus the summary of its declarations that the workspace index
//! keeps for every file of the mudlib.

use std::sync::Arc;

use lpcc::ast::{self, Item, Program, Type, TypeKind};
use lpcc::check::CheckConfig;
use lpcc::parser::{ParseOptions, parse};
use lpcc::preprocess::{MacroDefinition, Preprocessed, preprocess_text};
use lpcc::source::{SourceMap, SourceProvider, normalize_path, parent_dir};
use lpcc::span::{FileId, Span};
use smol_str::SmolStr;
use tower_lsp_server::ls_types::Range;

use crate::config::with_c_extension;
use crate::pos::span_range;

/// A file preprocessed and parsed.
#[derive(Debug)]
pub struct FileAnalysis {
    pub path: String,
    pub pre: Preprocessed,
    pub program: Program,
}

impl FileAnalysis {
    pub fn sources(&self) -> &SourceMap {
        &self.pre.sources
    }

    pub fn main_file(&self) -> FileId {
        self.pre.main_file
    }

    pub fn text(&self) -> &str {
        &self.pre.sources.file(self.pre.main_file).text
    }
}

pub fn analyze(
    provider: &dyn SourceProvider,
    path: &str,
    text: Arc<str>,
    config: &CheckConfig,
) -> FileAnalysis {
    let path = normalize_path(path);
    let pre = preprocess_text(provider, &path, text, &config.preprocess_config());
    let options = ParseOptions {
        allow_static: config.allow_static,
    };
    let (program, _) = parse(&pre.tokens, &pre.sources, &options);
    FileAnalysis { path, pre, program }
}

/// A place in a file of the mudlib.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loc {
    pub path: String,
    pub range: Range,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SymbolKind {
    Function,
    Global,
    Class,
    Macro,
}

/// A declaration visible in a file: a function, global variable, class or macro.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: SmolStr,
    pub kind: SymbolKind,
    /// How it is declared: a signature, `int x`, `class C`, `#define M 1`.
    pub detail: String,
    /// The comment just above the declaration.
    pub doc: Option<String>,
    /// Functions only: each parameter as declared.
    pub params: Vec<String>,
    /// A prototype or a function without body.
    pub prototype: bool,
    /// Where its name is.
    pub loc: Loc,
}

/// The declarations of one compiled file (its includes' declarations too,
/// since they are part of it), and the files it inherits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileSummary {
    pub path: String,
    pub symbols: Vec<Symbol>,
    pub macros: Vec<Symbol>,
    /// Inherited files, as resolved mudlib paths, with where the inherit is.
    pub inherits: Vec<(String, Loc)>,
    /// Files included, as mudlib paths.
    pub includes: Vec<String>,
    /// A hash of the text summarised, to tell whether the summary is of the
    /// text an editor buffer holds now.
    pub text_hash: u64,
}

pub fn text_hash(text: &str) -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    std::hash::Hasher::write(&mut hasher, text.as_bytes());
    std::hash::Hasher::finish(&hasher)
}

pub fn summarize(provider: &dyn SourceProvider, analysis: &FileAnalysis) -> FileSummary {
    let sources = analysis.sources();
    let loc = |span: Span| Loc {
        path: sources.name(span.file).to_string(),
        range: span_range(sources, span),
    };
    let mut summary = FileSummary {
        path: analysis.path.clone(),
        text_hash: text_hash(analysis.text()),
        ..FileSummary::default()
    };
    for item in &analysis.program.items {
        match item {
            Item::Inherit(inherit) => {
                let path = resolve_inherit(provider, &analysis.path, &inherit.path);
                summary.inherits.push((path, loc(inherit.path_span)));
            }
            Item::Vars(vars) => {
                for var in &vars.vars {
                    summary.symbols.push(Symbol {
                        name: var.name.text.clone(),
                        kind: SymbolKind::Global,
                        detail: modifiers_prefix(vars.modifiers)
                            + &var_text(&var.ty, &var.name.text),
                        doc: doc_comment(sources, vars.span),
                        params: Vec::new(),
                        prototype: false,
                        loc: loc(var.name.span),
                    });
                }
            }
            Item::Function(function) => summary.symbols.push(Symbol {
                name: function.name.text.clone(),
                kind: SymbolKind::Function,
                detail: signature(function),
                doc: doc_comment(sources, function.span),
                params: function.params.iter().map(param_text).collect(),
                prototype: function.body.is_none(),
                loc: loc(function.name.span),
            }),
            Item::Class(class) => summary.symbols.push(Symbol {
                name: class.name.text.clone(),
                kind: SymbolKind::Class,
                detail: class_text(class),
                doc: doc_comment(sources, class.span),
                params: Vec::new(),
                prototype: false,
                loc: loc(class.name.span),
            }),
            Item::Modifiers(..) | Item::Error(_) => {}
        }
    }
    for definition in &analysis.pre.macros_defined {
        summary.macros.push(macro_symbol(sources, definition));
    }
    for (file, _) in &analysis.pre.includes {
        let name = sources.name(*file).to_string();
        if !summary.includes.contains(&name) {
            summary.includes.push(name);
        }
    }
    summary
}

pub fn macro_symbol(sources: &SourceMap, definition: &MacroDefinition) -> Symbol {
    Symbol {
        name: SmolStr::new(&definition.name),
        kind: SymbolKind::Macro,
        detail: macro_text(sources, definition.span),
        doc: None,
        params: Vec::new(),
        prototype: false,
        loc: Loc {
            path: sources.name(definition.span.file).to_string(),
            range: span_range(sources, definition.span),
        },
    }
}

/// The mudlib path an `inherit` names: `.c` added when missing; a path not
/// found from the root is tried relative to the inheriting file.
pub fn resolve_inherit(provider: &dyn SourceProvider, from: &str, written: &str) -> String {
    let absolute = with_c_extension(&normalize_path(written));
    if written.starts_with('/') || provider.exists(&absolute) {
        return absolute;
    }
    let relative = with_c_extension(&normalize_path(&format!("{}/{written}", parent_dir(from))));
    if provider.exists(&relative) {
        relative
    } else {
        absolute
    }
}

pub fn type_text(ty: &Type) -> String {
    let base = match &ty.kind {
        TypeKind::Missing => "mixed".to_string(),
        TypeKind::Int => "int".into(),
        TypeKind::Float => "float".into(),
        TypeKind::String => "string".into(),
        TypeKind::Object => "object".into(),
        TypeKind::Mapping => "mapping".into(),
        TypeKind::Function => "function".into(),
        TypeKind::Buffer => "buffer".into(),
        TypeKind::Mixed => "mixed".into(),
        TypeKind::Void => "void".into(),
        TypeKind::Class(name) => format!("class {name}"),
    };
    if ty.array_depth == 0 {
        base
    } else {
        format!("{base} {}", "*".repeat(ty.array_depth as usize))
    }
}

/// `string *names`, `int x`.
pub fn var_text(ty: &Type, name: &str) -> String {
    let ty = type_text(ty);
    if ty.ends_with('*') {
        format!("{ty}{name}")
    } else {
        format!("{ty} {name}")
    }
}

pub fn param_text(param: &ast::Param) -> String {
    let name = param.name.as_ref().map_or("", |n| n.text.as_str());
    let reference = if param.by_ref { "ref " } else { "" };
    let text = format!("{reference}{}", var_text(&param.ty, name));
    text.trim_end().to_string()
}

fn modifiers_prefix(modifiers: ast::Modifiers) -> String {
    modifiers.names().map(|m| format!("{m} ")).collect()
}

pub fn signature(function: &ast::Function) -> String {
    let mut params: Vec<String> = function.params.iter().map(param_text).collect();
    if function.varargs
        && let Some(last) = params.last_mut()
    {
        last.push_str("...");
    }
    format!(
        "{}{}({})",
        modifiers_prefix(function.modifiers),
        var_text(&function.return_type, &function.name.text),
        params.join(", ")
    )
}

fn class_text(class: &ast::ClassDef) -> String {
    let members: String = class
        .members
        .iter()
        .map(|m| format!("    {};\n", var_text(&m.ty, &m.name.text)))
        .collect();
    format!("class {} {{\n{members}}}", class.name.text)
}

/// The `#define` line of a macro whose name is at `name`, continuation
/// lines joined.
pub fn macro_text(sources: &SourceMap, name: Span) -> String {
    let Some(file) = sources.files().get(name.file.0 as usize) else {
        return String::new();
    };
    let text = &file.text;
    let line_start = file.line_start(file.line_index(name.start)) as usize;
    let mut end = name.end as usize;
    let bytes = text.as_bytes();
    while end < bytes.len() {
        if bytes[end] == b'\n' {
            let continued = text[..end].trim_end_matches('\r').ends_with('\\');
            if !continued {
                break;
            }
        }
        end += 1;
    }
    text.get(line_start..end).unwrap_or("").trim().to_string()
}

/// The comment right above a declaration starting at `span`: a block
/// comment or a run of `//` lines, cleaned of comment markers.
pub fn doc_comment(sources: &SourceMap, span: Span) -> Option<String> {
    let file = sources.files().get(span.file.0 as usize)?;
    let before = file.text.get(..span.start as usize)?.trim_end();
    if let Some(body_end) = before.strip_suffix("*/") {
        let start = body_end.rfind("/*")?;
        let body = &body_end[start + 2..];
        let lines: Vec<&str> = body
            .lines()
            .map(|l| l.trim().trim_start_matches('*').trim())
            .collect();
        let text = lines.join("\n").trim().to_string();
        return (!text.is_empty()).then_some(text);
    }
    let mut lines = Vec::new();
    for line in before.lines().rev() {
        let line = line.trim();
        let Some(comment) = line.strip_prefix("//") else {
            break;
        };
        lines.push(comment.trim_start_matches('/').trim());
    }
    lines.reverse();
    let text = lines.join("\n").trim().to_string();
    (!text.is_empty()).then_some(text)
}
