//! String efuns: splitting and joining, searching and replacing, case,
//! trimming, widths, `terminal_colour`, `pluralize`, encodings, bit
//! strings, checksums, `sscanf` parsing and the `%O` value dump
//! ([`describe`]). Lengths and offsets count grapheme clusters.

use rustc_hash::FxHashMap;
use unicode_segmentation::UnicodeSegmentation;

use super::{arg, bad_arg, int_arg, str_arg};
use crate::vm::value::{FnKind, Value};
use crate::vm::{Efun, Unwind, Vm, error};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("strlen", strlen);
    m.insert("explode", explode);
    m.insert("explode_reversible", explode_reversible);
    m.insert("implode", implode);
    m.insert("replace_string", replace_string);
    m.insert("lower_case", |vm, b, n| {
        let s = str_arg(vm, b, n, 0, "lower_case")?;
        Ok(Value::str(s.text.to_ascii_lowercase()))
    });
    m.insert("upper_case", |vm, b, n| {
        let s = str_arg(vm, b, n, 0, "upper_case")?;
        Ok(Value::str(s.text.to_ascii_uppercase()))
    });
    m.insert("capitalize", capitalize);
    m.insert("strsrch", strsrch);
    m.insert("strcmp", strcmp);
    m.insert("strwidth", |vm, b, n| {
        let s = str_arg(vm, b, n, 0, "strwidth")?;
        Ok(Value::Int(super::sprintf::text_width(&s.text) as i64))
    });
    m.insert("repeat_string", repeat_string);
    m.insert("pluralize", pluralize_efun);
    m.insert("string_difference", string_difference);
    m.insert("trim", |vm, b, n| trim_efun(vm, b, n, "trim", true, true));
    m.insert("ltrim", |vm, b, n| {
        trim_efun(vm, b, n, "ltrim", true, false)
    });
    m.insert("rtrim", |vm, b, n| {
        trim_efun(vm, b, n, "rtrim", false, true)
    });
    m.insert("terminal_colour", terminal_colour);
    m.insert("string_encode", string_encode);
    m.insert("string_decode", string_decode);
    m.insert("buffer_transcode", buffer_transcode);
    m.insert("query_num", query_num);
    m.insert("add_a", add_a);
    m.insert("vowel", |vm, b, n| {
        let c = int_arg(vm, b, n, 0, "vowel")?;
        // Only the low byte counts, as a C char.
        let c = (c & 0xff) as u8;
        Ok(Value::Int(i64::from(b"aeiouAEIOU".contains(&c))))
    });
    m.insert("replace", replace);
    m.insert("replace_html", |vm, b, n| {
        escape_markup(vm, b, n, "replace_html", true)
    });
    m.insert("replace_mxp", |vm, b, n| {
        escape_markup(vm, b, n, "replace_mxp", false)
    });
    m.insert("replace_dollars", replace_dollars);
}

fn strlen(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    match arg(vm, base, argc, 0) {
        Value::Str(s) => Ok(Value::Int(s.len() as i64)),
        Value::Undefined | Value::Int(0) => Ok(Value::Int(0)),
        other => Err(bad_arg("strlen", 0, &other)),
    }
}

fn capitalize(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let s = str_arg(vm, base, argc, 0, "capitalize")?;
    // Only an ASCII lower-case letter changes.
    match s.text.as_bytes().first() {
        Some(b) if b.is_ascii_lowercase() => {
            let mut text = s.text.to_string();
            text[..1].make_ascii_uppercase();
            Ok(Value::str(text))
        }
        _ => Ok(Value::Str(s)),
    }
}

fn strcmp(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let a = str_arg(vm, base, argc, 0, "strcmp")?;
    let b = str_arg(vm, base, argc, 1, "strcmp")?;
    // The difference of the first differing bytes, a missing byte being 0.
    let (x, y) = (a.text.as_bytes(), b.text.as_bytes());
    let at = x.iter().zip(y).position(|(p, q)| p != q);
    let diff = match at {
        Some(i) => i64::from(x[i]) - i64::from(y[i]),
        None => match x.len().cmp(&y.len()) {
            std::cmp::Ordering::Equal => 0,
            std::cmp::Ordering::Greater => i64::from(x[y.len()]),
            std::cmp::Ordering::Less => -i64::from(y[x.len()]),
        },
    };
    Ok(Value::Int(diff))
}

/// Grapheme cluster start offsets of `text`, and its length in bytes last.
fn cluster_starts(text: &str) -> Vec<usize> {
    let mut starts: Vec<usize> = text.grapheme_indices(true).map(|(at, _)| at).collect();
    starts.push(text.len());
    starts
}

fn strsrch(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let s = str_arg(vm, base, argc, 0, "strsrch")?;
    let needle = match arg(vm, base, argc, 1) {
        Value::Str(n) => n.text.to_string(),
        // Searching for the NUL character finds the string's end.
        Value::Int(0) => return Ok(Value::Int(s.len() as i64)),
        Value::Int(c) => match u32::try_from(c).ok().and_then(char::from_u32) {
            Some(c) => c.to_string(),
            None => return Err(error("Invalid codepoint to search.")),
        },
        other => return Err(bad_arg("strsrch", 1, &other)),
    };
    let backwards = int_arg(vm, base, argc, 2, "strsrch")? != 0;
    if needle.is_empty() {
        return Ok(Value::Int(-1));
    }
    if s.ascii() {
        let found = if backwards {
            s.text.rfind(&needle)
        } else {
            s.text.find(&needle)
        };
        return Ok(Value::Int(found.map_or(-1, |byte| byte as i64)));
    }
    // A match counts only from one cluster boundary to another.
    let starts = cluster_starts(&s.text);
    let boundary = |at: usize| starts.binary_search(&at).is_ok();
    let whole = |&(at, m): &(usize, &str)| boundary(at) && boundary(at + m.len());
    let found = if backwards {
        s.text.rmatch_indices(needle.as_str()).find(whole)
    } else {
        s.text.match_indices(needle.as_str()).find(whole)
    };
    Ok(Value::Int(found.map_or(-1, |(byte, _)| {
        starts.partition_point(|&at| at < byte) as i64
    })))
}

/// Byte offsets of the non-overlapping occurrences of `sep` in `text`
/// that start and end on cluster boundaries.
fn occurrences(text: &str, sep: &str) -> Vec<usize> {
    if simple(text) {
        return text.match_indices(sep).map(|(at, _)| at).collect();
    }
    let starts = cluster_starts(text);
    let boundary = |at: usize| starts.binary_search(&at).is_ok();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(rel) = text.get(from..).and_then(|t| t.find(sep)) {
        let at = from + rel;
        if boundary(at) && boundary(at + sep.len()) {
            found.push(at);
            from = at + sep.len();
        } else {
            from = at + text[at..].chars().next().map_or(1, char::len_utf8);
        }
    }
    found
}

fn simple(text: &str) -> bool {
    crate::vm::value::simple_text(text)
}

/// Splits `text` at each `sep`. Leading and trailing separators each
/// leave empty pieces when `reversible`; otherwise one trailing empty
/// piece is dropped, and leading ones are dropped, all of them or (with
/// `sane`) one.
pub fn explode_text(text: &str, sep: &str, reversible: bool, sane: bool) -> Vec<String> {
    if text.is_empty() {
        return Vec::new();
    }
    if sep.is_empty() {
        return text.graphemes(true).map(str::to_string).collect();
    }
    let cuts = occurrences(text, sep);
    let mut pieces: Vec<String> = Vec::with_capacity(cuts.len() + 1);
    let mut last = 0;
    for &at in &cuts {
        pieces.push(text[last..at].to_string());
        last = at + sep.len();
    }
    pieces.push(text[last..].to_string());
    if reversible {
        return pieces;
    }
    let leading = pieces.iter().take_while(|p| p.is_empty()).count();
    if leading == pieces.len() {
        // Only separators: nothing is left.
        return Vec::new();
    }
    let drop_front = if sane { leading.min(1) } else { leading };
    // Of n trailing separators, n - 1 leave empty pieces.
    if pieces.last().is_some_and(String::is_empty) {
        pieces.pop();
    }
    pieces.drain(..drop_front);
    pieces
}

/// Whether a runtime switch of the config file that defines `macro_name`
/// is on; `None` without a config file.
fn config_flag(vm: &Vm, macro_name: &str) -> Option<bool> {
    let predefines = vm.compiler.check.config_predefines.as_ref()?;
    Some(predefines.iter().any(|name| name == macro_name))
}

fn explode(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let s = str_arg(vm, base, argc, 0, "explode")?;
    let sep = str_arg(vm, base, argc, 1, "explode")?;
    let reversible = config_flag(vm, "__REVERSIBLE_EXPLODE_STRING__").unwrap_or(false);
    let sane = config_flag(vm, "__SANE_EXPLODE_STRING__").unwrap_or(true);
    let parts = explode_text(&s.text, &sep.text, reversible, sane);
    Ok(Value::array(parts.into_iter().map(Value::str).collect()))
}

fn explode_reversible(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let s = str_arg(vm, base, argc, 0, "explode_reversible")?;
    let sep = str_arg(vm, base, argc, 1, "explode_reversible")?;
    let parts = explode_text(&s.text, &sep.text, true, true);
    Ok(Value::array(parts.into_iter().map(Value::str).collect()))
}

fn implode(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let Value::Array(list) = arg(vm, base, argc, 0) else {
        return Err(bad_arg("implode", 0, &arg(vm, base, argc, 0)));
    };
    match arg(vm, base, argc, 1) {
        Value::Str(sep) => {
            if argc > 2 {
                return Err(error(
                    "Third argument to implode() is illegal with implode(array, string)",
                ));
            }
            let list = list.borrow();
            let mut out = String::new();
            let mut first = true;
            // Elements that are not strings are skipped.
            for item in list.iter() {
                let Value::Str(s) = item else { continue };
                if !first {
                    out.push_str(&sep.text);
                }
                first = false;
                out.push_str(&s.text);
            }
            check_length(vm, &out)?;
            Ok(Value::str(out))
        }
        f @ Value::Function(_) => {
            let items = list.borrow().clone();
            let mut it = items.into_iter();
            let mut acc = if argc > 2 {
                arg(vm, base, argc, 2)
            } else {
                match it.next() {
                    Some(v) => v,
                    None => return Ok(Value::Int(0)),
                }
            };
            for item in it {
                acc = vm.call_value(&f, &[acc, item])?;
            }
            Ok(acc)
        }
        other => Err(bad_arg("implode", 1, &other)),
    }
}

fn check_length(vm: &Vm, s: &str) -> Result<(), Unwind> {
    if s.len() > vm.limits.string_length {
        return Err(error("Maximum string length exceeded"));
    }
    Ok(())
}

/// `replace_string(s, from, to [, max])` or `(s, from, to, first, last)`:
/// replaces the occurrences numbered first..last (from 1; 0 for no bound).
fn replace_string(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let s = str_arg(vm, base, argc, 0, "replace_string")?;
    let from = str_arg(vm, base, argc, 1, "replace_string")?;
    let to = str_arg(vm, base, argc, 2, "replace_string")?;
    let (first, last) = match argc {
        0..=3 => (1, 0),
        4 => (1, int_arg(vm, base, argc, 3, "replace_string")?),
        _ => (
            int_arg(vm, base, argc, 3, "replace_string")?,
            int_arg(vm, base, argc, 4, "replace_string")?,
        ),
    };
    if argc > 5 {
        return Err(error("Too many arguments to replace_string()"));
    }
    if from.text.is_empty() {
        return Ok(Value::Str(s));
    }
    let first = first.max(1);
    if last != 0 && first > last {
        return Ok(Value::Str(s));
    }
    let mut out = String::with_capacity(s.text.len());
    let mut done = 0;
    for (n, at) in occurrences(&s.text, &from.text).into_iter().enumerate() {
        let number = n as i64 + 1;
        if number < first {
            continue;
        }
        if last != 0 && number > last {
            break;
        }
        out.push_str(&s.text[done..at]);
        out.push_str(&to.text);
        done = at + from.text.len();
    }
    if done == 0 && out.is_empty() {
        return Ok(Value::Str(s));
    }
    out.push_str(&s.text[done..]);
    // Past the length limit the result is undefined rather than an error.
    if out.len() > vm.limits.string_length {
        return Ok(Value::Undefined);
    }
    Ok(Value::str(out))
}

fn repeat_string(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let s = str_arg(vm, base, argc, 0, "repeat_string")?;
    let n = int_arg(vm, base, argc, 1, "repeat_string")?;
    if n <= 0 || s.text.is_empty() {
        return Ok(Value::str(""));
    }
    // Never past the length limit: the count is cut to what fits.
    let fits = vm.limits.string_length / s.text.len();
    let n = (n as usize).min(fits);
    Ok(Value::str(s.text.repeat(n)))
}

fn string_difference(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let a = str_arg(vm, base, argc, 0, "string_difference")?;
    let b = str_arg(vm, base, argc, 1, "string_difference")?;
    let x: Vec<&str> = a.text.graphemes(true).collect();
    let y: Vec<&str> = b.text.graphemes(true).collect();
    // Levenshtein distance, one row at a time.
    let mut row: Vec<usize> = (0..=y.len()).collect();
    for (i, cx) in x.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cy) in y.iter().enumerate() {
            let above = row[j + 1];
            let cost = usize::from(cx != cy);
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + cost);
            diagonal = above;
        }
    }
    Ok(Value::Int(row[y.len()] as i64))
}

fn trim_efun(
    vm: &mut Vm,
    base: usize,
    argc: usize,
    efun: &str,
    front: bool,
    back: bool,
) -> Result<Value, Unwind> {
    let s = str_arg(vm, base, argc, 0, efun)?;
    let set: Option<Vec<char>> = match arg(vm, base, argc, 1) {
        Value::Str(c) => Some(c.text.chars().collect()),
        Value::Undefined => None,
        other => return Err(bad_arg(efun, 1, &other)),
    };
    let strip = |c: char| match &set {
        Some(set) => set.contains(&c),
        None => c.is_whitespace(),
    };
    let mut text = s.text.as_str();
    if front {
        text = text.trim_start_matches(strip);
    }
    if back {
        text = text.trim_end_matches(strip);
    }
    if text.len() == s.text.len() {
        return Ok(Value::Str(s));
    }
    Ok(Value::str(text))
}

/// The encoding `name` names: by ICU's names and aliases first, then by
/// the web's labels.
fn encoding(efun: &str, name: &str) -> Result<&'static encoding_rs::Encoding, Unwind> {
    if let Some(charset) = super::charsets::lookup(name) {
        return Ok(charset.encoding);
    }
    encoding_rs::Encoding::for_label(name.trim().as_bytes())
        .ok_or_else(|| error(format!("{efun}: Invalid encoding '{name}'.")))
}

fn buffer_arg(vm: &Vm, base: usize, argc: usize, i: usize, efun: &str) -> Result<Vec<u8>, Unwind> {
    match arg(vm, base, argc, i) {
        Value::Buffer(b) => Ok(b.borrow().clone()),
        other => Err(bad_arg(efun, i, &other)),
    }
}

fn buffer_value(bytes: Vec<u8>) -> Value {
    Value::Buffer(std::rc::Rc::new(std::cell::RefCell::new(bytes)))
}

/// The bytes of `text` in an encoding. encoding_rs encodes to UTF-16 only
/// through its decoder side, so those two are written out here.
fn encode_text(text: &str, enc: &'static encoding_rs::Encoding) -> Vec<u8> {
    if enc == encoding_rs::UTF_16LE {
        return text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    }
    if enc == encoding_rs::UTF_16BE {
        return text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    }
    // A character the encoding lacks becomes '?', as ICU writes it.
    let mut encoder = enc.new_encoder();
    let mut out = Vec::with_capacity(text.len() + 8);
    let mut rest = text;
    loop {
        let room = encoder
            .max_buffer_length_from_utf8_without_replacement(rest.len())
            .unwrap_or(rest.len() * 4 + 16);
        out.reserve(room);
        let (result, read) =
            encoder.encode_from_utf8_to_vec_without_replacement(rest, &mut out, true);
        rest = &rest[read..];
        match result {
            encoding_rs::EncoderResult::InputEmpty => break,
            encoding_rs::EncoderResult::OutputFull => {}
            encoding_rs::EncoderResult::Unmappable(_) => out.push(b'?'),
        }
    }
    out
}

fn string_encode(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let s = str_arg(vm, base, argc, 0, "string_encode")?;
    let name = str_arg(vm, base, argc, 1, "string_encode")?;
    let enc = encoding("string_encode", &name.text)?;
    Ok(buffer_value(encode_text(&s.text, enc)))
}

fn string_decode(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let mut bytes = buffer_arg(vm, base, argc, 0, "string_decode")?;
    let name = str_arg(vm, base, argc, 1, "string_decode")?;
    let enc = encoding("string_decode", &name.text)?;
    // Trailing NUL bytes are padding, not text.
    while bytes.len() > 1 && bytes.last() == Some(&0) {
        bytes.pop();
    }
    let (text, _) = enc.decode_without_bom_handling(&bytes);
    Ok(Value::str(text.into_owned()))
}

fn buffer_transcode(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let bytes = buffer_arg(vm, base, argc, 0, "buffer_transcode")?;
    let from = str_arg(vm, base, argc, 1, "buffer_transcode")?;
    let to = str_arg(vm, base, argc, 2, "buffer_transcode")?;
    let from = encoding("buffer_transcode", &from.text)?;
    let to = encoding("buffer_transcode", &to.text)?;
    let (text, _) = from.decode_without_bom_handling(&bytes);
    Ok(buffer_value(encode_text(&text, to)))
}

// ---------------------------------------------------------------------------
// English words and markup
// ---------------------------------------------------------------------------

/// A number from 0 to 99 in words.
fn small_number(n: i64) -> String {
    const TEENS: [&str; 10] = [
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 10] = [
        "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    const ONES: [&str; 10] = [
        "", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    if n == 0 {
        return "zero".into();
    }
    if (10..20).contains(&n) {
        return TEENS[(n - 10) as usize].into();
    }
    let mut out = TENS[(n / 10 % 10) as usize].to_string();
    if n > 20 && n % 10 != 0 {
        out.push('-');
    }
    out.push_str(ONES[(n % 10) as usize]);
    out
}

/// `query_num(n, many)`: n in English words; "many" above `many` (when
/// nonzero), below 0 or above 99999.
fn query_num(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let n = int_arg(vm, base, argc, 0, "query_num")?;
    let many = int_arg(vm, base, argc, 1, "query_num")?;
    if (many != 0 && n > many) || !(0..=99999).contains(&n) {
        return Ok(Value::str("many"));
    }
    let (thousands, hundreds, rest) = (n / 1000, n % 1000 / 100, n % 100);
    let mut out = String::new();
    if thousands > 0 {
        out = format!("{} thousand", small_number(thousands));
        if n % 1000 == 0 {
            return Ok(Value::str(out));
        }
    }
    if hundreds > 0 {
        let words = format!("{} hundred", small_number(hundreds));
        if rest == 0 {
            if thousands > 0 {
                out.push_str(" and ");
            }
            out.push_str(&words);
            return Ok(Value::str(out));
        }
        if thousands > 0 {
            out.push_str(", ");
        }
        out.push_str(&words);
    }
    if !out.is_empty() {
        out.push_str(" and ");
    }
    out.push_str(&small_number(rest));
    Ok(Value::str(out))
}

/// `add_a(noun)`: the noun after "a " or "an ", chosen by its first
/// sound; leading spaces go, and a noun that has an article keeps it.
fn add_a(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let s = str_arg(vm, base, argc, 0, "add_a")?;
    let text = s.text.trim_start_matches(' ');
    if text.is_empty() {
        return Ok(Value::str("a "));
    }
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("a ") || lower.starts_with("an ") {
        return Ok(Value::Str(s));
    }
    let bytes = lower.as_bytes();
    let mut first = bytes[0];
    let mut an = false;
    // "a user" but "an usher": after "us" the next letter decides, the
    // other way round.
    if lower.starts_with("us") {
        first = bytes.get(2).copied().unwrap_or(0);
        an = true;
    }
    if lower.starts_with("hour") {
        first = b'o';
    }
    if b"aeiou".contains(&first) {
        an = !an;
    }
    let out = format!("{}{text}", if an { "an " } else { "a " });
    check_length(vm, &out)?;
    Ok(Value::str(out))
}

/// `replace(s, from, to)` as `replace_string`, or `replace(s, ({ from1,
/// to1, ... }))` applying each pair in turn.
fn replace(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let s = str_arg(vm, base, argc, 0, "replace")?;
    match (arg(vm, base, argc, 1), argc) {
        (Value::Str(_), 3) => replace_string(vm, base, argc),
        (Value::Array(pairs), 2) => {
            let pairs = pairs.borrow().clone();
            if pairs.len() % 2 != 0 {
                return Err(error("Wrong array size for replace."));
            }
            let mut text = s.text.to_string();
            for pair in pairs.chunks(2) {
                let (Value::Str(from), Value::Str(to)) = (&pair[0], &pair[1]) else {
                    continue;
                };
                if from.text.is_empty() {
                    continue;
                }
                text = text.replace(from.text.as_str(), &to.text);
                if text.len() > vm.limits.string_length {
                    return Ok(Value::Undefined);
                }
            }
            Ok(Value::str(text))
        }
        _ => Err(error("Bad arguments for replace.")),
    }
}

/// `&`, `<` and `>` as entities; for HTML also `"`, for MXP each newline
/// as a secure-line `<BR>`. Cut at the string length limit.
fn escape_markup(
    vm: &mut Vm,
    base: usize,
    argc: usize,
    efun: &str,
    html: bool,
) -> Result<Value, Unwind> {
    let s = str_arg(vm, base, argc, 0, efun)?;
    let limit = vm.limits.string_length;
    let mut out = String::with_capacity(s.text.len() + 16);
    for c in s.text.chars() {
        if out.len() >= limit {
            break;
        }
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if html => out.push_str("&quot;"),
            '\n' if !html => out.push_str("\x1b[4z<BR>"),
            other => out.push(other),
        }
    }
    Ok(Value::str(out))
}

/// `replace_dollars(s, ({ marker1, text1, ... }))`: at each `$`, the first
/// marker that starts there is replaced by its text.
fn replace_dollars(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let s = str_arg(vm, base, argc, 0, "replace_dollars")?;
    let Value::Array(pairs) = arg(vm, base, argc, 1) else {
        return Err(bad_arg("replace_dollars", 1, &arg(vm, base, argc, 1)));
    };
    let pairs = pairs.borrow().clone();
    if pairs.len() % 2 != 0 {
        return Err(error("wrong array length for replace_dollars()"));
    }
    let mut texts = Vec::with_capacity(pairs.len());
    for p in &pairs {
        let Value::Str(t) = p else {
            return Err(error("replace array should only contain strings"));
        };
        texts.push(t.text.to_string());
    }
    let text = s.text.as_str();
    let mut out = String::new();
    let mut copied = 0;
    let mut changed = false;
    let mut i = 0;
    while let Some(rel) = text.get(i..).and_then(|t| t.find('$')) {
        let at = i + rel;
        let found = texts
            .chunks(2)
            .find(|pair| !pair[0].is_empty() && text[at..].starts_with(pair[0].as_str()));
        match found {
            Some(pair) => {
                out.push_str(&text[copied..at]);
                out.push_str(&pair[1]);
                copied = at + pair[0].len();
                i = copied;
                changed = true;
                if out.len() > vm.limits.string_length {
                    return Err(error("string too long"));
                }
            }
            None => i = at + 1,
        }
    }
    if !changed {
        return Ok(Value::Str(s));
    }
    out.push_str(&text[copied..]);
    check_length(vm, &out)?;
    Ok(Value::str(out))
}

// ---------------------------------------------------------------------------
// pluralize
// ---------------------------------------------------------------------------

/// How a word's plural is made.
enum Plural {
    /// Append the suffix.
    Suffix(&'static str),
    /// The word does not change.
    Same,
    /// Drop this many letters, then append.
    Chop(usize, &'static str),
}

/// Irregular words, matched case-insensitively against the whole last word.
const IRREGULAR: &[(&str, Plural)] = &[
    ("are", Plural::Chop(3, "is")),
    ("bus", Plural::Suffix("es")),
    ("bonus", Plural::Suffix("es")),
    ("child", Plural::Suffix("ren")),
    ("cliff", Plural::Suffix("s")),
    ("datum", Plural::Chop(2, "a")),
    ("die", Plural::Chop(1, "ce")),
    ("deer", Plural::Same),
    ("do", Plural::Suffix("es")),
    ("dynamo", Plural::Suffix("s")),
    ("foot", Plural::Chop(3, "eet")),
    ("fish", Plural::Same),
    ("forum", Plural::Chop(2, "a")),
    ("fife", Plural::Suffix("s")),
    ("glasses", Plural::Same),
    ("goose", Plural::Chop(4, "eese")),
    ("go", Plural::Suffix("es")),
    ("gum", Plural::Suffix("s")),
    ("giraffe", Plural::Suffix("s")),
    ("human", Plural::Suffix("s")),
    ("have", Plural::Chop(2, "s")),
    ("index", Plural::Chop(2, "ices")),
    ("louse", Plural::Chop(4, "ice")),
    ("lotus", Plural::Suffix("s")),
    ("mackerel", Plural::Same),
    ("moose", Plural::Same),
    ("mouse", Plural::Chop(4, "ice")),
    ("matrix", Plural::Chop(1, "ces")),
    ("mech", Plural::Suffix("s")),
    ("marquis", Plural::Suffix("es")),
    ("ox", Plural::Suffix("en")),
    ("pants", Plural::Same),
    ("penis", Plural::Suffix("es")),
    ("quaff", Plural::Suffix("s")),
    ("remains", Plural::Same),
    ("roof", Plural::Suffix("s")),
    ("sniff", Plural::Suffix("s")),
    ("sheep", Plural::Same),
    ("sphinx", Plural::Chop(1, "ges")),
    ("staff", Plural::Chop(2, "ves")),
    ("safe", Plural::Suffix("s")),
    ("shaman", Plural::Suffix("s")),
    ("thief", Plural::Chop(1, "ves")),
    ("tooth", Plural::Chop(4, "eeth")),
    ("talisman", Plural::Suffix("s")),
    ("vax", Plural::Suffix("en")),
    ("virus", Plural::Suffix("es")),
    ("was", Plural::Chop(2, "ere")),
];

/// The English plural of a noun phrase: an `X of Y` phrase has its X made
/// plural, a leading "a"/"an" goes, and only the last word changes.
pub fn pluralize(text: &str) -> Option<String> {
    if text.is_empty() {
        return None;
    }
    let (head, of_part) = match text.find(" of ") {
        Some(at) => (&text[..at], &text[at..]),
        None => (text, ""),
    };
    let lower = head.to_ascii_lowercase();
    let pre = if lower.starts_with("a ") {
        &head[2..]
    } else if lower.starts_with("an ") {
        &head[3..]
    } else {
        head
    };
    let word_at = pre.rfind(' ').map_or(0, |i| i + 1);
    let word = &pre[word_at..];
    let rule = IRREGULAR
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(word))
        .map(|(_, r)| r);
    let rule = match rule {
        Some(r) => r,
        None => &regular_plural(pre),
    };
    let mut out = String::with_capacity(text.len() + 3);
    match rule {
        Plural::Same => out.push_str(pre),
        Plural::Suffix(s) => {
            out.push_str(pre);
            out.push_str(s);
        }
        Plural::Chop(n, s) => {
            let keep = pre.len().saturating_sub(*n);
            out.push_str(pre.get(..keep).unwrap_or(pre));
            out.push_str(s);
        }
    }
    out.push_str(of_part);
    Some(out)
}

/// The ending rules for words with no irregular plural.
fn regular_plural(word: &str) -> Plural {
    let b = word.as_bytes();
    let Some(&last) = b.last() else {
        return Plural::Suffix("s");
    };
    let prev = if b.len() > 1 {
        Some(b[b.len() - 2].to_ascii_lowercase())
    } else {
        None
    };
    let vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u');
    match last.to_ascii_lowercase() {
        b'e' if prev == Some(b'f') => Plural::Chop(2, "ves"),
        b'f' if matches!(prev, Some(b'e' | b'f')) => Plural::Suffix("s"),
        b'f' => Plural::Chop(1, "ves"),
        b'h' if matches!(prev, Some(b'c' | b's')) => Plural::Suffix("es"),
        b'n' if b.len() > 2 && b[b.len() - 2] == b'a' && b[b.len() - 3] == b'm' => {
            Plural::Chop(3, "men")
        }
        b'o' if prev.is_some_and(|p| p != b'o') => Plural::Suffix("es"),
        b's' if prev == Some(b'i') => Plural::Chop(2, "es"),
        b's' if prev == Some(b'u') => Plural::Chop(2, "i"),
        b's' if matches!(prev, Some(b'a' | b'e' | b'o')) => Plural::Suffix("ses"),
        b's' => Plural::Suffix("es"),
        b'x' => Plural::Suffix("es"),
        b'y' if prev.is_some_and(|p| !vowel(p)) => Plural::Chop(1, "ies"),
        b'z' if prev.is_some_and(vowel) => Plural::Suffix("zes"),
        b'z' => Plural::Suffix("es"),
        _ => Plural::Suffix("s"),
    }
}

fn pluralize_efun(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let s = str_arg(vm, base, argc, 0, "pluralize")?;
    Ok(pluralize(&s.text).map_or(Value::Int(0), Value::str))
}

// ---------------------------------------------------------------------------
// terminal_colour
// ---------------------------------------------------------------------------

/// The reset code used when the mapping has no "RESET" string.
const DEFAULT_RESET: &str = "\x1b[49;49m\x1b[0;10m";
/// How many bytes of running colour codes are remembered for a new line.
const MAX_COLOUR: usize = 199;

/// One piece of a `%^`-marked string: a code (no width) or text.
enum Piece {
    Code(String),
    Text(String),
}

fn terminal_colour(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let s = str_arg(vm, base, argc, 0, "terminal_colour")?;
    let Value::Mapping(map) = arg(vm, base, argc, 1) else {
        return Err(bad_arg("terminal_colour", 1, &arg(vm, base, argc, 1)));
    };
    let mut wrap = if argc > 2 {
        int_arg(vm, base, argc, 2, "terminal_colour")?
    } else {
        0
    };
    let mut indent = if argc > 3 {
        int_arg(vm, base, argc, 3, "terminal_colour")?
    } else {
        0
    };
    let fillout = wrap < 0;
    wrap = wrap.saturating_abs();
    if wrap != 0 && wrap < 2 {
        wrap = 2;
    }
    if argc > 2 && (indent < 0 || indent >= wrap - 1) {
        indent = wrap - 2;
    }
    let marked = s.text.contains("%^");
    if !marked && wrap == 0 {
        return Ok(Value::Str(s));
    }
    let segments: Vec<&str> = if marked {
        s.text.split("%^").filter(|p| !p.is_empty()).collect()
    } else {
        vec![s.text.as_str()]
    };
    if segments.is_empty() {
        return Ok(Value::str(""));
    }
    let reset = {
        let mut m = map.borrow_mut();
        match m.get(&Value::str("RESET")) {
            Some(Value::Str(r)) if !r.text.is_empty() => r.text.to_string(),
            _ => {
                m.insert(Value::str("RESET"), Value::str(DEFAULT_RESET));
                DEFAULT_RESET.to_string()
            }
        }
    };
    let this = vm.this_object();
    let mut pieces = Vec::with_capacity(segments.len());
    for seg in segments {
        if !marked {
            pieces.push(Piece::Text(seg.to_string()));
            break;
        }
        // The object may translate a key first, through an apply.
        let replaced = match this {
            Some(ob) => {
                match vm.apply(ob, "terminal_colour_replace", vec![Value::str(seg)], true) {
                    Ok(Some(Value::Str(r))) => Some(r.text.to_string()),
                    _ => None,
                }
            }
            None => None,
        };
        let key = replaced.as_deref().unwrap_or(seg);
        let code = match map.borrow().get(&Value::str(key)) {
            Some(Value::Str(v)) => Some(v.text.to_string()),
            _ => None,
        };
        pieces.push(match (code, replaced) {
            (Some(code), _) => Piece::Code(code),
            (None, Some(r)) => Piece::Code(r),
            (None, None) => Piece::Text(seg.to_string()),
        });
    }
    let out = if wrap == 0 {
        pieces
            .iter()
            .map(|p| match p {
                Piece::Code(t) | Piece::Text(t) => t.as_str(),
            })
            .collect::<String>()
    } else {
        colour_wrap(
            &pieces,
            &reset,
            &WrapConfig {
                wrap: wrap as usize,
                indent: indent.max(0) as usize,
                fillout,
            },
        )
    };
    if out.len() > vm.limits.string_length {
        return Err(error("Maximum string length exceeded"));
    }
    Ok(Value::str(out))
}

struct WrapConfig {
    wrap: usize,
    indent: usize,
    fillout: bool,
}

/// Appends a colour code to the running colour, or clears it on reset.
fn track_colour(current: &mut String, code: &str, reset: &str) {
    if code == reset {
        current.clear();
    } else if current.len() + code.len() < MAX_COLOUR {
        current.push_str(code);
    }
}

/// Wraps the text pieces at `wrap` columns: lines break at the last space
/// (which is dropped) or, in a word too long, before the character that
/// overflows. Each wrapped line ends with the reset code (and, with
/// `fillout`, spaces to the full width) and the next starts with the
/// colour in force and the indent.
fn colour_wrap(pieces: &[Piece], reset: &str, cfg: &WrapConfig) -> String {
    let wrap = cfg.wrap as i64;
    let indent = cfg.indent as i64;
    let mut out = String::new();
    // The line being built, not yet written out.
    let mut line = String::new();
    let mut col: i64 = 0;
    let mut start: i64 = -1;
    let mut space: i64 = 0;
    // Bytes of `line` after the last space.
    let mut after_space_at = 0usize;
    let mut colour = String::new();
    let mut colour_at_word = String::new();
    let text_after = |i: usize| pieces[i + 1..].iter().any(|p| matches!(p, Piece::Text(_)));
    for (i, piece) in pieces.iter().enumerate() {
        let text = match piece {
            Piece::Code(code) => {
                line.push_str(code);
                track_colour(&mut colour, code, reset);
                continue;
            }
            Piece::Text(t) => t,
        };
        let mut chars = text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            let last_char = chars.peek().is_none();
            let mut endpad = wrap - col;
            // How the line ends: 0 at a newline, 1 at a space, 2 mid-word.
            let kind;
            // Bytes of `line` that move to the next line.
            let carry;
            if c == '\n' {
                line.push(c);
                endpad = wrap - col;
                col = 0;
                kind = 0;
                space = 0;
                start = -1;
                carry = 0;
                colour_at_word.clone_from(&colour);
            } else {
                let blank = c == ' ' || c == '\t';
                if col > start || !blank {
                    line.push(c);
                    col += char_cells(c);
                }
                if col > start && c == '\t' {
                    col += 8 - ((col - 1) % 8);
                }
                if blank {
                    space = col;
                    after_space_at = line.len();
                    colour_at_word.clone_from(&colour);
                }
                if col <= wrap {
                    continue;
                }
                if space != 0 {
                    endpad = wrap - space;
                    col -= space;
                    space = 0;
                    kind = 1;
                    carry = line.len() - after_space_at;
                } else {
                    col = char_cells(c);
                    kind = 2;
                    carry = c.len_utf8();
                    colour_at_word.clone_from(&colour);
                }
                start = indent;
            }
            let _ = at;
            let split = line.len() - carry;
            let rest = line.split_off(split);
            out.push_str(&line);
            if kind != 2 {
                // The space or newline the line broke at goes.
                out.pop();
            }
            out.push_str(reset);
            if cfg.fillout && endpad > 0 {
                out.extend(std::iter::repeat_n(' ', endpad as usize));
            }
            out.push('\n');
            out.push_str(&colour_at_word);
            line = rest;
            after_space_at = 0;
            if col != 0 || !last_char || text_after(i) {
                out.extend(std::iter::repeat_n(' ', cfg.indent));
                col += indent;
            }
        }
    }
    out.push_str(&line);
    out
}

fn char_cells(c: char) -> i64 {
    use unicode_width::UnicodeWidthChar;
    c.width().unwrap_or(0) as i64
}

// ---------------------------------------------------------------------------
// %O
// ---------------------------------------------------------------------------

/// A value written out as `%O` does: nested arrays and mappings over
/// several indented lines. Nesting deeper than ten levels prints `...`,
/// which also ends a value that contains itself.
pub fn describe(vm: &mut Vm, v: &Value) -> String {
    let mut out = String::new();
    describe_into(vm, v, &mut out, 0, false);
    out
}

fn spaces(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// Writes `v` at `indent`; `inline` when the indent is already written.
fn describe_into(vm: &mut Vm, v: &Value, out: &mut String, indent: usize, inline: bool) {
    use std::fmt::Write;
    if indent > 20 {
        out.push_str("...");
        return;
    }
    if !inline {
        spaces(out, indent);
    }
    match v {
        Value::Ref(cell) => {
            let inner = cell.borrow().clone();
            out.push_str("ref: ");
            describe_into(vm, &inner, out, indent + 2, true);
        }
        Value::Undefined => out.push('0'),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => out.push_str(&format_float(f.get())),
        Value::Str(s) => {
            out.push('"');
            out.push_str(&s.text);
            out.push('"');
        }
        Value::Array(a) => {
            let items = a.borrow().clone();
            if items.is_empty() {
                out.push_str("({ })");
                return;
            }
            let _ = writeln!(out, "({{ /* sizeof() == {} */", items.len());
            list_items(vm, &items, out, indent);
            spaces(out, indent);
            out.push_str("})");
        }
        Value::Class(c) => {
            let items = c.fields.borrow().clone();
            let n = items.len();
            let _ = writeln!(
                out,
                "CLASS( {n} {}",
                if n == 1 { "element" } else { "elements" }
            );
            list_items(vm, &items, out, indent);
            if items.is_empty() {
                out.push('\n');
            }
            spaces(out, indent);
            out.push_str(" )");
        }
        Value::Buffer(b) => {
            let bytes = b.borrow().clone();
            if bytes.is_empty() {
                out.push_str("BUFFER ( )");
                return;
            }
            let _ = writeln!(out, "BUFFER ( /* sizeof() == {} */", bytes.len());
            for (i, byte) in bytes.iter().enumerate() {
                spaces(out, indent + 2);
                let _ = write!(out, "0x{byte:x}");
                out.push_str(if i + 1 < bytes.len() { ",\n" } else { "\n" });
            }
            spaces(out, indent);
            out.push(')');
        }
        Value::Mapping(m) => {
            let entries: Vec<(Value, Value)> = m
                .borrow()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if entries.is_empty() {
                out.push_str("([ ])");
                return;
            }
            let _ = writeln!(out, "([ /* sizeof() == {} */", entries.len());
            for (k, v) in &entries {
                describe_into(vm, k, out, indent + 2, false);
                out.push_str(" : ");
                describe_into(vm, v, out, indent + 4, true);
                out.push_str(",\n");
            }
            spaces(out, indent);
            out.push_str("])");
        }
        Value::Object(r) => {
            let Some(name) = vm.object_name(*r) else {
                out.push('0');
                return;
            };
            out.push('/');
            out.push_str(name.trim_start_matches('/'));
            // The master may give the object a readable name.
            if let Some(master) = vm.master
                && let Ok(Some(Value::Str(shown))) =
                    vm.apply(master, "object_name", vec![Value::Object(*r)], true)
            {
                let _ = write!(out, " (\"{}\")", shown.text);
            }
        }
        Value::Function(f) => {
            // A function value made by bind() shows as the function it wraps.
            if let Some(inner) = super::misc::bound_inner(f) {
                return describe_into(vm, &Value::Function(inner), out, indent, inline);
            }
            out.push_str("(: ");
            match &f.kind {
                FnKind::Local(fnref) => {
                    let name = vm.objects.get(f.owner).and_then(|o| {
                        o.linked
                            .function(*fnref)
                            .map(|f| (f.name.clone(), f.params))
                    });
                    match name {
                        None => out.push('0'),
                        Some((name, params)) if name.starts_with("<closure") => {
                            out.push_str("<code>(");
                            let args: Vec<String> = (1..=params).map(|i| format!("${i}")).collect();
                            out.push_str(&args.join(", "));
                            out.push(')');
                        }
                        Some((name, _)) => out.push_str(&name),
                    }
                }
                FnKind::Efun(e) => {
                    let name = vm
                        .efuns
                        .iter()
                        .find(|&(_, &g)| std::ptr::fn_addr_eq(g, *e))
                        .map(|(n, _)| *n)
                        .unwrap_or("<efun>");
                    out.push_str(name);
                }
                FnKind::Simul(name) => out.push_str(name),
            }
            for bound in f.bound.clone() {
                out.push_str(", ");
                describe_into(vm, &bound, out, indent, false);
            }
            out.push_str(" :)");
        }
    }
}

/// The items of an array or class, one per line, comma-separated.
fn list_items(vm: &mut Vm, items: &[Value], out: &mut String, indent: usize) {
    for (i, item) in items.iter().enumerate() {
        describe_into(vm, item, out, indent + 2, false);
        out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
    }
}

/// A float as `%O` writes it: six decimals.
fn format_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f < 0.0 { "-inf" } else { "inf" }.into();
    }
    format!("{f:.6}")
}

// ---------------------------------------------------------------------------
// sscanf
// ---------------------------------------------------------------------------

/// The parse position and results of a running `sscanf`.
struct Scan<'a> {
    input: &'a str,
    at: usize,
    targets: Vec<Value>,
    next_target: usize,
    matches: usize,
}

impl<'a> Scan<'a> {
    fn rest(&self) -> &'a str {
        self.input.get(self.at..).unwrap_or("")
    }

    fn store(&mut self, v: Value) {
        if let Some(slot) = self.targets.get_mut(self.next_target) {
            *slot = v;
        }
        self.next_target += 1;
    }

    fn targets_left(&self) -> usize {
        self.targets.len().saturating_sub(self.next_target)
    }
}

/// Like C's `strtoll`: optional blanks, a sign, and digits (for base 16 an
/// optional `0x`); (value, bytes used), or `None` when no digit is there.
fn scan_int(s: &str, radix: u32) -> Option<(i64, usize)> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && (b[i] as char).is_ascii_whitespace() {
        i += 1;
    }
    let mut negative = false;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        negative = b[i] == b'-';
        i += 1;
    }
    if radix == 16
        && i + 2 < b.len() + 1
        && b.get(i) == Some(&b'0')
        && matches!(b.get(i + 1), Some(b'x' | b'X'))
        && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
    {
        i += 2;
    }
    let digits_start = i;
    let mut value: i64 = 0;
    let mut overflow = false;
    while let Some(d) = b.get(i).and_then(|&c| (c as char).to_digit(radix)) {
        match value
            .checked_mul(radix as i64)
            .and_then(|v| v.checked_add(d as i64))
        {
            Some(v) => value = v,
            None => overflow = true,
        }
        i += 1;
    }
    if i == digits_start {
        return None;
    }
    if overflow {
        value = if negative { i64::MIN } else { i64::MAX };
    } else if negative {
        value = -value;
    }
    Some((value, i))
}

/// Like C's `strtod`: (value, bytes used), or `None` when no number is there.
fn scan_float(s: &str) -> Option<(f64, usize)> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && (b[i] as char).is_ascii_whitespace() {
        i += 1;
    }
    let start = i;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - int_start;
    if i < b.len() && b[i] == b'.' {
        let frac_start = i + 1;
        let mut j = frac_start;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        digits += j - frac_start;
        if digits > 0 {
            i = j;
        }
    }
    if digits == 0 {
        let word = &s[int_start..];
        for special in ["infinity", "inf", "nan"] {
            // Compared as bytes: the text may have a multi-byte character
            // where the word would end.
            let head = word.as_bytes().get(..special.len());
            if head.is_some_and(|h| h.eq_ignore_ascii_case(special.as_bytes())) {
                let end = int_start + special.len();
                let v: f64 = s[start..end].to_ascii_lowercase().parse().ok()?;
                return Some((v, end));
            }
        }
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        let exp_start = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j > exp_start {
            i = j;
        }
    }
    let v: f64 = s[start..i].parse().ok()?;
    Some((v, i))
}

/// The text of a `%(...)` pattern starting after its `(`, and the rest of
/// the format after the closing `)`.
fn regex_spec(fmt: &str) -> Result<(&str, &str), String> {
    let b = fmt.as_bytes();
    let mut depth = 1;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                if i + 1 >= b.len() {
                    break;
                }
                i += 2;
                continue;
            }
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Ok((&fmt[..i], &fmt[i + 1..]));
                }
            }
            _ => {}
        }
        i += 1;
    }
    Err(format!(
        "Bad regexp format: '%{fmt}' in sscanf format string"
    ))
}

/// Parses `input` by `format` (`%d`, `%x`, `%f`, `%c`, `%s`, `%(regexp)`,
/// each with `*` to match without storing, and `%%`); returns how many
/// conversions matched and each target's value (the current one where
/// nothing was stored). A malformed format is an error, which the caller
/// raises in LPC so that `catch` sees it.
pub fn sscanf(
    input: &str,
    format: &str,
    targets: Vec<Value>,
) -> Result<(usize, Vec<Value>), String> {
    let mut scan = Scan {
        input,
        at: 0,
        targets,
        next_target: 0,
        matches: 0,
    };
    scan_all(&mut scan, format)?;
    Ok((scan.matches, scan.targets))
}

fn scan_all(scan: &mut Scan, format: &str) -> Result<(), String> {
    let mut fmt = format;
    loop {
        // Literal text and `%%` must match the input exactly.
        while let Some(c) = fmt.chars().next() {
            if c == '%' {
                if fmt[1..].starts_with('%') {
                    if !scan.rest().starts_with('%') {
                        return Ok(());
                    }
                    scan.at += 1;
                    fmt = &fmt[2..];
                    continue;
                }
                if fmt.len() == 1 {
                    return Err("Format string cannot end in '%' in sscanf()".into());
                }
                break;
            }
            if !scan.rest().starts_with(c) {
                return Ok(());
            }
            scan.at += c.len_utf8();
            fmt = &fmt[c.len_utf8()..];
        }
        if fmt.is_empty() {
            // What is left of the input goes to the next target, if any.
            if !scan.rest().is_empty() && scan.targets_left() > 0 {
                scan.matches += 1;
                let rest = scan.rest().to_string();
                scan.store(Value::str(rest));
            }
            return Ok(());
        }
        fmt = &fmt[1..];
        let skip = fmt.starts_with('*');
        if skip {
            fmt = &fmt[1..];
        } else if scan.targets_left() < 1 && !fmt.starts_with('%') {
            return Err("Too few arguments to sscanf()".into());
        }
        let Some(conv) = fmt.chars().next() else {
            return Err("Format string cannot end in '%' in sscanf()".into());
        };
        fmt = &fmt[conv.len_utf8()..];
        match conv {
            'd' | 'x' => {
                let radix = if conv == 'x' { 16 } else { 10 };
                let Some((n, used)) = scan_int(scan.rest(), radix) else {
                    return Ok(());
                };
                scan.at += used;
                if !skip {
                    scan.store(Value::Int(n));
                }
                scan.matches += 1;
                continue;
            }
            'f' => {
                let Some((f, used)) = scan_float(scan.rest()) else {
                    return Ok(());
                };
                scan.at += used;
                if !skip {
                    scan.store(Value::float(f));
                }
                scan.matches += 1;
                continue;
            }
            '(' => {
                let (pattern, after) = regex_spec(fmt)?;
                let re = compile_scan_regex(pattern)?;
                let rest = scan.rest();
                let Some(m) = re.find(rest) else {
                    return Ok(());
                };
                if m.start() != 0 {
                    return Ok(());
                }
                let matched = m.as_str().to_string();
                scan.at += m.end();
                if !skip {
                    scan.store(Value::str(matched));
                }
                fmt = after;
                scan.matches += 1;
                continue;
            }
            'c' => {
                // One character, stored as its code: an extension of the
                // classic set.
                let Some(c) = scan.rest().chars().next() else {
                    return Ok(());
                };
                scan.at += c.len_utf8();
                if !skip {
                    scan.store(Value::Int(c as i64));
                }
                scan.matches += 1;
                continue;
            }
            's' => {}
            other => return Err(format!("Bad type : '%{other}' in sscanf() format string")),
        }
        if !scan_string(scan, &mut fmt, skip)? {
            return Ok(());
        }
    }
}

fn compile_scan_regex(pattern: &str) -> Result<std::rc::Rc<regex::Regex>, String> {
    super::regex::compile(pattern).map_err(|e| match e {
        Unwind::Error(info) => info.message,
        _ => "Bad regexp in sscanf()".into(),
    })
}

/// A `%s`: up to the end of the input, up to the next literal text of the
/// format, or up to where the number or pattern that follows starts.
/// False when the parse stops here.
fn scan_string(scan: &mut Scan, fmt: &mut &str, skip: bool) -> Result<bool, String> {
    if fmt.is_empty() {
        scan.matches += 1;
        if !skip {
            let rest = scan.rest().to_string();
            scan.store(Value::str(rest));
        }
        scan.at = scan.input.len();
        return Ok(false);
    }
    if let Some(after) = fmt.strip_prefix('%') {
        let mut f = after;
        let skip2 = f.starts_with('*');
        if skip2 {
            f = &f[1..];
        }
        let needed = usize::from(!skip) + usize::from(!skip2);
        if scan.targets_left() < needed && !f.starts_with('%') {
            return Err("Too few arguments to sscanf().".into());
        }
        scan.matches += 1;
        let Some(conv) = f.chars().next() else {
            return Err("Format string can't end in '%'.".into());
        };
        f = &f[conv.len_utf8()..];
        let rest = scan.rest();
        let b = rest.as_bytes();
        let mut t = 0;
        match conv {
            's' => {
                return Err("Illegal to have 2 adjacent %s's in format string in sscanf()".into());
            }
            'x' => loop {
                while t < b.len() && b[t] != b'0' {
                    t += 1;
                }
                if t < b.len() {
                    if matches!(b.get(t + 1), Some(b'x' | b'X'))
                        && b.get(t + 2).is_some_and(u8::is_ascii_hexdigit)
                    {
                        break;
                    }
                    t += 2;
                }
                if t >= b.len() {
                    t = b.len();
                    break;
                }
            },
            'd' => {
                while t < b.len() && !b[t].is_ascii_digit() {
                    t += 1;
                }
            }
            'f' => {
                while t < b.len()
                    && !b[t].is_ascii_digit()
                    && !(b[t] == b'.' && b.get(t + 1).is_some_and(u8::is_ascii_digit))
                {
                    t += 1;
                }
            }
            '%' => {
                while t < b.len() && b[t] != b'%' {
                    t += 1;
                }
                scan.matches -= 1;
            }
            '(' => {
                let (pattern, after) = regex_spec(f)?;
                let re = compile_scan_regex(pattern)?;
                let Some(m) = re.find(rest) else {
                    if !skip {
                        let all = rest.to_string();
                        scan.store(Value::str(all));
                    }
                    return Ok(false);
                };
                let (start, end) = (m.start(), m.end());
                if !skip {
                    scan.store(Value::str(&rest[..start]));
                }
                let matched = rest[start..end].to_string();
                scan.at += end;
                if !skip2 {
                    scan.store(Value::str(matched));
                }
                *fmt = after;
                scan.matches += 1;
                return Ok(true);
            }
            other => return Err(format!("Bad type : '%{other}' in sscanf() format string")),
        }
        // Never split a character: a stop inside one moves to its end.
        while t < rest.len() && !rest.is_char_boundary(t) {
            t += 1;
        }
        if !skip {
            scan.store(Value::str(&rest[..t]));
        }
        scan.at += t;
        if scan.rest().is_empty() {
            return Ok(false);
        }
        *fmt = f;
        match conv {
            'd' | 'x' => {
                let radix = if conv == 'x' { 16 } else { 10 };
                let (n, used) = scan_int(scan.rest(), radix).unwrap_or((0, 0));
                scan.at += used;
                if !skip2 {
                    scan.store(Value::Int(n));
                }
            }
            'f' => {
                let (v, used) = scan_float(scan.rest()).unwrap_or((0.0, 0));
                scan.at += used;
                if !skip2 {
                    scan.store(Value::float(v));
                }
            }
            _ => scan.at += 1,
        }
        scan.matches += 1;
        return Ok(true);
    }
    // Literal text follows: the string ends where that text (up to the
    // next `%`, or the end) is first found.
    let literal_end = fmt.find('%').unwrap_or(fmt.len());
    let literal = &fmt[..literal_end];
    let rest = scan.rest();
    // Literal text that ends the format must end the input too.
    let found = if literal_end == fmt.len() {
        rest.strip_suffix(literal).map(str::len)
    } else {
        rest.find(literal)
    };
    let Some(found) = found else {
        return Ok(false);
    };
    if !skip {
        scan.store(Value::str(&rest[..found]));
    }
    scan.at += found + literal.len();
    *fmt = &fmt[literal_end..];
    scan.matches += 1;
    Ok(true)
}
