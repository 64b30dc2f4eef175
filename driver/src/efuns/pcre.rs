//! The pcre package: Perl-compatible regular expressions through the PCRE2
//! library, with the package's flag bits (`PCRE_I` case-insensitive,
//! `PCRE_M` multi-line, `PCRE_S` dot-all, `PCRE_U` ungreedy, `PCRE_X`
//! extended, `PCRE_A` anchored). Patterns are compiled once and cached.

use std::cell::RefCell;
use std::rc::Rc;

use pcre2::bytes::{Regex, RegexBuilder};
use rustc_hash::FxHashMap;

use super::{arg, bad_arg, str_arg};
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("pcre_version", pcre_version);
    m.insert("pcre_match", pcre_match);
    m.insert("pcre_match_all", pcre_match_all);
    m.insert("pcre_assoc", pcre_assoc);
    m.insert("pcre_extract", pcre_extract);
    m.insert("pcre_replace", pcre_replace);
    m.insert("pcre_replace_callback", pcre_replace_callback);
    m.insert("pcre_cache", pcre_cache);
}

const PCRE_I: i64 = 1 << 16;
const PCRE_M: i64 = 1 << 17;
const PCRE_S: i64 = 1 << 18;
const PCRE_U: i64 = 1 << 19;
const PCRE_X: i64 = 1 << 20;
const PCRE_A: i64 = 1 << 21;
/// The bits that change how a pattern compiles (and so key the cache).
const COMPILE_BITS: i64 = PCRE_I | PCRE_M | PCRE_S | PCRE_U | PCRE_X;

/// How many compiled patterns are kept.
const CACHE_SIZE: usize = 256;

/// A cached pattern and how often it was asked for.
struct Cached {
    re: Rc<Regex>,
    uses: i64,
}

thread_local! {
    static CACHE: RefCell<FxHashMap<(String, i64), Cached>> = RefCell::new(FxHashMap::default());
}

/// The compiled pattern for `pattern` under `flags`.
fn compile(pattern: &str, flags: i64) -> Result<Rc<Regex>, Unwind> {
    let key = (pattern.to_string(), flags & COMPILE_BITS);
    let cached = CACHE.with(|c| {
        let mut c = c.borrow_mut();
        let entry = c.get_mut(&key)?;
        entry.uses += 1;
        Some(entry.re.clone())
    });
    if let Some(re) = cached {
        return Ok(re);
    }
    // PCRE2 has no builder switch for ungreedy matching; its inline
    // option at the start of the pattern does the same.
    let source = if flags & PCRE_U != 0 {
        format!("(?U){pattern}")
    } else {
        pattern.to_string()
    };
    let re = RegexBuilder::new()
        .utf(true)
        .caseless(flags & PCRE_I != 0)
        .multi_line(flags & PCRE_M != 0)
        .dotall(flags & PCRE_S != 0)
        .extended(flags & PCRE_X != 0)
        .jit_if_available(true)
        .build(&source)
        .map_err(|e| {
            let text = e.to_string();
            let message = text.rsplit_once(": ").map_or(text.as_str(), |(_, m)| m);
            error(format!(
                "PCRE compilation failed at offset {}: {message}",
                e.offset().unwrap_or(0)
            ))
        })?;
    let re = Rc::new(re);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= CACHE_SIZE {
            c.clear();
        }
        c.insert(
            key,
            Cached {
                re: re.clone(),
                uses: 1,
            },
        );
    });
    Ok(re)
}

/// The cached patterns: "pattern|0xFLAGS" (the compile flag bits) to how
/// many times each was used.
fn pcre_cache(_: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let entries: Vec<(String, i64)> = CACHE.with(|c| {
        c.borrow()
            .iter()
            .map(|((pattern, flags), cached)| (format!("{pattern}|0x{flags:x}"), cached.uses))
            .collect()
    });
    let map = crate::vm::ops::new_mapping(entries.len());
    if let Value::Mapping(m) = &map {
        let mut m = m.borrow_mut();
        for (key, uses) in entries {
            m.insert(Value::str(key), Value::Int(uses));
        }
    }
    Ok(map)
}

fn run_error(e: pcre2::Error) -> Unwind {
    error(format!("PCRE matching failed: {e}"))
}

/// Byte ranges of a match's groups, group 0 first; `None` for a group
/// that took no part.
type Groups = Vec<Option<(usize, usize)>>;

/// The groups of the first match at or after `from` (byte offsets; unset
/// groups `None`), up to the last group that took part, as PCRE reports
/// them. `PCRE_A` allows only a match that starts at `from`.
fn first_match(
    re: &Regex,
    subject: &str,
    from: usize,
    flags: i64,
) -> Result<Option<Groups>, Unwind> {
    let mut locs = re.capture_locations();
    let Some(m) = re
        .captures_read_at(&mut locs, subject.as_bytes(), from)
        .map_err(run_error)?
    else {
        return Ok(None);
    };
    if flags & PCRE_A != 0 && m.start() != from {
        return Ok(None);
    }
    let mut groups: Groups = (0..locs.len()).map(|i| locs.get(i)).collect();
    while groups.len() > 1 && groups.last().is_some_and(Option::is_none) {
        groups.pop();
    }
    Ok(Some(groups))
}

fn group_text(subject: &str, g: Option<(usize, usize)>) -> Value {
    Value::str(g.and_then(|(s, e)| subject.get(s..e)).unwrap_or(""))
}

/// A trailing flags argument: an int, or absent.
fn flags_arg(vm: &Vm, base: usize, argc: usize, i: usize, efun: &str) -> Result<i64, Unwind> {
    match arg(vm, base, argc, i) {
        Value::Int(n) => Ok(n),
        Value::Undefined => Ok(0),
        _ => Err(error(format!("Bad argument {} to {efun}()", i + 1))),
    }
}

fn pcre_version(_: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let (major, minor) = pcre2::version();
    Ok(Value::str(format!("{major}.{minor}")))
}

/// `pcre_match(string, pattern, flags)`: 1 on a match.
/// `pcre_match(array, pattern, flag, flags)`: like `regexp` on an array.
fn pcre_match(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let pattern = str_arg(vm, base, argc, 1, "pcre_match")?;
    match arg(vm, base, argc, 0) {
        Value::Str(s) => {
            let flags = flags_arg(vm, base, argc, 2, "pcre_match")?;
            let re = compile(&pattern.text, flags)?;
            Ok(Value::Int(
                first_match(&re, &s.text, 0, flags)?.is_some() as i64
            ))
        }
        Value::Array(items) => {
            let flag = flags_arg(vm, base, argc, 2, "pcre_match")?;
            let flags = flags_arg(vm, base, argc, 3, "pcre_match")?;
            let items = items.borrow().clone();
            if items.is_empty() {
                return Ok(Value::array(Vec::new()));
            }
            let re = compile(&pattern.text, flags)?;
            let want = flag & 2 == 0;
            let mut out = Vec::new();
            for (i, item) in items.into_iter().enumerate() {
                let Value::Str(s) = &item else { continue };
                if first_match(&re, &s.text, 0, flags)?.is_some() != want {
                    continue;
                }
                out.push(item);
                if flag & 1 != 0 {
                    out.push(Value::Int(i as i64 + 1));
                }
            }
            Ok(Value::array(out))
        }
        other => Err(bad_arg("pcre_match", 0, &other)),
    }
}

/// Every match, each as ({ whole match, groups... }).
fn pcre_match_all(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let subject = str_arg(vm, base, argc, 0, "pcre_match_all")?;
    let pattern = str_arg(vm, base, argc, 1, "pcre_match_all")?;
    let flags = flags_arg(vm, base, argc, 2, "pcre_match_all")?;
    let re = compile(&pattern.text, flags)?;
    let text = subject.text.as_str();
    let mut all = Vec::new();
    let mut from = 0;
    while from < text.len() {
        let Some(groups) = first_match(&re, text, from, flags)? else {
            break;
        };
        let (start, end) = groups.first().copied().flatten().unwrap_or((from, from));
        all.push(Value::array(
            groups.iter().map(|&g| group_text(text, g)).collect(),
        ));
        from = if end > start {
            end
        } else {
            // An empty match steps one character on.
            text[end..]
                .chars()
                .next()
                .map_or(text.len(), |c| end + c.len_utf8())
        };
        if flags & PCRE_A != 0 && start == end {
            break;
        }
    }
    Ok(Value::array(all))
}

fn pcre_assoc(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let text = str_arg(vm, base, argc, 0, "pcre_assoc")?;
    let (patterns, labels) = super::regex::assoc_arguments(
        "pcre_assoc",
        &arg(vm, base, argc, 1),
        &arg(vm, base, argc, 2),
    )?;
    let default = match arg(vm, base, argc, 3) {
        Value::Undefined => Value::Int(0),
        v => v,
    };
    let flags = flags_arg(vm, base, argc, 4, "pcre_assoc")?;
    let compiled = patterns
        .iter()
        .map(|p| compile(p, flags))
        .collect::<Result<Vec<_>, _>>()?;
    let mut failure = None;
    // Each search starts a fresh subject at `from`, as `reg_assoc` does.
    let result = super::regex::assoc(&text.text, &labels, &default, |i, from| {
        let rest = text.text.get(from..)?;
        match first_match(compiled.get(i)?, rest, 0, flags) {
            Ok(found) => found?
                .first()
                .copied()
                .flatten()
                .map(|(s, e)| (from + s, from + e)),
            Err(e) => {
                failure = Some(e);
                None
            }
        }
    });
    match failure {
        Some(e) => Err(e),
        None => Ok(result),
    }
}

/// The captured groups of the first match; with a nonzero third argument,
/// a mapping of named groups to their text comes last.
fn pcre_extract(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let subject = str_arg(vm, base, argc, 0, "pcre_extract")?;
    let pattern = str_arg(vm, base, argc, 1, "pcre_extract")?;
    let named = flags_arg(vm, base, argc, 2, "pcre_extract")? != 0;
    let flags = flags_arg(vm, base, argc, 3, "pcre_extract")?;
    let re = compile(&pattern.text, flags)?;
    let text = subject.text.as_str();
    let Some(groups) = first_match(&re, text, 0, flags)? else {
        return Ok(Value::array(Vec::new()));
    };
    let mut out: Vec<Value> = groups[1..].iter().map(|&g| group_text(text, g)).collect();
    if named {
        let map = crate::vm::ops::new_mapping(0);
        if let Value::Mapping(m) = &map {
            let mut m = m.borrow_mut();
            for (i, name) in re.capture_names().iter().enumerate() {
                let (Some(name), Some(Some(g))) = (name, groups.get(i)) else {
                    continue;
                };
                if i == 0 {
                    continue;
                }
                m.insert(Value::str(name.clone()), group_text(text, Some(*g)));
            }
        }
        out.push(map);
    }
    Ok(Value::array(out))
}

/// The subject with each group of the first match replaced; a group
/// inside another selected one is left alone.
fn replace_groups(
    subject: &str,
    groups: &[Option<(usize, usize)>],
    replacements: &[String],
) -> String {
    let Some(Some((whole_start, _))) = groups.first() else {
        return subject.to_string();
    };
    let mut out = String::with_capacity(subject.len());
    let mut last = *whole_start;
    out.push_str(&subject[..last.min(subject.len())]);
    for (g, rep) in groups[1..].iter().zip(replacements) {
        // An unset group sits at no position; it replaces nothing.
        let Some((start, end)) = *g else { continue };
        if start < last {
            continue;
        }
        out.push_str(subject.get(last..start).unwrap_or(""));
        out.push_str(rep);
        last = end;
    }
    out.push_str(subject.get(last..).unwrap_or(""));
    out
}

fn pcre_replace(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let subject = str_arg(vm, base, argc, 0, "pcre_replace")?;
    let pattern = str_arg(vm, base, argc, 1, "pcre_replace")?;
    let Value::Array(reps) = arg(vm, base, argc, 2) else {
        return Err(error("Bad argument 3 to pcre_replace()"));
    };
    let flags = flags_arg(vm, base, argc, 3, "pcre_replace")?;
    let re = compile(&pattern.text, flags)?;
    let Some(groups) = first_match(&re, &subject.text, 0, flags)? else {
        return Ok(Value::Str(subject));
    };
    let reps = reps.borrow().clone();
    let captured = groups.len() - 1;
    if captured != reps.len() {
        return Err(error(format!(
            "Number of captured substrings and replacements do not match, {captured} vs {}.",
            reps.len()
        )));
    }
    if captured == 0 {
        return Ok(Value::Str(subject));
    }
    let mut texts = Vec::with_capacity(reps.len());
    for r in &reps {
        let Value::Str(s) = r else {
            return Err(error(
                "Bad argument 3 to pcre_replace(): replacement array must contain only strings.",
            ));
        };
        texts.push(s.text.to_string());
    }
    Ok(Value::str(replace_groups(&subject.text, &groups, &texts)))
}

/// Each group of the first match replaced by what a callback returns for
/// it (called with the text, the group's index from 0 and any extra
/// arguments); a non-string answer keeps the text.
fn pcre_replace_callback(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let subject = str_arg(vm, base, argc, 0, "pcre_replace_callback")?;
    let pattern = str_arg(vm, base, argc, 1, "pcre_replace_callback")?;
    let mut last_arg = argc;
    let mut flags = 0;
    if argc >= 4
        && let Value::Int(n) = arg(vm, base, argc, argc - 1)
    {
        flags = n;
        last_arg = argc - 1;
    }
    let callback = arg(vm, base, argc, 2);
    let (target, extra_from) = match &callback {
        Value::Function(_) => (None, 3),
        Value::Str(name) => {
            let ob = match arg(vm, base, argc, 3) {
                Value::Object(r) => r,
                Value::Str(path) => vm.find_or_load(&path.text)?,
                _ => vm
                    .this_object()
                    .ok_or_else(|| error("pcre_replace_callback(): no object"))?,
            };
            (Some((name.text.to_string(), ob)), 4)
        }
        _ => return Err(error("Illegal third argument (0) to pcre_replace_callback")),
    };
    let extra: Vec<Value> = (extra_from..last_arg)
        .map(|i| arg(vm, base, argc, i))
        .collect();
    let re = compile(&pattern.text, flags)?;
    let text = subject.text.as_str();
    let Some(groups) = first_match(&re, text, 0, flags)? else {
        return Ok(Value::Str(subject));
    };
    let mut replacements = Vec::with_capacity(groups.len());
    for (i, &g) in groups[1..].iter().enumerate() {
        let found = group_text(text, g);
        let mut args = vec![found.clone(), Value::Int(i as i64)];
        args.extend(extra.iter().cloned());
        let answer = match &target {
            None => vm.call_value(&callback, &args)?,
            Some((name, ob)) => vm.apply(*ob, name, args, false)?.unwrap_or_default(),
        };
        replacements.push(match answer {
            Value::Str(s) => s.text.to_string(),
            _ => match found {
                Value::Str(s) => s.text.to_string(),
                _ => String::new(),
            },
        });
    }
    Ok(Value::str(replace_groups(text, &groups, &replacements)))
}
