//! Efuns over buffers and raw bytes: `read_buffer` and `write_buffer`, on a
//! buffer value or on a file of the mudlib.

use std::cell::RefCell;
use std::rc::Rc;

use rustc_hash::FxHashMap;

use super::{arg, bad_arg, int_arg};
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("read_buffer", read_buffer);
    m.insert("write_buffer", write_buffer);
}

/// Where a read or write of `len` bytes at `start` lands in `size` bytes:
/// a negative start counts from the end.
fn resolve_start(start: i64, size: usize) -> Option<usize> {
    let start = if start < 0 {
        size as i64 + start
    } else {
        start
    };
    usize::try_from(start).ok()
}

/// `read_buffer(file_or_buffer, start, len)`: a file's bytes as a buffer,
/// or a buffer's bytes (up to the first zero byte) as a string.
fn read_buffer(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let start = int_arg(vm, base, argc, 1, "read_buffer")?;
    let len = int_arg(vm, base, argc, 2, "read_buffer")?;
    if len < 0 {
        return Ok(Value::Int(0));
    }
    match arg(vm, base, argc, 0) {
        Value::Str(path) => {
            let host = vm.compiler.provider.host_path(&path.text);
            let Ok(bytes) = std::fs::read(host) else {
                return Ok(Value::Int(0));
            };
            let Some(start) = resolve_start(start, bytes.len()).filter(|&s| s <= bytes.len())
            else {
                return Ok(Value::Int(0));
            };
            let end = if len == 0 {
                bytes.len()
            } else {
                bytes.len().min(start.saturating_add(len as usize))
            };
            if end - start > vm.limits.buffer_size {
                return Err(error(
                    "read_buffer(): the file is larger than the maximum buffer size",
                ));
            }
            let part = bytes.get(start..end).unwrap_or_default().to_vec();
            Ok(Value::Buffer(Rc::new(RefCell::new(part))))
        }
        Value::Buffer(buf) => {
            let buf = buf.borrow();
            let Some(start) = resolve_start(start, buf.len()).filter(|&s| s < buf.len()) else {
                return Ok(Value::Int(0));
            };
            let len = if len == 0 { buf.len() } else { len as usize };
            let end = buf.len().min(start.saturating_add(len));
            let bytes = buf.get(start..end).unwrap_or_default();
            // A zero byte ends the string, as it would a C string.
            let bytes = bytes.split(|&b| b == 0).next().unwrap_or_default();
            Ok(Value::str(String::from_utf8_lossy(bytes).into_owned()))
        }
        other => Err(bad_arg("read_buffer", 0, &other)),
    }
}

/// The bytes `write_buffer` writes for its third argument: an int goes in
/// network byte order as 32 bits.
fn source_bytes(v: &Value) -> Result<Vec<u8>, Unwind> {
    match v {
        Value::Int(n) => Ok((*n as i32).to_be_bytes().to_vec()),
        Value::Undefined => Ok(0i32.to_be_bytes().to_vec()),
        Value::Str(s) => Ok(s.text.as_bytes().to_vec()),
        Value::Buffer(b) => Ok(b.borrow().clone()),
        other => Err(bad_arg("write_buffer", 2, other)),
    }
}

/// `write_buffer(file_or_buffer, start, source)`: 1 when written. A buffer
/// never grows: a write past its end writes nothing.
fn write_buffer(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let start = int_arg(vm, base, argc, 1, "write_buffer")?;
    let bytes = source_bytes(&arg(vm, base, argc, 2))?;
    match arg(vm, base, argc, 0) {
        Value::Buffer(buf) => {
            let mut buf = buf.borrow_mut();
            let size = buf.len();
            let Some(start) = resolve_start(start, size).filter(|&s| s <= size) else {
                return Ok(Value::Int(0));
            };
            let Some(target) = buf.get_mut(start..start + bytes.len().min(size - start)) else {
                return Ok(Value::Int(0));
            };
            if target.len() != bytes.len() {
                return Ok(Value::Int(0));
            }
            target.copy_from_slice(&bytes);
            Ok(Value::Int(1))
        }
        Value::Str(path) => {
            let host = vm.compiler.provider.host_path(&path.text);
            Ok(Value::Int(i64::from(write_bytes(&host, start, &bytes))))
        }
        other => Err(bad_arg("write_buffer", 0, &other)),
    }
}

/// Writes `bytes` into a file at `start` (from the end when negative),
/// creating it when missing; the write may not begin past the end.
fn write_bytes(host: &std::path::Path, start: i64, bytes: &[u8]) -> bool {
    use std::io::{Seek, SeekFrom, Write};
    let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(host)
    else {
        return false;
    };
    let size = file.metadata().map_or(0, |m| m.len()) as usize;
    let Some(start) = resolve_start(start, size).filter(|&s| s <= size) else {
        return false;
    };
    file.seek(SeekFrom::Start(start as u64)).is_ok() && file.write_all(bytes).is_ok()
}
