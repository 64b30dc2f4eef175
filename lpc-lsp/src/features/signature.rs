//! Signature help for calls of efuns and LPC functions.

use tower_lsp_server::ls_types::{
    Documentation, MarkupContent, MarkupKind, ParameterInformation, ParameterLabel, SignatureHelp,
    SignatureInformation,
};

use crate::analysis::{FileAnalysis, SymbolKind};
use crate::resolve::{Target, ident_at, in_comment_or_string, lookup, qualifier_before};
use crate::world::World;

/// The call whose argument list holds `offset`: where its name ends and
/// which argument the cursor is in.
pub fn enclosing_call(text: &str, offset: u32) -> Option<(u32, u32)> {
    let bytes = text.as_bytes();
    let mut depth = 0i32;
    let mut commas = 0u32;
    let mut i = (offset as usize).min(bytes.len());
    // Calls rarely span more than a few lines; the bound keeps this cheap.
    let floor = i.saturating_sub(4000);
    while i > floor {
        i -= 1;
        match bytes[i] {
            b')' | b']' | b'}' => depth += 1,
            b'(' | b'[' | b'{' if depth > 0 => depth -= 1,
            b'(' => {
                let mut j = i;
                while j > 0 && bytes[j - 1].is_ascii_whitespace() {
                    j -= 1;
                }
                return Some((j as u32, commas));
            }
            b'[' | b'{' | b';' => return None,
            b',' if depth == 0 => commas += 1,
            b'"' => {
                // Skip back over a string literal on the same line.
                while i > floor {
                    i -= 1;
                    if bytes[i] == b'"' && (i == 0 || bytes[i - 1] != b'\\') {
                        break;
                    }
                    if bytes[i] == b'\n' {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    None
}

pub fn signature_help(
    world: &World,
    analysis: &FileAnalysis,
    offset: u32,
) -> Option<SignatureHelp> {
    let text = analysis.text();
    if in_comment_or_string(text, offset) {
        return None;
    }
    let (name_end, active) = enclosing_call(text, offset)?;
    let (start, _, name) = ident_at(text, name_end.checked_sub(1)?)?;
    let qualifier = qualifier_before(text, start);
    let (prefix, params, doc) = match lookup(world, analysis, name, start, qualifier)? {
        Target::Symbol(symbol) if symbol.kind == SymbolKind::Function => {
            let open = symbol.detail.find('(')?;
            (
                symbol.detail[..=open].to_string(),
                symbol.params.clone(),
                symbol.doc.clone(),
            )
        }
        Target::Efun(name) => {
            let efun = world.efuns.get(&name)?;
            let mut params: Vec<String> = efun.params.iter().map(ToString::to_string).collect();
            if let Some(at) = efun.varargs {
                params.insert(at.min(params.len()), "...".to_string());
            }
            let ret = efun.return_type.to_string();
            let sep = if ret.ends_with('*') { "" } else { " " };
            let summary = (!efun.doc.summary.is_empty()).then(|| efun.doc.summary.clone());
            (format!("{ret}{sep}{}(", efun.name), params, summary)
        }
        _ => return None,
    };
    let mut label = prefix;
    let mut parameters = Vec::new();
    for (i, param) in params.iter().enumerate() {
        if i > 0 {
            label.push_str(", ");
        }
        let begin = label.encode_utf16().count() as u32;
        label.push_str(param);
        let end = label.encode_utf16().count() as u32;
        parameters.push(ParameterInformation {
            label: ParameterLabel::LabelOffsets([begin, end]),
            documentation: None,
        });
    }
    label.push(')');
    let last = params.len().saturating_sub(1) as u32;
    let varargs = params.last().is_some_and(|p| p.ends_with("..."));
    let active = if varargs { active.min(last) } else { active };
    Some(SignatureHelp {
        signatures: vec![SignatureInformation {
            label,
            documentation: doc.map(|d| {
                Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: d,
                })
            }),
            parameters: Some(parameters),
            active_parameter: Some(active),
        }],
        active_signature: Some(0),
        active_parameter: Some(active),
    })
}
