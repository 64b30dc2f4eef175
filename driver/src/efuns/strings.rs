//! String efuns: `sprintf` and `sscanf` formats, `explode`, `implode`,
//! `replace_string`, `strlen` and case conversion.

use rustc_hash::FxHashMap;

use super::{arg, bad_arg, int_arg, str_arg};
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("sprintf", sprintf_efun);
    m.insert("strlen", strlen);
    m.insert("explode", explode);
    m.insert("implode", implode);
    m.insert("replace_string", replace_string);
    m.insert("lower_case", |vm, b, n| {
        Ok(Value::str(
            str_arg(vm, b, n, 0, "lower_case")?.text.to_lowercase(),
        ))
    });
    m.insert("upper_case", |vm, b, n| {
        Ok(Value::str(
            str_arg(vm, b, n, 0, "upper_case")?.text.to_uppercase(),
        ))
    });
    m.insert("capitalize", |vm, b, n| {
        let s = str_arg(vm, b, n, 0, "capitalize")?;
        let mut chars = s.text.chars();
        Ok(Value::str(match chars.next() {
            Some(c) => c.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }))
    });
    m.insert("strsrch", strsrch);
}

fn strlen(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    match arg(vm, base, argc, 0) {
        Value::Str(s) => Ok(Value::Int(s.len() as i64)),
        Value::Undefined | Value::Int(0) => Ok(Value::Int(0)),
        other => Err(bad_arg("strlen", 0, &other)),
    }
}

fn strsrch(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let s = str_arg(vm, base, argc, 0, "strsrch")?;
    let needle = match arg(vm, base, argc, 1) {
        Value::Str(n) => n.text.clone(),
        Value::Int(c) => char::from_u32(c as u32)
            .map(String::from)
            .unwrap_or_default(),
        other => return Err(bad_arg("strsrch", 1, &other)),
    };
    let backwards = int_arg(vm, base, argc, 2, "strsrch")? != 0;
    if s.ascii {
        let found = if backwards {
            s.text.rfind(&needle)
        } else {
            s.text.find(&needle)
        };
        return Ok(Value::Int(found.map_or(-1, |byte| byte as i64)));
    }
    // A match counts only from one cluster boundary to another.
    let starts: Vec<usize> =
        unicode_segmentation::UnicodeSegmentation::grapheme_indices(s.text.as_str(), true)
            .map(|(at, _)| at)
            .collect();
    let boundary = |at: usize| at == s.text.len() || starts.binary_search(&at).is_ok();
    let whole = |&(at, m): &(usize, &str)| boundary(at) && boundary(at + m.len());
    let found = if needle.is_empty() {
        None
    } else if backwards {
        s.text.rmatch_indices(needle.as_str()).find(whole)
    } else {
        s.text.match_indices(needle.as_str()).find(whole)
    };
    Ok(Value::Int(found.map_or(-1, |(byte, _)| {
        starts.partition_point(|&at| at < byte) as i64
    })))
}

fn explode(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let s = str_arg(vm, base, argc, 0, "explode")?;
    let sep = str_arg(vm, base, argc, 1, "explode")?;
    let text = s.text.as_str();
    let sep = sep.text.as_str();
    if sep.is_empty() {
        let parts = unicode_segmentation::UnicodeSegmentation::graphemes(text, true)
            .map(Value::str)
            .collect();
        return Ok(Value::array(parts));
    }
    // Leading separators are dropped, as with `sane explode string`; a
    // trailing one leaves no empty last element.
    let mut rest = text;
    while let Some(r) = rest.strip_prefix(sep) {
        rest = r;
    }
    let mut parts: Vec<Value> = rest.split(sep).map(Value::str).collect();
    if rest.ends_with(sep) || rest.is_empty() {
        parts.pop();
    }
    Ok(Value::array(parts))
}

fn implode(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let Value::Array(list) = arg(vm, base, argc, 0) else {
        return Err(bad_arg("implode", 0, &arg(vm, base, argc, 0)));
    };
    match arg(vm, base, argc, 1) {
        Value::Str(sep) => {
            let list = list.borrow();
            let mut out = String::new();
            let mut first = true;
            for item in list.iter() {
                let Value::Str(s) = item else { continue };
                if !first {
                    out.push_str(&sep.text);
                }
                first = false;
                out.push_str(&s.text);
            }
            Ok(Value::str(out))
        }
        f @ Value::Function(_) => {
            let items = list.borrow().clone();
            let mut it = items.into_iter();
            let mut acc = if argc > 2 {
                arg(vm, base, argc, 2)
            } else {
                it.next().unwrap_or_default()
            };
            for item in it {
                acc = vm.call_value(&f, &[acc, item])?;
            }
            Ok(acc)
        }
        other => Err(bad_arg("implode", 1, &other)),
    }
}

fn replace_string(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let s = str_arg(vm, base, argc, 0, "replace_string")?;
    let from = str_arg(vm, base, argc, 1, "replace_string")?;
    let to = str_arg(vm, base, argc, 2, "replace_string")?;
    if from.text.is_empty() {
        return Ok(Value::Str(s));
    }
    Ok(Value::str(s.text.replace(from.text.as_str(), &to.text)))
}

fn sprintf_efun(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let format = str_arg(vm, base, argc, 0, "sprintf")?;
    let args: Vec<Value> = (1..argc).map(|i| arg(vm, base, argc, i)).collect();
    sprintf(vm, &format.text, &args).map(Value::str)
}

/// Formats like LPC `sprintf`: `%[-][0][width][.precision]` with `d i s O
/// x X o c f e g %`; a `*` width takes an argument.
pub fn sprintf(vm: &Vm, format: &str, args: &[Value]) -> Result<String, Unwind> {
    let mut out = String::with_capacity(format.len() + 16);
    let mut args = args.iter();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut left = false;
        let mut zero = false;
        while let Some(&f) = chars.peek() {
            match f {
                '-' => left = true,
                '0' => zero = true,
                ' ' | '+' | '|' | '@' | '\'' => {}
                _ => break,
            }
            chars.next();
        }
        let mut width = None;
        if chars.peek() == Some(&'*') {
            chars.next();
            width = args
                .next()
                .and_then(Value::as_int)
                .map(|w| w.max(0) as usize);
        } else {
            let mut w = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                w.push(d);
                chars.next();
            }
            width = w.parse().ok().or(width);
        }
        let mut precision = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                p.push(d);
                chars.next();
            }
            precision = p.parse::<usize>().ok();
        }
        let Some(conv) = chars.next() else { break };
        if conv == '%' {
            out.push('%');
            continue;
        }
        let v = args.next().cloned().unwrap_or_default();
        let text = match conv {
            'd' | 'i' => match &v {
                Value::Float(f) => (*f as i64).to_string(),
                other => match other.as_int() {
                    Some(i) => i.to_string(),
                    None => return Err(error(format!("sprintf(): bad argument for %{conv}"))),
                },
            },
            'x' => format!("{:x}", v.as_int().unwrap_or(0)),
            'X' => format!("{:X}", v.as_int().unwrap_or(0)),
            'o' => format!("{:o}", v.as_int().unwrap_or(0)),
            'c' => char::from_u32(v.as_int().unwrap_or(0) as u32)
                .map(String::from)
                .unwrap_or_default(),
            'f' | 'e' | 'g' => {
                let f = match v {
                    Value::Float(f) => f,
                    other => other.as_int().unwrap_or(0) as f64,
                };
                let p = precision.unwrap_or(6);
                match conv {
                    'e' => format!("{f:.p$e}"),
                    _ => format!("{f:.p$}"),
                }
            }
            's' => match &v {
                Value::Str(s) => match precision {
                    Some(p) => s.text.chars().take(p).collect(),
                    None => s.text.clone(),
                },
                other => describe(vm, other),
            },
            'O' => describe(vm, &v),
            other => return Err(error(format!("sprintf(): unknown conversion %{other}"))),
        };
        let len = text.chars().count();
        match width {
            Some(w) if w > len => {
                let pad = w - len;
                if left {
                    out.push_str(&text);
                    out.extend(std::iter::repeat_n(' ', pad));
                } else if zero && matches!(conv, 'd' | 'i' | 'f' | 'x' | 'X') {
                    let (sign, digits) = text
                        .strip_prefix('-')
                        .map_or(("", text.as_str()), |d| ("-", d));
                    out.push_str(sign);
                    out.extend(std::iter::repeat_n('0', pad));
                    out.push_str(digits);
                } else {
                    out.extend(std::iter::repeat_n(' ', pad));
                    out.push_str(&text);
                }
            }
            _ => out.push_str(&text),
        }
    }
    Ok(out)
}

/// A value written out as `%O` does.
pub fn describe(vm: &Vm, v: &Value) -> String {
    let mut out = String::new();
    describe_into(vm, v, &mut out, 0);
    out
}

fn describe_into(vm: &Vm, v: &Value, out: &mut String, depth: usize) {
    use std::fmt::Write;
    if depth > 32 {
        out.push_str("...");
        return;
    }
    match v {
        Value::Ref(cell) => describe_into(vm, &cell.borrow(), out, depth + 1),
        Value::Undefined => out.push('0'),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => out.push_str(&crate::vm::ops::float_text(*f)),
        Value::Str(s) => {
            let _ = write!(out, "{:?}", s.text);
        }
        Value::Array(a) => {
            out.push_str("({ ");
            for item in a.borrow().iter() {
                describe_into(vm, item, out, depth + 1);
                out.push_str(", ");
            }
            out.push_str("})");
        }
        Value::Mapping(m) => {
            out.push_str("([ ");
            for (k, v) in m.borrow().iter() {
                describe_into(vm, k, out, depth + 1);
                out.push_str(" : ");
                describe_into(vm, v, out, depth + 1);
                out.push_str(", ");
            }
            out.push_str("])");
        }
        Value::Object(r) => match vm.object_name(*r) {
            Some(name) => {
                let _ = write!(out, "/{}", name.trim_start_matches('/'));
            }
            None => out.push('0'),
        },
        Value::Function(_) => out.push_str("<function>"),
        Value::Buffer(b) => {
            let _ = write!(out, "<buffer {} bytes>", b.borrow().len());
        }
        Value::Class(c) => {
            out.push_str("CLASS( ");
            for item in c.fields.borrow().iter() {
                describe_into(vm, item, out, depth + 1);
                out.push_str(", ");
            }
            out.push(')');
        }
    }
}

/// Parses `input` by `format` (`%d`, `%s`, `%f`, `%x`, `%*`-suppressed
/// forms, `%%`); returns how many targets matched and each target's value
/// (the current one where nothing matched).
pub fn sscanf(input: &str, format: &str, mut current: Vec<Value>) -> (usize, Vec<Value>) {
    let mut matched = 0;
    let mut target = 0;
    let mut rest = input;
    let mut fmt = format;
    while let Some(c) = fmt.chars().next() {
        if c != '%' {
            match rest.strip_prefix(c) {
                Some(r) => {
                    rest = r;
                    fmt = &fmt[c.len_utf8()..];
                    continue;
                }
                None => break,
            }
        }
        fmt = &fmt[1..];
        let skip = fmt.starts_with('*');
        if skip {
            fmt = &fmt[1..];
        }
        let Some(conv) = fmt.chars().next() else {
            break;
        };
        fmt = &fmt[conv.len_utf8()..];
        let value = match conv {
            '%' => match rest.strip_prefix('%') {
                Some(r) => {
                    rest = r;
                    continue;
                }
                None => break,
            },
            'd' | 'i' | 'x' => {
                let radix = if conv == 'x' { 16 } else { 10 };
                let t = rest.trim_start();
                let end = t
                    .char_indices()
                    .find(|&(i, ch)| !(ch.is_digit(radix) || (i == 0 && ch == '-')))
                    .map_or(t.len(), |(i, _)| i);
                let Ok(n) = i64::from_str_radix(&t[..end], radix) else {
                    break;
                };
                rest = &t[end..];
                Value::Int(n)
            }
            'f' => {
                let t = rest.trim_start();
                let end = t
                    .char_indices()
                    .find(|&(i, ch)| !(ch.is_ascii_digit() || ch == '.' || (i == 0 && ch == '-')))
                    .map_or(t.len(), |(i, _)| i);
                let Ok(n) = t[..end].parse::<f64>() else {
                    break;
                };
                rest = &t[end..];
                Value::Float(n)
            }
            's' => {
                // Up to the next literal text of the format, or the end.
                let next_literal: String = fmt.chars().take_while(|&ch| ch != '%').collect();
                let end = if next_literal.is_empty() {
                    if fmt.is_empty() {
                        rest.len()
                    } else {
                        rest.len().min(1).max(rest.find(' ').unwrap_or(rest.len()))
                    }
                } else {
                    match rest.find(&next_literal) {
                        Some(at) => at,
                        None => break,
                    }
                };
                let (taken, r) = rest.split_at(end);
                rest = r;
                Value::str(taken)
            }
            _ => break,
        };
        if skip {
            continue;
        }
        if let Some(slot) = current.get_mut(target) {
            *slot = value;
        }
        target += 1;
        matched += 1;
    }
    current.truncate(current.len());
    (matched, current)
}
