//! `regexp()` and `reg_assoc()`: the driver's own regular expression
//! dialect (the classic LPC one: `\<` and `\>` for word edges, `\b` for a
//! backspace, any other escaped character literal, no counted repeats),
//! translated to the `regex` crate's syntax. `sscanf`'s `%(...)` uses it too.

use std::cell::RefCell;
use std::rc::Rc;

use regex::Regex;
use rustc_hash::FxHashMap;

use super::{arg, bad_arg, str_arg};
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("regexp", regexp);
    m.insert("reg_assoc", reg_assoc);
}

/// How many compiled patterns are kept for reuse.
const CACHE_SIZE: usize = 64;

thread_local! {
    static CACHE: RefCell<FxHashMap<String, Rc<Regex>>> = RefCell::new(FxHashMap::default());
}

/// The compiled form of an LPC pattern, from the cache when it was seen
/// recently; the error text is the dialect's own.
pub fn compile(pattern: &str) -> Result<Rc<Regex>, Unwind> {
    if let Some(re) = CACHE.with(|c| c.borrow().get(pattern).cloned()) {
        return Ok(re);
    }
    let translated = translate(pattern).map_err(error)?;
    let re = Regex::new(&translated).map_err(|e| error(format!("regexp: {e}")))?;
    let re = Rc::new(re);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= CACHE_SIZE {
            c.clear();
        }
        c.insert(pattern.to_string(), re.clone());
    });
    Ok(re)
}

/// Rewrites an LPC pattern in the `regex` crate's syntax, rejecting what
/// the LPC dialect rejects.
pub fn translate(pattern: &str) -> Result<String, String> {
    // `.` matches newlines too, and `^`/`$` only the ends of the text.
    let mut out = String::from("(?s)");
    let mut chars = pattern.chars().peekable();
    // Whether the last item can take a repeat operator, and whether it has one.
    let mut can_repeat = false;
    let mut repeated = false;
    let mut depth = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '*' | '+' | '?' => {
                if repeated {
                    return Err("nested *?+".into());
                }
                if !can_repeat {
                    return Err(format!("{c} follows nothing"));
                }
                out.push(c);
                repeated = true;
                continue;
            }
            '(' => {
                depth += 1;
                out.push('(');
                can_repeat = false;
                repeated = false;
                continue;
            }
            ')' => {
                if depth == 0 {
                    return Err("unmatched ()".into());
                }
                depth -= 1;
                out.push(')');
            }
            '|' => {
                out.push('|');
                can_repeat = false;
                repeated = false;
                continue;
            }
            '^' | '$' => {
                out.push(c);
                can_repeat = false;
                repeated = false;
                continue;
            }
            '.' => out.push('.'),
            '[' => class(&mut chars, &mut out)?,
            ']' => return Err("unexpected ]".into()),
            '\\' => match chars.next() {
                None => {
                    return Err("Regular expression cannot end with '\\'.  Use \"\\\\\".".into());
                }
                Some('<') => {
                    out.push_str(r"\b{start}");
                    can_repeat = false;
                    repeated = false;
                    continue;
                }
                Some('>') => {
                    out.push_str(r"\b{end}");
                    can_repeat = false;
                    repeated = false;
                    continue;
                }
                Some('{' | '}') => return Err("sorry, unimplemented operator".into()),
                Some('b') => out.push_str(r"\x08"),
                Some('t') => out.push_str(r"\t"),
                Some('r') => out.push_str(r"\r"),
                Some(other) => literal(other, &mut out),
            },
            other => literal(other, &mut out),
        }
        can_repeat = true;
        repeated = false;
    }
    if depth != 0 {
        return Err("unmatched ()".into());
    }
    Ok(out)
}

fn literal(c: char, out: &mut String) {
    let mut buf = [0u8; 4];
    out.push_str(&regex::escape(c.encode_utf8(&mut buf)));
}

/// A `[...]` range: `]` first is literal, `-` first or last is literal,
/// and a leading `^` negates.
fn class(chars: &mut std::iter::Peekable<std::str::Chars>, out: &mut String) -> Result<(), String> {
    out.push('[');
    if chars.peek() == Some(&'^') {
        chars.next();
        out.push('^');
    }
    let mut items: Vec<char> = Vec::new();
    if chars.peek() == Some(&']') {
        chars.next();
        items.push(']');
    }
    loop {
        match chars.next() {
            None => return Err("unmatched []".into()),
            Some(']') => break,
            Some('\\') => match chars.next() {
                Some(c) => items.push(c),
                None => return Err("unmatched []".into()),
            },
            Some(c) => items.push(c),
        }
    }
    let mut i = 0;
    while i < items.len() {
        let c = items[i];
        if i + 2 < items.len() && items[i + 1] == '-' {
            let end = items[i + 2];
            if end < c {
                return Err("invalid [] range".into());
            }
            class_char(c, out);
            out.push('-');
            class_char(end, out);
            i += 3;
            continue;
        }
        class_char(c, out);
        i += 1;
    }
    out.push(']');
    Ok(())
}

/// A character inside a class: letters and digits as they are, anything
/// else by its code, which the class syntax always reads literally.
fn class_char(c: char, out: &mut String) {
    if c.is_alphanumeric() {
        out.push(c);
    } else {
        out.push_str(&format!("\\x{{{:x}}}", c as u32));
    }
}

/// `regexp(string, pattern)`: 1 when it matches. `regexp(array, pattern,
/// flag)`: the matching strings (bit 2 of flag: those that do not match;
/// bit 1: each followed by its index plus one).
fn regexp(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let pattern = str_arg(vm, base, argc, 1, "regexp")?;
    let subject = arg(vm, base, argc, 0);
    let flag = match arg(vm, base, argc, 2) {
        Value::Int(n) => n,
        Value::Undefined if argc <= 2 => 0,
        _ => return Err(error("Bad argument 3 to regexp()")),
    };
    match subject {
        Value::Str(s) => {
            if argc > 2 {
                return Err(error("3rd argument illegal for regexp(string, string)"));
            }
            let re = compile(&pattern.text)?;
            Ok(Value::Int(re.is_match(&s.text) as i64))
        }
        Value::Array(items) => {
            let items = items.borrow().clone();
            if items.is_empty() {
                return Ok(Value::array(Vec::new()));
            }
            let re = compile(&pattern.text)?;
            let want = flag & 2 == 0;
            let mut out = Vec::new();
            for (i, item) in items.into_iter().enumerate() {
                let Value::Str(s) = &item else { continue };
                if re.is_match(&s.text) != want {
                    continue;
                }
                out.push(item);
                if flag & 1 != 0 {
                    out.push(Value::Int(i as i64 + 1));
                }
            }
            Ok(Value::array(out))
        }
        other => Err(bad_arg("regexp", 0, &other)),
    }
}

/// The earliest match among `patterns` at or after `from`; at equal
/// starts the first pattern wins. (pattern index, start, end)
pub fn first_match<F>(count: usize, from: usize, mut find: F) -> Option<(usize, usize, usize)>
where
    F: FnMut(usize, usize) -> Option<(usize, usize)>,
{
    let mut best: Option<(usize, usize, usize)> = None;
    for i in 0..count {
        let Some((start, end)) = find(i, from) else {
            continue;
        };
        if start == from {
            return Some((i, start, end));
        }
        if best.is_none_or(|(_, s, _)| start < s) {
            best = Some((i, start, end));
        }
    }
    best
}

/// Splits `text` into the pieces between matches and the matches, each
/// labelled: ({ pieces, labels }); text between matches gets `default`.
pub fn assoc<F>(text: &str, labels: &[Value], default: &Value, mut find: F) -> Value
where
    F: FnMut(usize, usize) -> Option<(usize, usize)>,
{
    let mut matches = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let Some((i, start, end)) = first_match(labels.len(), at, &mut find) else {
            break;
        };
        matches.push((i, start, end));
        at = end;
        // An empty match steps on, so the split always moves forward.
        if start == end {
            at = next_boundary(text, at);
            if at >= text.len() {
                break;
            }
        }
    }
    let mut pieces = Vec::new();
    let mut tags = Vec::new();
    let mut last = 0;
    for (i, start, end) in matches {
        pieces.push(Value::str(text.get(last..start).unwrap_or("")));
        tags.push(default.clone());
        pieces.push(Value::str(text.get(start..end).unwrap_or("")));
        tags.push(labels.get(i).cloned().unwrap_or_default());
        last = end;
    }
    pieces.push(Value::str(text.get(last..).unwrap_or("")));
    tags.push(default.clone());
    Value::array(vec![Value::array(pieces), Value::array(tags)])
}

fn next_boundary(text: &str, at: usize) -> usize {
    let mut next = at + 1;
    while next < text.len() && !text.is_char_boundary(next) {
        next += 1;
    }
    next
}

/// The checks `reg_assoc` and `pcre_assoc` share: as many labels as
/// patterns, and every pattern a string.
pub fn assoc_arguments(
    efun: &str,
    patterns: &Value,
    labels: &Value,
) -> Result<(Vec<String>, Vec<Value>), Unwind> {
    let Value::Array(patterns) = patterns else {
        return Err(bad_arg(efun, 1, patterns));
    };
    let Value::Array(labels) = labels else {
        return Err(error(format!("Bad argument 3 to {efun}()")));
    };
    let patterns = patterns.borrow();
    let labels = labels.borrow().clone();
    if patterns.len() != labels.len() {
        return Err(error("Pattern and token array sizes must be identical."));
    }
    let mut texts = Vec::with_capacity(patterns.len());
    for p in patterns.iter() {
        let Value::Str(s) = p else {
            return Err(error("Non-string found in pattern array."));
        };
        texts.push(s.text.to_string());
    }
    Ok((texts, labels))
}

fn reg_assoc(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let text = str_arg(vm, base, argc, 0, "reg_assoc")?;
    let (patterns, labels) = assoc_arguments(
        "reg_assoc",
        &arg(vm, base, argc, 1),
        &arg(vm, base, argc, 2),
    )?;
    let default = match arg(vm, base, argc, 3) {
        Value::Undefined => Value::Int(0),
        v => v,
    };
    let compiled = patterns
        .iter()
        .map(|p| compile(p))
        .collect::<Result<Vec<_>, _>>()?;
    // Each search starts a fresh subject at `from`, so `^` anchors there.
    Ok(assoc(&text.text, &labels, &default, |i, from| {
        compiled
            .get(i)?
            .find(text.text.get(from..)?)
            .map(|m| (from + m.start(), from + m.end()))
    }))
}
