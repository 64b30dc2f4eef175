//! The text form of values in save files, as FluffOS writes and reads it:
//! numbers in decimal, floats with six decimals, strings in double quotes
//! (a backslash before `"`, `\` and CR; a newline written as CR), arrays
//! `({a,b,})`, mappings `([k:v,])`, classes `(/a,b,/)`; objects and
//! functions leave an empty slot, which reads back as 0.

use std::rc::Rc;

use smol_str::SmolStr;

use crate::vm::value::{ClassObj, Value};

/// How deep arrays, mappings and classes may nest in a save.
pub const MAX_DEPTH: usize = 100;

/// The error of a save nested too deep (which a reference loop always is).
pub fn too_deep() -> String {
    format!(
        "Mappings and/or arrays nested too deep ({MAX_DEPTH}) for save_object -- possibly a reference loop; see has_cycle()"
    )
}

/// Appends the save text of `v`; an error when it nests too deep.
pub fn encode(v: &Value, out: &mut String) -> Result<(), String> {
    encode_at(v, out, 0)
}

fn encode_at(v: &Value, out: &mut String, depth: usize) -> Result<(), String> {
    use std::fmt::Write;
    let open = |depth: usize| {
        if depth + 1 > MAX_DEPTH {
            Err(too_deep())
        } else {
            Ok(depth + 1)
        }
    };
    match v {
        Value::Undefined => out.push('0'),
        Value::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Float(f) => out.push_str(&c_float(f.get())),
        Value::Str(s) => {
            out.push('"');
            for c in s.text.chars() {
                match c {
                    '"' | '\\' | '\r' => {
                        out.push('\\');
                        out.push(c);
                    }
                    '\n' => out.push('\r'),
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        Value::Array(a) => {
            let inner = open(depth)?;
            out.push_str("({");
            for item in a.borrow().iter() {
                encode_at(item, out, inner)?;
                out.push(',');
            }
            out.push_str("})");
        }
        Value::Class(c) => {
            let inner = open(depth)?;
            out.push_str("(/");
            for item in c.fields.borrow().iter() {
                encode_at(item, out, inner)?;
                out.push(',');
            }
            out.push_str("/)");
        }
        Value::Mapping(m) => {
            let inner = open(depth)?;
            out.push_str("([");
            for (k, v) in m.borrow().iter() {
                encode_at(k, out, inner)?;
                out.push(':');
                encode_at(v, out, inner)?;
                out.push(',');
            }
            out.push_str("])");
        }
        Value::Ref(r) => encode_at(&r.borrow(), out, depth)?,
        // Objects, functions and buffers have no text form.
        Value::Object(_) | Value::Function(_) | Value::Buffer(_) => {}
    }
    Ok(())
}

/// A float as C's `%f` prints it.
pub fn c_float(f: f64) -> String {
    if f.is_nan() {
        return if f.is_sign_negative() { "-nan" } else { "nan" }.to_string();
    }
    if f.is_infinite() {
        return if f < 0.0 { "-inf" } else { "inf" }.to_string();
    }
    format!("{f:.6}")
}

/// Why save text did not read; each names the kind of text that was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bad {
    General,
    Numeral,
    Array,
    Mapping,
    Str,
    Class,
    /// A limit of the driver, with its own message.
    Limit(String),
}

impl Bad {
    /// The message after "restore_object(): ", with `what` naming the
    /// variable being restored, if any.
    pub fn message(&self, what: Option<&str>) -> String {
        let kind = match self {
            Bad::General => "Illegal general format",
            Bad::Numeral => "Illegal numeric format",
            Bad::Array => "Illegal array format",
            Bad::Mapping => "Illegal mapping format",
            Bad::Str => "Illegal string format",
            Bad::Class => "Illegal class format",
            Bad::Limit(m) => return m.clone(),
        };
        match what {
            Some(name) => format!("{kind} while restoring {name}."),
            None => format!("{kind}."),
        }
    }
}

/// What reading needs from the driver: its limits, and the member names
/// restored classes get (save text names none).
pub struct Reader<'a> {
    pub max_array: usize,
    pub max_mapping: usize,
    /// Class layouts of the restoring object's program.
    pub layouts: &'a [Rc<[SmolStr]>],
    /// The layout of the class the variable held before, if any.
    pub hint: Option<Rc<[SmolStr]>>,
}

impl Reader<'_> {
    /// The member names of a restored class of `n` fields: the variable's
    /// old layout or the program's only layout of that size, else numbers.
    fn members(&self, n: usize) -> Rc<[SmolStr]> {
        if let Some(h) = &self.hint
            && h.len() == n
        {
            return h.clone();
        }
        let mut sized = self.layouts.iter().filter(|l| l.len() == n);
        if let (Some(only), None) = (sized.next(), sized.next()) {
            return only.clone();
        }
        (0..n).map(|i| SmolStr::new(i.to_string())).collect()
    }

    /// Reads one whole value (a `name value` line's value, or
    /// `restore_variable`'s text). Text that starts like no value reads as 0.
    pub fn read(&self, text: &str) -> Result<Value, Bad> {
        let mut p = Cursor {
            s: text.as_bytes(),
            at: 0,
        };
        match p.peek() {
            Some(b'"') => {
                p.at += 1;
                let s = p.string(Bad::Str)?;
                if p.at != p.s.len() {
                    return Err(Bad::Str);
                }
                Ok(Value::str(s))
            }
            Some(b'(') => {
                p.at += 1;
                self.container(&mut p, 1, Bad::General)
            }
            Some(b'-' | b'0'..=b'9') => p.number(),
            _ => Ok(Value::Int(0)),
        }
    }

    /// After a `(`: the array, mapping or class it opens.
    fn container(&self, p: &mut Cursor, depth: usize, other: Bad) -> Result<Value, Bad> {
        let kind = p.peek();
        p.at += 1;
        let bad = match kind {
            Some(b'{') => Bad::Array,
            Some(b'[') => Bad::Mapping,
            Some(b'/') => Bad::Class,
            _ => return Err(other),
        };
        if depth > MAX_DEPTH + 1 {
            return Err(bad);
        }
        match kind {
            Some(b'[') => self.mapping(p, depth),
            Some(b'/') => {
                let fields = self.items(p, depth, b'/', Bad::Class)?;
                let members = self.members(fields.len());
                Ok(Value::Class(Rc::new(ClassObj {
                    members,
                    fields: std::cell::RefCell::new(fields),
                })))
            }
            _ => Ok(Value::array(self.items(p, depth, b'}', Bad::Array)?)),
        }
    }

    /// The elements of an array or class up to `close` and `)`.
    fn items(&self, p: &mut Cursor, depth: usize, close: u8, bad: Bad) -> Result<Vec<Value>, Bad> {
        let mut items = Vec::new();
        loop {
            match p.peek() {
                Some(c) if c == close => {
                    p.at += 1;
                    return if p.eat(b')') { Ok(items) } else { Err(bad) };
                }
                Some(b',') => {
                    p.at += 1;
                    items.push(Value::Int(0));
                }
                Some(_) => {
                    items.push(self.element(p, depth, &bad)?);
                    if !p.eat(b',') {
                        return Err(bad);
                    }
                }
                None => return Err(bad),
            }
            if items.len() > self.max_array {
                return Err(Bad::Limit("Illegal array size.".into()));
            }
        }
    }

    /// A string, number or nested container inside a container.
    fn element(&self, p: &mut Cursor, depth: usize, bad: &Bad) -> Result<Value, Bad> {
        match p.peek() {
            Some(b'"') => {
                p.at += 1;
                Ok(Value::str(p.string(bad.clone())?))
            }
            Some(b'(') => {
                p.at += 1;
                self.container(p, depth + 1, bad.clone())
            }
            Some(b'-' | b'0'..=b'9') => p.number(),
            _ => Err(bad.clone()),
        }
    }

    fn mapping(&self, p: &mut Cursor, depth: usize) -> Result<Value, Bad> {
        let out = crate::vm::ops::new_mapping(0);
        let Value::Mapping(m) = &out else {
            return Err(Bad::Mapping);
        };
        loop {
            let key = match p.peek() {
                Some(b']') => {
                    p.at += 1;
                    return if p.eat(b')') {
                        Ok(out)
                    } else {
                        Err(Bad::Mapping)
                    };
                }
                Some(b':') => {
                    p.at += 1;
                    Value::Int(0)
                }
                Some(_) => {
                    let key = self.element(p, depth, &Bad::Mapping)?;
                    if !p.eat(b':') {
                        return Err(Bad::Mapping);
                    }
                    key
                }
                None => return Err(Bad::Mapping),
            };
            let value = match p.peek() {
                Some(b',') => {
                    p.at += 1;
                    Value::Int(0)
                }
                Some(_) => {
                    let value = self.element(p, depth, &Bad::Mapping)?;
                    if !p.eat(b',') {
                        return Err(Bad::Mapping);
                    }
                    value
                }
                None => return Err(Bad::Mapping),
            };
            let mut m = m.borrow_mut();
            if m.len() >= self.max_mapping && !m.contains_key(&key) {
                return Err(Bad::Limit("Mapping too large.".into()));
            }
            m.insert(key, value);
        }
    }
}

struct Cursor<'a> {
    s: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// After an opening quote: the string up to the closing one.
    fn string(&mut self, bad: Bad) -> Result<String, Bad> {
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => return Err(bad),
                Some(b'"') => {
                    self.at += 1;
                    break;
                }
                Some(b'\\') => {
                    let Some(&c) = self.s.get(self.at + 1) else {
                        return Err(bad);
                    };
                    out.push(c);
                    self.at += 2;
                }
                Some(b'\r') => {
                    out.push(b'\n');
                    self.at += 1;
                }
                Some(c) => {
                    out.push(c);
                    self.at += 1;
                }
            }
        }
        // The text came from a `&str` and only ASCII bytes were dropped or
        // swapped for ASCII, so it is still UTF-8.
        String::from_utf8(out).map_err(|_| bad)
    }

    /// A decimal integer or float: `-12`, `3.5`, `1.0e+5`.
    fn number(&mut self) -> Result<Value, Bad> {
        let negative = self.eat(b'-');
        let digits = self.digits();
        if digits.is_empty() {
            return Err(Bad::Numeral);
        }
        let mut fraction = "0";
        let mut float = false;
        if self.eat(b'.') {
            float = true;
            // A point at the very end reads as ".0".
            if self.peek().is_some() {
                fraction = self.digits();
                if fraction.is_empty() {
                    return Err(Bad::Numeral);
                }
            }
        }
        let mut exponent = String::from("0");
        if self.eat(b'e') {
            float = true;
            let sign = match self.peek() {
                Some(b'+') => '+',
                Some(b'-') => '-',
                _ => return Err(Bad::Numeral),
            };
            self.at += 1;
            let e = self.digits();
            exponent = format!("{sign}{}", if e.is_empty() { "0" } else { e });
        }
        if float {
            let text = format!("{digits}.{fraction}e{exponent}");
            let f: f64 = text.parse().map_err(|_| Bad::Numeral)?;
            return Ok(Value::float(if negative { -f } else { f }));
        }
        // Out-of-range integers wrap, as the machine arithmetic does.
        let n = digits.bytes().fold(0i64, |n, d| {
            n.wrapping_mul(10).wrapping_add(i64::from(d - b'0'))
        });
        Ok(Value::Int(if negative { n.wrapping_neg() } else { n }))
    }

    fn digits(&mut self) -> &'a str {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        let s: &'a [u8] = self.s;
        std::str::from_utf8(&s[start..self.at]).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader() -> Reader<'static> {
        Reader {
            max_array: 1000,
            max_mapping: 1000,
            layouts: &[],
            hint: None,
        }
    }

    fn text(v: &Value) -> String {
        let mut out = String::new();
        encode(v, &mut out).expect("encodes");
        out
    }

    #[test]
    fn values_are_written_as_the_save_format_has_them() {
        assert_eq!(text(&Value::Int(-1)), "-1");
        assert_eq!(text(&Value::float(1.2)), "1.200000");
        assert_eq!(text(&Value::str("\"x\\\n")), "\"\\\"x\\\\\r\"");
        assert_eq!(text(&Value::str("a\rb")), "\"a\\\rb\"");
        assert_eq!(text(&Value::array(vec![Value::Int(0)])), "({0,})");
        assert_eq!(text(&Value::array(vec![])), "({})");
    }

    #[test]
    fn values_read_back() {
        let r = reader();
        assert_eq!(r.read("\"\r\""), Ok(Value::str("\n")));
        assert_eq!(r.read("\"\\\"\\x\r\""), Ok(Value::str("\"x\n")));
        assert_eq!(r.read("1.2"), Ok(Value::float(1.2)));
        assert_eq!(r.read("-7"), Ok(Value::Int(-7)));
        assert_eq!(r.read("1e+2"), Ok(Value::float(100.0)));
        assert_eq!(r.read(""), Ok(Value::Int(0)));
        let Ok(Value::Array(a)) = r.read("({,\"a\",({1,}),})") else {
            panic!("not an array");
        };
        assert_eq!(a.borrow().len(), 3);
        let Ok(Value::Mapping(m)) = r.read("([1:2,:3,\"k\":,])") else {
            panic!("not a mapping");
        };
        assert_eq!(m.borrow().len(), 3);
    }

    #[test]
    fn bad_text_is_an_error() {
        let r = reader();
        for bad in [
            "\"\"x",
            "\"\\",
            "\"\\x\\",
            "\"\\x\"x",
            "-x",
            "\"",
            "\"\r\"\r",
            "(/(/9",
            "([:0{({,])",
            "([:0a\"\\,])",
            "([0a\"\\:])",
            "({1",
            "(x",
        ] {
            assert!(r.read(bad).is_err(), "{bad:?} read");
        }
        let mut deep = String::from("0");
        for _ in 0..400 {
            deep = format!("({{{deep},}})");
        }
        assert!(r.read(&deep).is_err());
        let mut shallow = String::from("0");
        for _ in 0..50 {
            shallow = format!("({{{shallow},}})");
        }
        assert!(r.read(&shallow).is_ok());
    }
}
