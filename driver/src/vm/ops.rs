//! Operators on values, with FluffOS semantics: int/float promotion,
//! string concatenation with numbers, array and mapping arithmetic,
//! indexing and ranges. Errors come back as messages for the VM to raise.

use std::cell::RefCell;
use std::rc::Rc;

use rustc_hash::FxHashSet;

use super::value::{LStr, Value};
use lpcc::bytecode::BinOp;

pub type OpResult = Result<Value, String>;

/// A number's text as `+` with a string writes it.
pub fn float_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        return format!("{f:.0}");
    }
    let text = format!("{f:.6}");
    let text = text.trim_end_matches('0');
    text.trim_end_matches('.').to_string()
}

fn concat_text(v: &Value) -> Option<std::borrow::Cow<'_, str>> {
    match v {
        Value::Str(s) => Some(std::borrow::Cow::Borrowed(s.text.as_str())),
        Value::Int(i) => Some(std::borrow::Cow::Owned(i.to_string())),
        Value::Undefined => Some(std::borrow::Cow::Borrowed("0")),
        // Concatenation prints six decimals, as C's `%f` does.
        Value::Float(f) => Some(std::borrow::Cow::Owned(format!("{:.6}", f.get()))),
        _ => None,
    }
}

fn bad(op: &str, a: &Value, b: &Value) -> String {
    format!(
        "Bad arguments to {op}: {} and {}",
        a.type_name(),
        b.type_name()
    )
}

pub fn binary(op: BinOp, a: Value, b: Value) -> OpResult {
    match op {
        BinOp::Add => add(a, b),
        BinOp::Sub => sub(a, b),
        BinOp::Mul => arith(a, b, "*", i64::wrapping_mul, |x, y| x * y),
        BinOp::Div => div_mod(a, b, true),
        BinOp::Mod => div_mod(a, b, false),
        BinOp::BitAnd => bit_and(a, b),
        BinOp::BitOr => bit_or(a, b),
        BinOp::BitXor => int_op(a, b, "^", |x, y| x ^ y),
        BinOp::Shl => int_op(a, b, "<<", |x, y| x.wrapping_shl(y as u32)),
        BinOp::Shr => int_op(a, b, ">>", |x, y| x.wrapping_shr(y as u32)),
    }
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Undefined => Some(0.0),
        Value::Float(f) => Some(f.get()),
        _ => None,
    }
}

fn arith(
    a: Value,
    b: Value,
    op: &str,
    int: fn(i64, i64) -> i64,
    float: fn(f64, f64) -> f64,
) -> OpResult {
    if let (Some(x), Some(y)) = (a.as_int(), b.as_int()) {
        return Ok(Value::Int(int(x, y)));
    }
    match (num(&a), num(&b)) {
        (Some(x), Some(y)) => Ok(Value::float(float(x, y))),
        _ => Err(bad(op, &a, &b)),
    }
}

fn int_op(a: Value, b: Value, op: &str, f: fn(i64, i64) -> i64) -> OpResult {
    match (a.as_int(), b.as_int()) {
        (Some(x), Some(y)) => Ok(Value::Int(f(x, y))),
        _ => Err(bad(op, &a, &b)),
    }
}

pub fn add(a: Value, b: Value) -> OpResult {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Ok(Value::Int(x.wrapping_add(y))),
        (Value::Buffer(x), y @ (Value::Buffer(_) | Value::Str(_) | Value::Array(_))) => {
            // A string or int array on the right is taken as bytes.
            let Value::Buffer(y) = to_buffer(y)? else {
                return Err("Bad right argument to +".into());
            };
            let mut bytes = x.borrow().clone();
            bytes.extend_from_slice(&y.borrow());
            Ok(Value::Buffer(Rc::new(RefCell::new(bytes))))
        }
        (Value::Str(mut s), Value::Int(i)) => {
            use std::fmt::Write;
            // The number is written straight into the result: no temporary string.
            if let Some(owned) = Rc::get_mut(&mut s) {
                let _ = write!(owned.text, "{i}");
                return Ok(Value::Str(s));
            }
            let mut digits = smol_str::SmolStrBuilder::new();
            let _ = write!(digits, "{i}");
            Ok(Value::Str(Rc::new(LStr {
                text: super::value::Text::concat(&s.text, &digits.finish()),
            })))
        }
        (Value::Str(mut s), b) => {
            let Some(tail) = concat_text(&b) else {
                return Err(bad("+", &Value::Str(s), &b));
            };
            // Appending to a string nobody else holds reuses its buffer.
            if let Some(owned) = Rc::get_mut(&mut s) {
                owned.text.push_str(&tail);
                return Ok(Value::Str(s));
            }
            Ok(Value::str(super::value::Text::concat(&s.text, &tail)))
        }
        (a, Value::Str(s)) => {
            let Some(head) = concat_text(&a) else {
                return Err(bad("+", &a, &Value::Str(s)));
            };
            Ok(Value::str(super::value::Text::concat(&head, &s.text)))
        }
        (Value::Array(x), Value::Array(y)) => {
            let mut items = x.borrow().clone();
            items.extend(y.borrow().iter().cloned());
            Ok(Value::array(items))
        }
        (Value::Mapping(x), Value::Mapping(y)) => {
            let mut m = x.borrow().clone();
            for (k, v) in y.borrow().iter() {
                m.insert(k.clone(), v.clone());
            }
            Ok(Value::Mapping(Rc::new(RefCell::new(m))))
        }
        (a, b) => arith(a, b, "+", i64::wrapping_add, |x, y| x + y),
    }
}

fn sub(a: Value, b: Value) -> OpResult {
    match (&a, &b) {
        (Value::Array(x), Value::Array(y)) => {
            let remove: FxHashSet<Value> = y.borrow().iter().cloned().map(Value::key).collect();
            let items = x
                .borrow()
                .iter()
                .filter(|v| !remove.contains(&(*v).clone().key()))
                .cloned()
                .collect();
            Ok(Value::array(items))
        }
        _ => arith(a, b, "-", i64::wrapping_sub, |x, y| x - y),
    }
}

fn div_mod(a: Value, b: Value, div: bool) -> OpResult {
    let op = if div { "/" } else { "%" };
    if let (Some(x), Some(y)) = (a.as_int(), b.as_int()) {
        if y == 0 {
            return Err(if div {
                "Division by zero"
            } else {
                "Modulus by zero"
            }
            .into());
        }
        return Ok(Value::Int(if div {
            x.wrapping_div(y)
        } else {
            x.wrapping_rem(y)
        }));
    }
    if !div {
        return Err(bad(op, &a, &b));
    }
    match (num(&a), num(&b)) {
        (Some(_), Some(0.0)) => Err("Division by zero".into()),
        (Some(x), Some(y)) => Ok(Value::float(x / y)),
        _ => Err(bad(op, &a, &b)),
    }
}

fn bit_and(a: Value, b: Value) -> OpResult {
    match (&a, &b) {
        (Value::Array(x), Value::Array(y)) => {
            let keep: FxHashSet<Value> = y.borrow().iter().cloned().map(Value::key).collect();
            let items = x
                .borrow()
                .iter()
                .filter(|v| keep.contains(&(*v).clone().key()))
                .cloned()
                .collect();
            Ok(Value::array(items))
        }
        _ => int_op(a, b, "&", |x, y| x & y),
    }
}

fn bit_or(a: Value, b: Value) -> OpResult {
    match (&a, &b) {
        (Value::Array(x), Value::Array(y)) => {
            let mut items = x.borrow().clone();
            let mut seen: FxHashSet<Value> = items.iter().cloned().map(Value::key).collect();
            for v in y.borrow().iter() {
                if seen.insert(v.clone().key()) {
                    items.push(v.clone());
                }
            }
            Ok(Value::array(items))
        }
        _ => int_op(a, b, "|", |x, y| x | y),
    }
}

/// `<`, `<=`, `>`, `>=` as an ordering of two comparable values.
pub fn compare(a: &Value, b: &Value) -> Result<std::cmp::Ordering, String> {
    use std::cmp::Ordering;
    if let (Some(x), Some(y)) = (a.as_int(), b.as_int()) {
        return Ok(x.cmp(&y));
    }
    if let (Value::Str(x), Value::Str(y)) = (a, b) {
        return Ok(x.text.cmp(&y.text));
    }
    match (num(a), num(b)) {
        (Some(x), Some(y)) => Ok(x.partial_cmp(&y).unwrap_or(Ordering::Equal)),
        _ => Err(bad("comparison", a, b)),
    }
}

pub fn negate(a: Value) -> OpResult {
    match a {
        Value::Int(i) => Ok(Value::Int(i.wrapping_neg())),
        Value::Undefined => Ok(Value::Int(0)),
        Value::Float(f) => Ok(Value::float(-f.get())),
        other => Err(format!(
            "Bad argument to unary minus: {}",
            other.type_name()
        )),
    }
}

/// `c[i]`, or `c[<i]` when `from_end`.
pub fn index(c: &Value, i: &Value, from_end: bool) -> OpResult {
    match c {
        Value::Array(a) => {
            let a = a.borrow();
            let at = position(i, a.len(), from_end)?;
            a.get(at)
                .cloned()
                .ok_or_else(|| "Array index out of bounds".to_string())
        }
        Value::Mapping(m) if !from_end => Ok(m
            .borrow()
            .get(&i.clone().key())
            .cloned()
            .unwrap_or_default()),
        Value::Str(s) => {
            let Some(i) = i.as_int() else {
                return Err(format!("Indexing with a value of type {}", i.type_name()));
            };
            let len = s.len() as i64;
            let at = if from_end { len - i } else { i };
            // One past the end reads as the terminating NUL, 0.
            if (0..len).contains(&at) {
                return match s.char_checked(at as usize) {
                    Some(Err(())) => Err(MULTI_CODEPOINT.into()),
                    other => Ok(Value::Int(other.and_then(Result::ok).unwrap_or(0))),
                };
            }
            if at == len {
                return Ok(Value::Int(0));
            }
            Err(if from_end {
                "String rindex out of bounds.".into()
            } else {
                "String index out of bounds.".into()
            })
        }
        Value::Buffer(b) => {
            let b = b.borrow();
            let at = position(i, b.len(), from_end)?;
            b.get(at)
                .map(|&x| Value::Int(x as i64))
                .ok_or_else(|| "Buffer index out of bounds".to_string())
        }
        Value::Undefined | Value::Int(0) => Err("Value being indexed is zero.".into()),
        other => Err(format!(
            "Cannot index a value of type {}",
            other.type_name()
        )),
    }
}

fn position(i: &Value, len: usize, from_end: bool) -> Result<usize, String> {
    let Some(i) = i.as_int() else {
        return Err(format!("Indexing with a value of type {}", i.type_name()));
    };
    let at = if from_end { len as i64 - i } else { i };
    if at < 0 || at >= len as i64 {
        let what = if from_end { "from the end " } else { "" };
        return Err(format!("Index {what}out of bounds: {i}"));
    }
    Ok(at as usize)
}

/// `c[i] = v`.
pub fn index_store(c: &Value, i: Value, v: Value, from_end: bool) -> Result<(), String> {
    match c {
        Value::Array(a) => {
            let mut a = a.borrow_mut();
            let at = position(&i, a.len(), from_end)?;
            a[at] = v;
            Ok(())
        }
        Value::Mapping(m) if !from_end => {
            m.borrow_mut().insert(i.key(), v);
            Ok(())
        }
        Value::Buffer(b) => {
            let mut b = b.borrow_mut();
            let at = position(&i, b.len(), from_end)?;
            let byte = match v {
                Value::Int(n) => u8::try_from(n)
                    .map_err(|_| "Buffer byte value out of range: must be 0..255.".to_string())?,
                other => {
                    return Err(format!(
                        "Bad type for buffer byte assignment: {}",
                        other.type_name()
                    ));
                }
            };
            b[at] = byte;
            Ok(())
        }
        Value::Str(_) => Err("Assigning to a character of a string is not supported yet".into()),
        other => Err(format!(
            "Cannot index-assign a value of type {}",
            other.type_name()
        )),
    }
}

/// `c[lo..hi]`; `flags` as in [`lpcc::bytecode::Instr::Range`].
pub fn range(c: &Value, lo: &Value, hi: &Value, flags: u8) -> OpResult {
    let len = match c {
        Value::Array(a) => a.borrow().len(),
        Value::Str(s) => s.len(),
        Value::Buffer(b) => b.borrow().len(),
        other => return Err(format!("Cannot take a range of type {}", other.type_name())),
    } as i64;
    let lo = lo.as_int().ok_or("Range bound is not an int")?;
    let hi = hi.as_int().ok_or("Range bound is not an int")?;
    let lo = if flags & 1 != 0 { len - lo } else { lo }.max(0);
    let hi = if flags & 4 != 0 {
        len - 1
    } else if flags & 2 != 0 {
        len - hi
    } else {
        hi
    }
    .min(len - 1);
    let (from, to) = if hi < lo {
        (0, 0)
    } else {
        (lo as usize, hi as usize + 1)
    };
    Ok(match c {
        Value::Array(a) => Value::array(a.borrow()[from..to].to_vec()),
        Value::Str(s) => {
            let start = s.byte_offset(from);
            let end = s.byte_offset(to);
            Value::Str(Rc::new(LStr::new(
                s.text[start..end.max(start)].to_string(),
            )))
        }
        Value::Buffer(b) => Value::Buffer(Rc::new(RefCell::new(b.borrow()[from..to].to_vec()))),
        _ => Value::Undefined,
    })
}

/// A new, empty mapping.
pub fn new_mapping(capacity: usize) -> Value {
    let m = super::value::ValueMap::with_capacity_and_hasher(capacity, Default::default());
    Value::Mapping(Rc::new(RefCell::new(m)))
}

/// `c` with `c[lo..hi]` replaced by `v`: a new array, string or buffer.
/// `v` as the bytes of a buffer: a buffer as it is, a string's UTF-8
/// bytes, an array of ints 0..255 one byte each; anything else unchanged.
pub fn to_buffer(v: Value) -> OpResult {
    let bytes = match &v {
        Value::Str(s) => s.text.as_bytes().to_vec(),
        Value::Array(a) => a
            .borrow()
            .iter()
            .map(|item| match item {
                Value::Int(n) => u8::try_from(*n).ok(),
                _ => None,
            })
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(|| {
                "Illegal array item in buffer conversion: must be ints 0..255.".to_string()
            })?,
        _ => return Ok(v),
    };
    Ok(Value::Buffer(Rc::new(RefCell::new(bytes))))
}

pub fn range_replace(c: &Value, lo: &Value, hi: &Value, v: Value, flags: u8) -> OpResult {
    let len = match c {
        Value::Array(a) => a.borrow().len(),
        Value::Str(s) => s.len(),
        Value::Buffer(b) => b.borrow().len(),
        other => {
            return Err(format!(
                "Cannot assign to a range of type {}",
                other.type_name()
            ));
        }
    } as i64;
    let lo = lo.as_int().ok_or("Range bound is not an int")?;
    let hi = hi.as_int().ok_or("Range bound is not an int")?;
    let lo = if flags & 1 != 0 { len - lo } else { lo };
    let hi = if flags & 4 != 0 {
        len - 1
    } else if flags & 2 != 0 {
        len - hi
    } else {
        hi
    };
    // A string range must start on one of its characters; arrays and
    // buffers may start just past the end, to append.
    let start_max = if matches!(c, Value::Str(_)) {
        len - 1
    } else {
        len
    };
    if lo < 0 || lo > start_max || hi >= len || hi < lo - 1 {
        return Err("Range of assignment is out of bounds".into());
    }
    let (from, to) = (lo as usize, (hi + 1) as usize);
    let v = if matches!(c, Value::Buffer(_)) {
        to_buffer(v)?
    } else {
        v
    };
    match (c, v) {
        (Value::Array(a), Value::Array(new)) => {
            let a = a.borrow();
            let mut items = a[..from].to_vec();
            items.extend(new.borrow().iter().cloned());
            items.extend(a[to..].iter().cloned());
            Ok(Value::array(items))
        }
        (Value::Str(s), Value::Str(new)) => {
            let (start, end) = (s.byte_offset(from), s.byte_offset(to));
            let mut text = String::with_capacity(s.text.len() + new.text.len());
            text.push_str(&s.text[..start]);
            text.push_str(&new.text);
            text.push_str(&s.text[end..]);
            Ok(Value::str(text))
        }
        (Value::Buffer(b), Value::Buffer(new)) => {
            let b = b.borrow();
            let mut bytes = b[..from].to_vec();
            bytes.extend_from_slice(&new.borrow());
            bytes.extend_from_slice(&b[to..]);
            Ok(Value::Buffer(Rc::new(RefCell::new(bytes))))
        }
        (_, v) => Err(format!("Bad type for range assignment: {}", v.type_name())),
    }
}

/// `s` with character `i` replaced by `c`.
/// Reading or writing one character of a cluster wider than a character.
pub const MULTI_CODEPOINT: &str = "Indexed character is multi-codepoint.";

/// The character an int stores into a string, or why it cannot.
pub fn string_char(c: &Value) -> Result<char, String> {
    let Some(c) = c.as_int() else {
        return Err(format!(
            "Bad character for string assignment: {}",
            c.type_name()
        ));
    };
    if c == 0 {
        return Err("Strings cannot contain 0 byte.".into());
    }
    u32::try_from(c)
        .ok()
        .and_then(char::from_u32)
        .ok_or_else(|| "Strings cannot contain invalid utf8 codepoint.".into())
}

pub fn string_store(s: &LStr, i: &Value, c: &Value, from_end: bool) -> OpResult {
    let at = position(i, s.len(), from_end)
        .map_err(|_| "Index out of bounds in string index lvalue.".to_string())?;
    if let Some(Err(())) = s.char_checked(at) {
        return Err(MULTI_CODEPOINT.into());
    }
    let ch = string_char(c)?;
    let (start, end) = (s.byte_offset(at), s.byte_offset(at + 1));
    let mut text = String::with_capacity(s.text.len() + 4);
    text.push_str(&s.text[..start]);
    text.push(ch);
    text.push_str(&s.text[end..]);
    Ok(Value::str(text))
}
