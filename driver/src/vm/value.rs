//! LPC values: 16 bytes each, reference counted, owned by the VM thread.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::rc::Rc;

use unicode_segmentation::UnicodeSegmentation;

use super::object::ObjRef;

/// The bytes of an LPC string. Short ones (most names, keys and words)
/// sit inside the string's own allocation, so making, comparing and
/// freeing them touches one block of memory instead of two; long ones are
/// a `String` that a `+=` on an unshared string extends in place. Kept to
/// 24 bytes, so a string with its counts takes a 48-byte block of the
/// allocator rather than a 64-byte one: a mapping with many string keys
/// holds one per key.
#[derive(Clone)]
pub enum Text {
    Short(smol_str::SmolStr),
    Long(Box<LongText>),
}

/// A long text and whether it is simple (see [`simple_text`]), known from
/// when it was made; for a short one that is found out when asked.
#[derive(Clone)]
pub struct LongText {
    text: String,
    simple: bool,
}

impl LongText {
    fn boxed(text: String) -> Box<LongText> {
        let simple = simple_text(&text);
        Box::new(LongText { text, simple })
    }
}

/// The longest text kept inline.
const SHORT_TEXT: usize = 23;

impl Text {
    #[inline]
    pub fn as_str(&self) -> &str {
        match self {
            Text::Short(s) => s.as_str(),
            Text::Long(long) => long.text.as_str(),
        }
    }

    /// Whether every byte is a grapheme cluster of its own.
    #[inline]
    pub fn simple(&self) -> bool {
        match self {
            Text::Short(s) => simple_text(s),
            Text::Long(long) => long.simple,
        }
    }

    /// Appends, moving a short text out to the heap once it outgrows
    /// the inline room.
    pub fn push_str(&mut self, tail: &str) {
        match self {
            Text::Long(long) => {
                long.simple = long.simple && simple_text(tail);
                long.text.push_str(tail);
            }
            Text::Short(s) if s.len() + tail.len() <= SHORT_TEXT => {
                let mut joined = smol_str::SmolStrBuilder::new();
                joined.push_str(s);
                joined.push_str(tail);
                *s = joined.finish();
            }
            Text::Short(s) => {
                let mut long = String::with_capacity((s.len() + tail.len()) * 2);
                long.push_str(s);
                long.push_str(tail);
                *self = Text::Long(LongText::boxed(long));
            }
        }
    }

    /// `head` followed by `tail`, inline when it fits.
    pub fn concat(head: &str, tail: &str) -> Text {
        let len = head.len() + tail.len();
        if len <= SHORT_TEXT {
            let mut joined = smol_str::SmolStrBuilder::new();
            joined.push_str(head);
            joined.push_str(tail);
            Text::Short(joined.finish())
        } else {
            let mut long = String::with_capacity(len);
            long.push_str(head);
            long.push_str(tail);
            Text::Long(LongText::boxed(long))
        }
    }

    pub fn into_string(self) -> String {
        match self {
            Text::Short(s) => s.to_string(),
            Text::Long(long) => long.text,
        }
    }
}

impl Default for Text {
    fn default() -> Text {
        Text::Short(smol_str::SmolStr::default())
    }
}

/// A long `String` already made keeps its allocation; a short one moves
/// inline, which costs less than the box a long text needs.
impl From<String> for Text {
    #[inline]
    fn from(s: String) -> Text {
        if s.len() <= SHORT_TEXT {
            Text::Short(smol_str::SmolStr::new(&s))
        } else {
            Text::Long(LongText::boxed(s))
        }
    }
}

impl From<&str> for Text {
    #[inline]
    fn from(s: &str) -> Text {
        if s.len() <= SHORT_TEXT {
            Text::Short(smol_str::SmolStr::new(s))
        } else {
            Text::Long(LongText::boxed(s.to_string()))
        }
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Text {
        Text::from(s.as_str())
    }
}

impl From<&mut String> for Text {
    fn from(s: &mut String) -> Text {
        Text::from(s.as_str())
    }
}

impl From<std::borrow::Cow<'_, str>> for Text {
    fn from(s: std::borrow::Cow<'_, str>) -> Text {
        match s {
            std::borrow::Cow::Borrowed(b) => Text::from(b),
            std::borrow::Cow::Owned(o) => Text::from(o),
        }
    }
}

impl From<smol_str::SmolStr> for Text {
    fn from(s: smol_str::SmolStr) -> Text {
        if s.len() <= SHORT_TEXT {
            Text::Short(s)
        } else {
            Text::Long(LongText::boxed(s.to_string()))
        }
    }
}

impl From<&smol_str::SmolStr> for Text {
    fn from(s: &smol_str::SmolStr) -> Text {
        Text::from(s.clone())
    }
}

impl From<Box<str>> for Text {
    fn from(s: Box<str>) -> Text {
        Text::from(String::from(s))
    }
}

impl From<char> for Text {
    fn from(c: char) -> Text {
        Text::Short(smol_str::SmolStr::from(c))
    }
}

impl From<&Text> for Text {
    fn from(t: &Text) -> Text {
        t.clone()
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<[u8]> for Text {
    fn as_ref(&self) -> &[u8] {
        self.as_str().as_bytes()
    }
}

impl AsRef<std::path::Path> for Text {
    fn as_ref(&self) -> &std::path::Path {
        std::path::Path::new(self.as_str())
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Write for Text {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.push_str(s);
        Ok(())
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Text) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for Text {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

/// A string with its simplicity known, so lengths and indexes are O(1)
/// when every byte is one grapheme cluster and count clusters otherwise.
#[derive(Debug, Default)]
pub struct LStr {
    pub text: Text,
}

/// Whether every byte of `text` is a grapheme cluster of its own.
pub fn simple_text(text: &str) -> bool {
    // One branch-free pass the compiler vectorizes: strings are made often.
    let flags = text
        .as_bytes()
        .iter()
        .fold(0u8, |acc, &b| acc | (b & 0x80) | u8::from(b == b'\r'));
    flags == 0
}

impl LStr {
    pub fn new(text: impl Into<Text>) -> LStr {
        LStr { text: text.into() }
    }

    /// Every byte is a cluster of its own: ASCII without `\r` (a CR before
    /// an LF joins it in one cluster).
    #[inline]
    pub fn ascii(&self) -> bool {
        self.text.simple()
    }

    /// Length in grapheme clusters.
    pub fn len(&self) -> usize {
        if self.ascii() {
            self.text.len()
        } else {
            self.text.graphemes(true).count()
        }
    }

    /// Whether the string has no characters.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The code point grapheme `i` stands for as a character: its first,
    /// when the cluster is at most four bytes; `Err` for a wider cluster
    /// (an emoji sequence), which no single character can replace.
    pub fn char_checked(&self, i: usize) -> Option<Result<i64, ()>> {
        if self.ascii() {
            return self.text.as_bytes().get(i).map(|&b| Ok(b as i64));
        }
        let g = self.text.graphemes(true).nth(i)?;
        if g.len() > 4 {
            return Some(Err(()));
        }
        g.chars().next().map(|c| Ok(c as i64))
    }

    /// Byte offset of grapheme `i` (the length for `i` past the end).
    pub fn byte_offset(&self, i: usize) -> usize {
        if self.ascii() {
            return i.min(self.text.len());
        }
        self.text
            .grapheme_indices(true)
            .nth(i)
            .map_or(self.text.len(), |(at, _)| at)
    }
}

pub type Array = RefCell<Vec<Value>>;
pub type Mapping = RefCell<ValueMap>;

/// The table behind a mapping.
pub type ValueMap = HashMap<Value, Value, BuildHasherDefault<KeyHasher>>;

/// Gives memory back once a mapping has lost most of its entries: a table
/// keeps its size when entries go, so a mapping that held a million keys
/// and now holds a few would otherwise keep the room for the million.
/// Shrinking only below a third of the room leaves growth and shrinking
/// far apart, so a mapping that fills and empties does not rehash each time.
pub fn shrink_after_removal(map: &mut ValueMap) {
    let room = map.capacity();
    if room > 64 && map.len() < room / 3 {
        map.shrink_to(map.len() + map.len() / 2);
    }
}

/// A hasher for mapping keys. An integer key keeps its own value in the
/// low bits, which pick the bucket, so neighbouring keys land in
/// neighbouring buckets; the top bits, which the table compares to tell
/// entries apart, come from a full mix. Other keys are mixed throughout.
#[derive(Default)]
pub struct KeyHasher {
    state: u64,
    /// The only word written so far, while there is exactly one.
    single: Option<u64>,
    words: u32,
}

impl Hasher for KeyHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
        let mut tail = [0u8; 8];
        let rest = chunks.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        self.write_u64(u64::from_le_bytes(tail) ^ ((rest.len() as u64) << 59));
        // Strings never take the integer layout, even when short.
        self.words += 1;
    }

    #[inline]
    fn write_u64(&mut self, word: u64) {
        self.single = Some(word);
        self.words += 1;
        self.state = (self.state ^ word)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(29);
    }

    #[inline]
    fn write_i64(&mut self, word: i64) {
        self.write_u64(word as u64);
    }

    #[inline]
    fn write_usize(&mut self, word: usize) {
        self.write_u64(word as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        let mixed = fmix64(self.state);
        match self.single {
            Some(word) if self.words == 1 => (word & (u64::MAX >> 7)) | (mixed & !(u64::MAX >> 7)),
            _ => mixed,
        }
    }
}

/// The finalizer of MurmurHash3: every output bit depends on every input bit.
#[inline]
fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// An instance of an LPC class: its layout's member names and their values.
#[derive(Debug)]
pub struct ClassObj {
    pub members: Rc<[smol_str::SmolStr]>,
    pub fields: RefCell<Vec<Value>>,
}

impl ClassObj {
    pub fn position(&self, name: &str) -> Option<usize> {
        self.members.iter().position(|m| m == name)
    }
}

/// What a function value calls.
#[derive(Debug)]
pub enum FnKind {
    /// A closure or named function of the owner object's program.
    Local(super::object::FnRef),
    Efun(super::Efun),
    Simul(smol_str::SmolStr),
}

#[derive(Debug)]
pub struct FnPtr {
    pub owner: ObjRef,
    pub kind: FnKind,
    /// Bound arguments, passed before the call's own.
    pub bound: Vec<Value>,
    /// `$(...)` values, stored in the closure's last locals.
    pub captures: Vec<Value>,
    /// The owner's `program_version` when the value was made: a local
    /// function of an older program may not run.
    pub owner_version: u32,
}

/// A float payload kept as its bits. Every payload of a [`Value`] is then
/// an integer or a pointer, so the compiler moves a value as two words in
/// registers; a float among them made it copy values through memory in
/// halves and read them back whole, stalling each push.
#[derive(Clone, Copy, Default)]
#[repr(transparent)]
pub struct Float64(u64);

impl Float64 {
    #[inline]
    pub fn new(f: f64) -> Float64 {
        Float64(f.to_bits())
    }

    #[inline]
    pub fn get(self) -> f64 {
        f64::from_bits(self.0)
    }
}

/// Compared as floats: `0.0 == -0.0`, and NaN equals nothing.
impl PartialEq for Float64 {
    fn eq(&self, other: &Float64) -> bool {
        self.get() == other.get()
    }
}

impl std::fmt::Debug for Float64 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

#[derive(Clone, Debug, Default)]
pub enum Value {
    #[default]
    Undefined,
    Int(i64),
    Float(Float64),
    Str(Rc<LStr>),
    Array(Rc<Array>),
    Mapping(Rc<Mapping>),
    Object(ObjRef),
    Function(Rc<FnPtr>),
    // No efun makes buffers yet; the operators already handle them.
    #[allow(dead_code)]
    Buffer(Rc<RefCell<Vec<u8>>>),
    Class(Rc<ClassObj>),
    /// A `ref` argument: the callee's parameter aliases the caller's variable.
    Ref(Rc<RefCell<Value>>),
}

// The VM moves values constantly: keep them two words.
const _: () = assert!(std::mem::size_of::<Value>() == 16);
const _: () = assert!(std::mem::size_of::<LStr>() == 24);

impl Value {
    #[inline]
    pub fn float(f: f64) -> Value {
        Value::Float(Float64::new(f))
    }

    pub fn str(text: impl Into<Text>) -> Value {
        Value::Str(Rc::new(LStr::new(text)))
    }

    pub fn array(items: Vec<Value>) -> Value {
        Value::Array(Rc::new(RefCell::new(items)))
    }

    pub fn truthy(&self) -> bool {
        match self {
            Value::Ref(r) => r.borrow().truthy(),
            Value::Undefined => false,
            Value::Int(i) => *i != 0,
            Value::Float(f) => f.get() != 0.0,
            _ => true,
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Undefined | Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "string",
            Value::Array(_) => "array",
            Value::Mapping(_) => "mapping",
            Value::Object(_) => "object",
            Value::Function(_) => "function",
            Value::Buffer(_) => "buffer",
            Value::Class(_) => "class",
            Value::Ref(_) => "reference",
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Undefined => Some(0),
            _ => None,
        }
    }

    /// The value as a mapping key: undefined is 0.
    pub fn key(self) -> Value {
        match self {
            Value::Undefined => Value::Int(0),
            other => other,
        }
    }
}

impl PartialEq for Value {
    /// LPC `==`: values for numbers and strings, identity for the rest.
    #[inline]
    fn eq(&self, other: &Value) -> bool {
        if let (Value::Int(a), Value::Int(b)) = (self, other) {
            return a == b;
        }
        slow_eq(self, other)
    }
}

fn slow_eq(a: &Value, b: &Value) -> bool {
    {
        match (a, b) {
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Undefined | Value::Int(0), Value::Undefined | Value::Int(0)) => true,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => {
                *a as f64 == b.get()
            }
            (Value::Str(a), Value::Str(b)) => Rc::ptr_eq(a, b) || a.text == b.text,
            (Value::Class(a), Value::Class(b)) => Rc::ptr_eq(a, b),
            // FluffOS shares one empty array, so all empty arrays are equal.
            (Value::Array(a), Value::Array(b)) => {
                Rc::ptr_eq(a, b) || (a.borrow().is_empty() && b.borrow().is_empty())
            }
            (Value::Mapping(a), Value::Mapping(b)) => Rc::ptr_eq(a, b),
            (Value::Object(a), Value::Object(b)) => a == b,
            (Value::Function(a), Value::Function(b)) => Rc::ptr_eq(a, b),
            (Value::Buffer(a), Value::Buffer(b)) => Rc::ptr_eq(a, b),
            (Value::Ref(a), b) => *a.borrow() == *b,
            (a, Value::Ref(b)) => *a == *b.borrow(),
            _ => false,
        }
    }
}

impl Eq for Value {}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Value::Undefined => 0i64.hash(state),
            Value::Int(i) => i.hash(state),
            // Floats equal to an integer must hash like it: `==` says they match.
            Value::Float(f) => {
                let f = f.get();
                if f.fract() == 0.0 && f.abs() < 9.0e18 {
                    (f as i64).hash(state)
                } else {
                    f.to_bits().hash(state)
                }
            }
            Value::Str(s) => state.write(s.text.as_bytes()),
            Value::Array(a) if a.borrow().is_empty() => 0usize.hash(state),
            Value::Array(a) => (Rc::as_ptr(a) as usize).hash(state),
            Value::Class(c) => (Rc::as_ptr(c) as usize).hash(state),
            Value::Mapping(m) => (Rc::as_ptr(m) as usize).hash(state),
            Value::Object(o) => o.hash(state),
            Value::Function(f) => (Rc::as_ptr(f) as usize).hash(state),
            Value::Buffer(b) => (Rc::as_ptr(b) as usize).hash(state),
            Value::Ref(r) => (Rc::as_ptr(r) as usize).hash(state),
        }
    }
}
