//! Semantic tokens, standard LSP (full and range): names classified by
//! what they resolve to (functions, efuns, globals, locals, parameters,
//! class members, macros, classes), keywords, types, literals, comments;
//! code in inactive `#if` branches is sent as comments, so every editor
//! dims it.

use lpcc::lexer::{LexConfig, Lexer, TokenKind};
use lpcc::span::{FileId, Span};
use rustc_hash::{FxHashMap, FxHashSet};
use tower_lsp_server::ls_types::{
    Range, SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokensLegend,
};

use crate::analysis::{FileAnalysis, SymbolKind};
use crate::uses::{Bind, resolve_file};
use crate::world::World;

/// The token types, in the order of their indexes in the legend.
const TYPES: [SemanticTokenType; 11] = [
    SemanticTokenType::FUNCTION,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::PARAMETER,
    SemanticTokenType::MACRO,
    SemanticTokenType::TYPE,
    SemanticTokenType::CLASS,
    SemanticTokenType::KEYWORD,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::COMMENT,
    SemanticTokenType::PROPERTY,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Function,
    Variable,
    Parameter,
    Macro,
    Type,
    Class,
    Keyword,
    String,
    Number,
    Comment,
    Property,
}

const DECLARATION: u32 = 1;
const DEFAULT_LIBRARY: u32 = 2;

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.to_vec(),
        token_modifiers: vec![
            SemanticTokenModifier::DECLARATION,
            SemanticTokenModifier::DEFAULT_LIBRARY,
        ],
    }
}

/// A classified stretch of the main file's text.
#[derive(Clone, Copy, Debug)]
struct Item {
    start: u32,
    end: u32,
    kind: Kind,
    modifiers: u32,
}

/// The tokens of the file, or of the lines of `range` only.
pub fn semantic_tokens(
    world: &World,
    analysis: &FileAnalysis,
    range: Option<Range>,
) -> Vec<SemanticToken> {
    let items = classify(world, analysis);
    encode(analysis, &items, range)
}

fn classify(world: &World, analysis: &FileAnalysis) -> Vec<Item> {
    let text = analysis.text();
    let main = analysis.main_file();
    let uses = resolve_file(world, analysis, true);
    let by_start: FxHashMap<u32, &crate::uses::Use> =
        uses.uses.iter().map(|u| (u.start, u)).collect();
    let params = param_spans(analysis);
    let members = member_spans(analysis);
    let mut macros: FxHashSet<&str> = analysis
        .pre
        .macros_defined
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    let config_macros: Vec<String> = world
        .config
        .check
        .defines
        .iter()
        .map(|(name, _)| name.split('(').next().unwrap_or(name).to_string())
        .collect();
    macros.extend(config_macros.iter().map(String::as_str));
    let classes: FxHashSet<smol_str::SmolStr> = world
        .visible_symbols(&world.own_summary(analysis))
        .into_iter()
        .filter(|s| s.kind == SymbolKind::Class)
        .map(|s| s.name)
        .collect();
    let active = active_spans(analysis);

    let mut lexer = Lexer::new(text, main);
    let raw: Vec<lpcc::lexer::Token> = lexer.by_ref().collect();
    let mut items = Vec::new();
    // Lexed stretches; comments are what lies between them.
    let mut covered: Vec<(u32, u32)> = Vec::new();
    let cx = Names {
        text,
        by_start: &by_start,
        params: &params,
        members: &members,
        macros: &macros,
        classes: &classes,
    };
    // Tokens between two directives are all active or all skipped.
    let mut run_start = 0;
    while run_start < raw.len() {
        if raw[run_start].kind == TokenKind::Directive {
            directive(&cx, main, raw[run_start].span, &mut items, &mut covered);
            run_start += 1;
            continue;
        }
        let mut run_end = run_start;
        while run_end < raw.len() && raw[run_end].kind != TokenKind::Directive {
            run_end += 1;
        }
        let run = &raw[run_start..run_end];
        let live = run.iter().any(|t| overlaps(&active, t.span));
        for (i, token) in run.iter().enumerate() {
            let span = token.span;
            covered.push((span.start, span.end));
            if !live {
                items.push(item(span, Kind::Comment, 0));
                continue;
            }
            let previous = i.checked_sub(1).map(|p| run[p].kind);
            let next = run.get(i + 1).map(|t| t.kind);
            if let Some(found) = cx.token(token.kind, span, previous, next) {
                items.push(found);
            }
        }
        run_start = run_end;
    }
    comments(text, &covered, &mut items);
    items.sort_by_key(|i| i.start);
    items
}

fn item(span: Span, kind: Kind, modifiers: u32) -> Item {
    Item {
        start: span.start,
        end: span.end,
        kind,
        modifiers,
    }
}

struct Names<'a> {
    text: &'a str,
    by_start: &'a FxHashMap<u32, &'a crate::uses::Use>,
    params: &'a FxHashSet<u32>,
    members: &'a FxHashSet<u32>,
    macros: &'a FxHashSet<&'a str>,
    classes: &'a FxHashSet<smol_str::SmolStr>,
}

impl Names<'_> {
    fn token(
        &self,
        kind: TokenKind,
        span: Span,
        previous: Option<TokenKind>,
        next: Option<TokenKind>,
    ) -> Option<Item> {
        use TokenKind as T;
        let found = match kind {
            T::Ident => return self.ident(span, previous, next),
            T::Int | T::Float => Kind::Number,
            T::Char
            | T::Str
            | T::TextBlock
            | T::TextBlockArray
            | T::Template
            | T::TemplateHead
            | T::TemplateMiddle
            | T::TemplateTail => Kind::String,
            T::Param => Kind::Parameter,
            T::KwInt
            | T::KwFloat
            | T::KwString
            | T::KwObject
            | T::KwMapping
            | T::KwMixed
            | T::KwVoid
            | T::KwBuffer
            | T::KwFunction => Kind::Type,
            k if k.is_keyword() => Kind::Keyword,
            _ => return None,
        };
        Some(item(span, found, 0))
    }

    fn ident(
        &self,
        span: Span,
        previous: Option<TokenKind>,
        next: Option<TokenKind>,
    ) -> Option<Item> {
        let name = self.text.get(span.start as usize..span.end as usize)?;
        if let Some(found) = self.by_start.get(&span.start) {
            let declaration = if found.declaration { DECLARATION } else { 0 };
            let (kind, extra) = match &found.bind {
                Bind::Local(decl) if self.params.contains(decl) => (Kind::Parameter, 0),
                Bind::Local(_) | Bind::Global(_) => (Kind::Variable, 0),
                Bind::Function(_) => (Kind::Function, 0),
                Bind::Efun => (Kind::Function, DEFAULT_LIBRARY),
                Bind::Member(_) => (Kind::Property, 0),
            };
            return Some(item(span, kind, declaration | extra));
        }
        if self.members.contains(&span.start) {
            return Some(item(span, Kind::Property, DECLARATION));
        }
        if self.macros.contains(name) {
            return Some(item(span, Kind::Macro, 0));
        }
        if previous == Some(TokenKind::KwClass) || self.classes.contains(name) {
            return Some(item(span, Kind::Class, 0));
        }
        if matches!(previous, Some(TokenKind::Dot | TokenKind::OptionalDot)) {
            return Some(item(span, Kind::Property, 0));
        }
        if next == Some(TokenKind::LParen) {
            return Some(item(span, Kind::Function, 0));
        }
        None
    }
}

/// A directive line: the directive as a keyword, the name a `#define`
/// defines as a macro, an included name as a string, the rest lexed.
fn directive(
    cx: &Names<'_>,
    main: FileId,
    span: Span,
    items: &mut Vec<Item>,
    covered: &mut Vec<(u32, u32)>,
) {
    let text = cx.text;
    let Some(line) = text.get(span.start as usize..span.end as usize) else {
        return;
    };
    let bytes = line.as_bytes();
    let mut i = 1;
    while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
        i += 1;
    }
    let word_start = i;
    while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
        i += 1;
    }
    let word = &line[word_start..i];
    let keyword_end = span.start + i as u32;
    items.push(item(
        Span::new(main, span.start, keyword_end),
        Kind::Keyword,
        0,
    ));
    covered.push((span.start, keyword_end));
    let rest = keyword_end as usize..span.end as usize;
    if word == "include"
        && let Some(open) = line[i..].find('<')
        && let Some(close) = line[i + open..].find('>')
    {
        let start = keyword_end + open as u32;
        let end = start + close as u32 + 1;
        items.push(item(Span::new(main, start, end), Kind::String, 0));
        covered.push((start, end));
        return;
    }
    let mut lexer = Lexer::with_range(
        text,
        main,
        rest,
        LexConfig {
            directives: false,
            ..LexConfig::default()
        },
    );
    let tokens: Vec<lpcc::lexer::Token> = lexer.by_ref().collect();
    for (n, token) in tokens.iter().enumerate() {
        covered.push((token.span.start, token.span.end));
        if n == 0 && word == "define" && token.kind == TokenKind::Ident {
            items.push(item(token.span, Kind::Macro, DECLARATION));
            continue;
        }
        let name = text
            .get(token.span.start as usize..token.span.end as usize)
            .unwrap_or("");
        if token.kind == TokenKind::Ident && (cx.macros.contains(name) || word != "define") {
            if name == "defined" {
                items.push(item(token.span, Kind::Keyword, 0));
            } else {
                items.push(item(token.span, Kind::Macro, 0));
            }
            continue;
        }
        let previous = n.checked_sub(1).map(|p| tokens[p].kind);
        let next = tokens.get(n + 1).map(|t| t.kind);
        if token.kind == TokenKind::Ident {
            continue;
        }
        if let Some(found) = cx.token(token.kind, token.span, previous, next) {
            items.push(found);
        }
    }
}

/// `//` and `/* */` comments in the gaps between lexed stretches.
fn comments(text: &str, covered: &[(u32, u32)], items: &mut Vec<Item>) {
    let mut covered = covered.to_vec();
    covered.sort_unstable();
    let mut gap_start = 0usize;
    let scan = |from: usize, to: usize, items: &mut Vec<Item>| {
        let gap = text.get(from..to).unwrap_or("");
        let mut at = 0;
        while let Some(found) = gap[at..].find('/') {
            let start = at + found;
            let rest = &gap[start..];
            let end = if rest.starts_with("//") {
                rest.find('\n').map_or(gap.len(), |n| start + n)
            } else if let Some(body) = rest.strip_prefix("/*") {
                body.find("*/").map_or(gap.len(), |n| start + 2 + n + 2)
            } else {
                at = start + 1;
                continue;
            };
            items.push(Item {
                start: (from + start) as u32,
                end: (from + end) as u32,
                kind: Kind::Comment,
                modifiers: 0,
            });
            at = end;
        }
    };
    for (start, end) in covered {
        let start = start as usize;
        if start > gap_start {
            scan(gap_start, start, items);
        }
        gap_start = gap_start.max(end as usize);
    }
    if gap_start < text.len() {
        scan(gap_start, text.len(), items);
    }
}

/// The spans of the main file that reach the parser, sorted.
fn active_spans(analysis: &FileAnalysis) -> Vec<(u32, u32)> {
    let main = analysis.main_file();
    let mut spans: Vec<(u32, u32)> = analysis
        .pre
        .tokens
        .iter()
        .filter(|t| t.span.file == main)
        .map(|t| (t.span.start, t.span.end.max(t.span.start + 1)))
        .collect();
    spans.sort_unstable();
    spans
}

fn overlaps(active: &[(u32, u32)], span: Span) -> bool {
    let index = active.partition_point(|&(start, _)| start < span.end.max(span.start + 1));
    active[..index]
        .iter()
        .rev()
        .take(64)
        .any(|&(_, end)| end > span.start)
}

/// Where every class member of the file is declared.
fn member_spans(analysis: &FileAnalysis) -> FxHashSet<u32> {
    let mut out = FxHashSet::default();
    for item in &analysis.program.items {
        if let lpcc::ast::Item::Class(class) = item {
            out.extend(class.members.iter().map(|m| m.name.span.start));
        }
    }
    out
}

/// Where every parameter name of the file is declared.
fn param_spans(analysis: &FileAnalysis) -> FxHashSet<u32> {
    let mut out = FxHashSet::default();
    for item in &analysis.program.items {
        if let lpcc::ast::Item::Function(f) = item {
            for param in &f.params {
                if let Some(name) = &param.name {
                    out.insert(name.span.start);
                }
            }
        }
    }
    out
}

/// The protocol's relative encoding, each token on one line (multi-line
/// comments and strings are cut at line ends).
fn encode(analysis: &FileAnalysis, items: &[Item], range: Option<Range>) -> Vec<SemanticToken> {
    let file = analysis.sources().file(analysis.main_file());
    let text = &*file.text;
    let mut out = Vec::new();
    let (mut last_line, mut last_col) = (0u32, 0u32);
    let mut last_end = 0u32;
    for it in items {
        // Overlaps would break the encoding; the first token wins.
        if it.start < last_end {
            continue;
        }
        last_end = it.end;
        let mut start = it.start as usize;
        let end = (it.end as usize).min(text.len());
        while start < end {
            let line_end = text[start..end].find('\n').map_or(end, |n| start + n);
            let piece = text[start..line_end].trim_end_matches('\r');
            if !piece.is_empty() {
                let pos = crate::pos::offset_to_position(file, start as u32);
                let wanted =
                    range.is_none_or(|r| pos.line >= r.start.line && pos.line <= r.end.line);
                if wanted {
                    let length = piece.encode_utf16().count() as u32;
                    let delta_line = pos.line - last_line;
                    let delta_start = if delta_line == 0 {
                        pos.character - last_col
                    } else {
                        pos.character
                    };
                    out.push(SemanticToken {
                        delta_line,
                        delta_start,
                        length,
                        token_type: it.kind as u32,
                        token_modifiers_bitset: it.modifiers,
                    });
                    last_line = pos.line;
                    last_col = pos.character;
                }
            }
            start = line_end + 1;
        }
    }
    out
}
