//! Efuns about the life of objects: loading (with virtual objects from the
//! master), and the changes an object goes through once it exists.

use rustc_hash::FxHashMap;

use super::str_arg;
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("load_object", load_object);
}

/// `load_object(name)`: the object, loaded when needed; 0 when there is no
/// such file and the master's `compile_object` gives no virtual object.
fn load_object(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let name = str_arg(vm, base, argc, 0, "load_object")?;
    let name = crate::vm::object_name(&name.text);
    Ok(match vm.try_load(&name)? {
        Some(r) => Value::Object(r),
        None => Value::Int(0),
    })
}
