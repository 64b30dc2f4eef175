//! The json package: `json_encode` and `json_decode` convert between LPC
//! values and JSON text with serde_json, building LPC values directly while
//! parsing so no intermediate tree is made.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use rustc_hash::FxHashMap;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::{self, Serialize, SerializeMap, SerializeSeq, Serializer};

use super::{arg, bad_arg, int_arg};
use crate::vm::value::{Value, ValueMap};
use crate::vm::{Efun, Limits, Unwind, Vm, error};

/// How deeply arrays and mappings may nest, both ways. It stays below
/// serde_json's own parsing limit so that our message is the one seen, and
/// matches the depth FluffOS allows in saved values.
pub const MAX_DEPTH: usize = 100;

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("json_encode", json_encode);
    m.insert("json_decode", json_decode);
}

fn json_encode(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let value = arg(vm, base, argc, 0);
    let pretty = int_arg(vm, base, argc, 1, "json_encode")? != 0;
    let text = encode(&value, pretty).map_err(|e| error(format!("json_encode: {e}")))?;
    if text.len() > vm.limits.string_length {
        return Err(error(
            "json_encode: the result is longer than the maximum string length",
        ));
    }
    Ok(Value::str(text))
}

fn json_decode(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let text = match arg(vm, base, argc, 0) {
        Value::Str(s) => s,
        other => return Err(bad_arg("json_decode", 0, &other)),
    };
    decode(&text.text, &vm.limits).map_err(|e| error(format!("json_decode: {e}")))
}

/// The JSON text of `value`: two-space indented when `pretty`.
pub fn encode(value: &Value, pretty: bool) -> Result<String, serde_json::Error> {
    let ancestors = RefCell::new(Vec::new());
    let root = Encode {
        value,
        ancestors: &ancestors,
    };
    let mut out = Vec::with_capacity(128);
    if pretty {
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b"  ");
        let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
        root.serialize(&mut serializer)?;
    } else {
        root.serialize(&mut serde_json::Serializer::new(&mut out))?;
    }
    // serde_json writes only UTF-8; the check keeps this free of panics.
    String::from_utf8(out).map_err(|_| ser::Error::custom("the output is not UTF-8"))
}

/// The LPC value of JSON `text`, within the VM's size limits.
pub fn decode(text: &str, limits: &Limits) -> Result<Value, serde_json::Error> {
    let mut parser = serde_json::Deserializer::from_str(text);
    let seed = Decode {
        depth: 0,
        limits: DecodeLimits {
            array: limits.array_size,
            mapping: limits.mapping_size,
            string: limits.string_length,
        },
    };
    let value = seed.deserialize(&mut parser)?;
    parser.end()?;
    Ok(value)
}

/// One value being encoded, with the arrays and mappings that contain it:
/// meeting one of them again means the value refers to itself.
struct Encode<'a> {
    value: &'a Value,
    ancestors: &'a RefCell<Vec<usize>>,
}

impl Encode<'_> {
    fn child<'b>(&'b self, value: &'b Value) -> Encode<'b> {
        Encode {
            value,
            ancestors: self.ancestors,
        }
    }

    /// Enters the container at `address`; the error for a cycle or too deep a nesting.
    fn enter<E: ser::Error>(&self, address: usize) -> Result<(), E> {
        let mut ancestors = self.ancestors.borrow_mut();
        if ancestors.contains(&address) {
            return Err(E::custom("the value contains itself (a cycle)"));
        }
        if ancestors.len() >= MAX_DEPTH {
            return Err(E::custom(format!(
                "arrays and mappings nest deeper than {MAX_DEPTH} levels"
            )));
        }
        ancestors.push(address);
        Ok(())
    }

    fn leave(&self) {
        self.ancestors.borrow_mut().pop();
    }
}

impl Serialize for Encode<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.value {
            Value::Undefined => serializer.serialize_unit(),
            Value::Int(n) => serializer.serialize_i64(*n),
            Value::Float(f) if f.get().is_finite() => serializer.serialize_f64(f.get()),
            Value::Float(f) => Err(ser::Error::custom(format!(
                "cannot encode the float {}: JSON has no such number",
                f.get()
            ))),
            Value::Str(s) => serializer.serialize_str(&s.text),
            Value::Array(items) => {
                self.enter(Rc::as_ptr(items) as usize)?;
                let items = items.borrow();
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items.iter() {
                    seq.serialize_element(&self.child(item))?;
                }
                let done = seq.end();
                self.leave();
                done
            }
            Value::Mapping(map) => {
                self.enter(Rc::as_ptr(map) as usize)?;
                let map = map.borrow();
                let mut entries = Vec::with_capacity(map.len());
                for (key, value) in map.iter() {
                    let Value::Str(key) = key else {
                        return Err(ser::Error::custom(format!(
                            "a mapping key is of type {}; JSON keys are strings",
                            key.type_name()
                        )));
                    };
                    entries.push((key.text.as_str(), value));
                }
                // Mappings have no order of their own: sorted keys make the text stable.
                entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
                let mut out = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    out.serialize_entry(key, &self.child(value))?;
                }
                let done = out.end();
                self.leave();
                done
            }
            Value::Ref(cell) => self.child(&cell.borrow()).serialize(serializer),
            other => Err(ser::Error::custom(format!(
                "cannot encode a value of type {}",
                other.type_name()
            ))),
        }
    }
}

#[derive(Clone, Copy)]
struct DecodeLimits {
    array: usize,
    mapping: usize,
    string: usize,
}

/// Parses one JSON value into an LPC value, `depth` arrays and objects deep.
#[derive(Clone, Copy)]
struct Decode {
    depth: usize,
    limits: DecodeLimits,
}

impl Decode {
    fn nested<E: de::Error>(self) -> Result<Decode, E> {
        if self.depth >= MAX_DEPTH {
            return Err(E::custom(format!(
                "arrays and objects nest deeper than {MAX_DEPTH} levels"
            )));
        }
        Ok(Decode {
            depth: self.depth + 1,
            limits: self.limits,
        })
    }

    fn string<E: de::Error>(self, text: String) -> Result<Value, E> {
        if text.len() > self.limits.string {
            return Err(E::custom(
                "a string is longer than the maximum string length",
            ));
        }
        Ok(Value::str(text))
    }
}

impl<'de> DeserializeSeed<'de> for Decode {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Decode {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Int(i64::from(b)))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Int(n))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Value, E> {
        // Past the largest LPC int, a number keeps its magnitude as a float.
        Ok(i64::try_from(n).map_or(Value::float(n as f64), Value::Int))
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value, E> {
        Ok(Value::float(f))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Value, E> {
        self.string(text.to_string())
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Value, E> {
        self.string(text)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Undefined)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = self.nested()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(inner)? {
            if items.len() >= self.limits.array {
                return Err(de::Error::custom(
                    "an array is larger than the maximum array size",
                ));
            }
            items.push(item);
        }
        Ok(Value::array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let inner = self.nested()?;
        let mut out = ValueMap::default();
        while let Some(key) = map.next_key::<String>()? {
            let key = self.string(key)?;
            let value = map.next_value_seed(inner)?;
            if out.len() >= self.limits.mapping && !out.contains_key(&key) {
                return Err(de::Error::custom(
                    "an object is larger than the maximum mapping size",
                ));
            }
            out.insert(key, value);
        }
        Ok(Value::Mapping(Rc::new(RefCell::new(out))))
    }
}
