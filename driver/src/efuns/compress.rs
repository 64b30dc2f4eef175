//! The compress package: `compress` / `uncompress` turn bytes into zlib
//! streams and back, `compress_file` / `uncompress_file` gzip and gunzip
//! files, `compressedp` tells whether a player's connection has MCCP
//! switched on. Inflating stops at the buffer size limit, so a small "zip bomb"
//! cannot make the driver allocate without bound.

use std::cell::RefCell;
use std::io::{Read, Write};
use std::rc::Rc;

use rustc_hash::FxHashMap;

use super::{arg, bad_arg};
use crate::jail::{self, Access};
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("compress", compress);
    m.insert("uncompress", uncompress);
    m.insert("compress_file", compress_file);
    m.insert("uncompress_file", uncompress_file);
    m.insert("compressedp", compressedp);
}

/// `compressedp(ob)`: 1 when `ob` is interactive and its client accepted
/// MCCP, so everything sent to it now goes through zlib.
fn compressedp(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let who = match arg(vm, base, argc, 0) {
        Value::Object(r) => r,
        other => return Err(bad_arg("compressedp", 0, &other)),
    };
    let on = vm
        .backend
        .net
        .of(who)
        .and_then(|c| c.telnet.as_ref())
        .is_some_and(|t| t.compressing);
    Ok(Value::Int(on.into()))
}

const GZ: &str = ".gz";

fn buffer(bytes: Vec<u8>) -> Value {
    Value::Buffer(Rc::new(RefCell::new(bytes)))
}

/// `compress(data)`: a zlib stream of a string's or buffer's bytes.
fn compress(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let input = match arg(vm, base, argc, 0) {
        Value::Str(s) => s.text.as_bytes().to_vec(),
        Value::Buffer(b) => b.borrow().clone(),
        _ => return Ok(Value::Undefined),
    };
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    let packed = z.write_all(&input).and_then(|()| z.finish());
    match packed {
        Ok(bytes) => Ok(buffer(bytes)),
        Err(e) => Err(error(format!("compress: {e}"))),
    }
}

/// `uncompress(buf)`: the bytes of a zlib stream; an error when the stream
/// is damaged, unfinished, or inflates past the buffer size limit.
fn uncompress(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let Value::Buffer(b) = arg(vm, base, argc, 0) else {
        return Ok(Value::Undefined);
    };
    let limit = vm.limits.buffer_size;
    let input = b.borrow().clone();
    let mut out = Vec::new();
    // One byte past the limit tells "exactly at the limit" from "beyond it".
    let read = flate2::read::ZlibDecoder::new(input.as_slice())
        .take(limit as u64 + 1)
        .read_to_end(&mut out);
    match read {
        Err(e) => Err(error(format!("inflate: {e}"))),
        Ok(_) if out.len() > limit => Err(error(
            "uncompress: decompressed data exceeds maximum buffer size",
        )),
        Ok(_) => Ok(buffer(out)),
    }
}

/// The input and output paths of `compress_file` / `uncompress_file`:
/// the second argument, or the first with `.gz` added (`gzip`) or taken
/// off. `None` when the arguments do not fit.
fn file_pair(vm: &Vm, base: usize, argc: usize, gzip: bool) -> Option<(String, String)> {
    let Value::Str(input) = arg(vm, base, argc, 0) else {
        return None;
    };
    let input = input.text.to_string();
    if argc >= 2 {
        let Value::Str(out) = arg(vm, base, argc, 1) else {
            return None;
        };
        return Some((input, out.text.to_string()));
    }
    let output = if gzip {
        if input.ends_with(GZ) {
            return None;
        }
        format!("{input}{GZ}")
    } else {
        input.strip_suffix(GZ)?.to_string()
    };
    Some((input, output))
}

/// Longest host path the file efuns accept, as the file systems do.
const MAX_PATH: usize = 1024;

fn file_efun(vm: &mut Vm, base: usize, argc: usize, gzip: bool) -> Result<Value, Unwind> {
    let Some((input, output)) = file_pair(vm, base, argc, gzip) else {
        return Ok(Value::Int(0));
    };
    let Some(out) = jail::check(vm, &output, "compress_file", Access::Write)? else {
        return Ok(Value::Int(0));
    };
    if out.mud.len() >= MAX_PATH {
        return Ok(Value::Int(0));
    }
    let Some(inp) = jail::check(vm, &input, "compress_file", Access::Read)? else {
        return Ok(Value::Int(0));
    };
    if !inp.host.is_file() {
        return Ok(Value::Int(0));
    }
    let done = if gzip {
        gzip_file(&inp.host, &out.host)
    } else {
        gunzip_file(&inp.host, &out.host)
    };
    if done.is_err() {
        return Ok(Value::Int(0));
    }
    let _ = std::fs::remove_file(&inp.host);
    Ok(Value::Int(1))
}

fn gzip_file(from: &std::path::Path, to: &std::path::Path) -> std::io::Result<()> {
    let mut input = std::fs::File::open(from)?;
    let output = std::fs::File::create(to)?;
    let mut gz = flate2::write::GzEncoder::new(output, flate2::Compression::default());
    std::io::copy(&mut input, &mut gz)?;
    gz.finish()?.sync_all()
}

fn gunzip_file(from: &std::path::Path, to: &std::path::Path) -> std::io::Result<()> {
    let mut gz = flate2::read::MultiGzDecoder::new(std::fs::File::open(from)?);
    // Decode into a file beside the target first, so a damaged input leaves
    // no half-written result behind.
    let mut partial = to.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    let written = std::fs::File::create(&partial).and_then(|mut output| {
        std::io::copy(&mut gz, &mut output)?;
        output.sync_all()
    });
    let placed = written.and_then(|()| std::fs::rename(&partial, to));
    if placed.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    placed
}

/// `compress_file(file, out)`: gzips a file and removes it; 1 on success.
fn compress_file(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    file_efun(vm, base, argc, true)
}

/// `uncompress_file(file, out)`: gunzips a file and removes it; 1 on success.
fn uncompress_file(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    file_efun(vm, base, argc, false)
}
