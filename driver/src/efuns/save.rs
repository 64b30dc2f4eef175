//! Persistence efuns: `save_object` / `restore_object` write and read an
//! object's variables in FluffOS's `.o` format (optionally gzipped, as
//! `.o.gz`), `restore_from_string` reads that format from a string, and
//! `save_variable` / `restore_variable` do the same for one value.
//! Saves are atomic: a temporary file beside the target is written,
//! synced and renamed over it, so a crash never leaves half a save.

pub mod format;

use std::io::Write;
use std::path::Path;
use std::rc::Rc;

use lpcc::bytecode::flags;
use rustc_hash::FxHashMap;
use smol_str::SmolStr;

use super::{arg, int_arg, str_arg};
use crate::jail::{self, Access};
use crate::vm::object::{Linked, ObjRef};
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};
use format::{Bad, Reader};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("save_object", save_object);
    m.insert("restore_object", restore_object);
    m.insert("restore_from_string", restore_from_string);
    m.insert("save_variable", save_variable);
    m.insert("restore_variable", restore_variable);
}

/// `static` on a variable: nosave unless the mudlib asks for sensible modifiers.
const STATIC: u8 = 64;
const NOSAVE: u8 = flags::NOSAVE | STATIC;

/// The largest save file `restore_object` reads (after gunzipping).
const MAX_SAVE_FILE: usize = 1 << 28;

/// One global variable of an object, in the order saves list them: each
/// program's inherits first (in order), then its own variables.
struct Slot {
    index: usize,
    name: SmolStr,
    /// Declared `nosave` (or `static`) itself.
    nosave: bool,
    /// Inherited through a `nosave` inherit: never saved, still restored.
    hidden: bool,
}

fn slots(linked: &Linked) -> Vec<Slot> {
    let mut out = Vec::new();
    collect_slots(linked, 0, false, &mut out);
    out
}

fn collect_slots(linked: &Linked, part: usize, hidden: bool, out: &mut Vec<Slot>) {
    let Some(p) = linked.parts.get(part) else {
        return;
    };
    for (k, &child) in p.inherit_parts.iter().enumerate() {
        let inherit_nosave = p
            .program
            .inherits
            .get(k)
            .is_some_and(|i| i.flags & NOSAVE != 0);
        collect_slots(linked, child as usize, hidden || inherit_nosave, out);
    }
    for (i, g) in p.program.globals.iter().enumerate() {
        out.push(Slot {
            index: p.var_base as usize + i,
            name: g.name.clone(),
            nosave: g.flags & NOSAVE != 0,
            hidden,
        });
    }
}

/// The save text of an object's variables (after the header line), and
/// the size FluffOS reports for it: per program 1, plus per written line
/// its length and 1; a program inherited `nosave` counts 1 in all.
fn save_text(linked: &Linked, vars: &[Value], zeros: bool) -> Result<(String, i64), Unwind> {
    let mut text = String::new();
    let size = save_part(linked, 0, false, vars, zeros, &mut text)?;
    Ok((text, size))
}

fn save_part(
    linked: &Linked,
    part: usize,
    hidden: bool,
    vars: &[Value],
    zeros: bool,
    text: &mut String,
) -> Result<i64, Unwind> {
    let Some(p) = linked.parts.get(part) else {
        return Ok(1);
    };
    let mut size = 1;
    for (k, &child) in p.inherit_parts.iter().enumerate() {
        let inherit_nosave = p
            .program
            .inherits
            .get(k)
            .is_some_and(|i| i.flags & NOSAVE != 0);
        size += save_part(
            linked,
            child as usize,
            hidden || inherit_nosave,
            vars,
            zeros,
            text,
        )?;
    }
    if hidden {
        return Ok(1);
    }
    let mut value = String::new();
    for (i, g) in p.program.globals.iter().enumerate() {
        if g.flags & NOSAVE != 0 {
            continue;
        }
        value.clear();
        let v = vars
            .get(p.var_base as usize + i)
            .unwrap_or(&Value::Undefined);
        format::encode(v, &mut value).map_err(error)?;
        if zeros || value != "0" {
            text.push_str(&g.name);
            text.push(' ');
            text.push_str(&value);
            text.push('\n');
            size += (g.name.len() + value.len() + 3) as i64;
        }
    }
    Ok(size)
}

/// The running object, when it is alive.
fn current(vm: &Vm) -> Option<ObjRef> {
    vm.this_object().filter(|&r| vm.objects.alive(r))
}

/// The header line: `#` and the program's source file.
fn header(linked: &Linked) -> String {
    let path = linked.parts.first().map_or("", |p| p.program.path.as_str());
    let path = path.split('#').next().unwrap_or(path);
    if path.starts_with('/') {
        format!("#{path}\n")
    } else {
        format!("#/{path}\n")
    }
}

/// A save file name without its extensions: a source extension (`.c` or
/// `.lpc`) then a save one (`.o`, or `.o.gz`, which asks for compression).
fn save_stem(name: &str) -> (&str, bool) {
    let name = name
        .strip_suffix(".lpc")
        .or_else(|| name.strip_suffix(".c"))
        .unwrap_or(name);
    if let Some(stem) = name.strip_suffix(".o.gz") {
        return (stem, true);
    }
    (name.strip_suffix(".o").unwrap_or(name), false)
}

/// `save_object(file, flags)`: writes the running object's variables to
/// `file.o` (flags 1: zeros too, 2: gzip as `file.o.gz`) and returns the
/// saved size, 0 on failure; `save_object()` / `save_object(flags)` return
/// the save text instead.
fn save_object(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let first = arg(vm, base, argc, 0);
    let flags = match (argc, &first) {
        (2.., Value::Str(_)) => int_arg(vm, base, argc, 1, "save_object")?,
        (2.., _) => {
            return Err(error(
                "first argument must be a string for save_object with 2 args",
            ));
        }
        (_, Value::Int(n)) => *n,
        _ => 0,
    };
    let Some(me) = current(vm) else {
        return Ok(Value::Int(0));
    };
    let Some(object) = vm.objects.get(me) else {
        return Ok(Value::Int(0));
    };
    let linked = object.linked.clone();
    let (text, size) = save_text(&linked, &object.vars, flags & 1 != 0)?;
    let text = header(&linked) + &text;
    let Value::Str(file) = first else {
        if text.len() > vm.limits.string_length {
            return Ok(Value::Undefined);
        }
        return Ok(Value::str(text));
    };
    let (stem, gz_name) = save_stem(&file.text);
    let gzip = gz_name || flags & 2 != 0;
    let name = format!("{stem}{}", if gzip { ".o.gz" } else { ".o" });
    let Some(target) = jail::check(vm, &name, "save_object", Access::Write)? else {
        return Err(error("Denied write permission in save_object()."));
    };
    if !write_atomically(&target.host, text.as_bytes(), gzip, &target.mud)? {
        vm.debug_message("Failed to completely save file. Disk could be full.");
        return Ok(Value::Int(0));
    }
    // Restores prefer `.o.gz`: only one of the two may stay.
    let other = format!("{stem}{}", if gzip { ".o" } else { ".o.gz" });
    if let Some(stale) =
        jail::normalize(&other).and_then(|mud| jail::contain(&vm.compiler.provider.root, &mud))
    {
        let _ = std::fs::remove_file(stale);
    }
    Ok(Value::Int(size))
}

/// Writes `data` to `host` through a synced temporary file renamed over it.
/// An error when the temporary file cannot be made; false when writing failed.
fn write_atomically(host: &Path, data: &[u8], gzip: bool, mud: &str) -> Result<bool, Unwind> {
    let mut tmp = host.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    let file = std::fs::File::create(&tmp)
        .map_err(|_| error(format!("Could not open {mud}.tmp for a save.")))?;
    let written = if gzip {
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        gz.write_all(data)
            .and_then(|()| gz.finish())
            .and_then(|f| f.sync_all())
    } else {
        let mut file = file;
        file.write_all(data).and_then(|()| file.sync_all())
    };
    let placed = written.and_then(|()| std::fs::rename(&tmp, host));
    if placed.is_err() {
        let _ = std::fs::remove_file(&tmp);
        return Ok(false);
    }
    // The rename is durable once the directory itself is synced.
    if let Some(dir) = host.parent()
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(true)
}

/// Sets every saved variable of `me` to 0, as a restore without the keep
/// flag does first.
fn clear_saved(vm: &mut Vm, me: ObjRef) {
    let Some(object) = vm.objects.get_mut(me) else {
        return;
    };
    let cleared: Vec<usize> = slots(&object.linked)
        .iter()
        .filter(|s| !s.nosave && !s.hidden)
        .map(|s| s.index)
        .collect();
    let mut old = Vec::with_capacity(cleared.len());
    for i in cleared {
        if let Some(v) = object.vars.get_mut(i) {
            old.push(std::mem::take(v));
        }
    }
    // The old values are dropped here, outside the object's borrow.
    drop(old);
}

/// Restores the `name value` lines of `text` into `me`. Comment lines
/// (`#...`) are skipped; a value for a variable the object lacks goes to
/// its `restore_lost_variable(value, name)`.
fn restore_lines(vm: &mut Vm, me: ObjRef, text: &[u8], keep: bool) -> Result<(), Unwind> {
    let Some(object) = vm.objects.get(me) else {
        return Ok(());
    };
    let linked = object.linked.clone();
    let table = slots(&linked);
    let layouts: Vec<Rc<[SmolStr]>> = linked
        .parts
        .iter()
        .flat_map(|p| p.class_members.iter().cloned())
        .collect();
    let mut lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    // A final newline ends the last line; it does not start another.
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    for line in lines {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.first() == Some(&b'#') {
            continue;
        }
        let shown = || String::from_utf8_lossy(line).into_owned();
        let Some(space) = line.iter().position(|&b| b == b' ') else {
            return Err(error(format!(
                "restore_object(): Illegal file format - 1 ({}).",
                shown()
            )));
        };
        if space >= 100 {
            return Err(error(format!(
                "restore_object(): Illegal file format - 1 ({}).",
                shown()
            )));
        }
        let name = String::from_utf8_lossy(&line[..space]).into_owned();
        let Ok(value_text) = std::str::from_utf8(&line[space + 1..]) else {
            return Err(error(format!(
                "restore_object(): Invalid utf8 string while restoring {name}."
            )));
        };
        let slot = table.iter().find(|s| s.name == name && !s.nosave);
        let hint = slot.and_then(|s| match vm.objects.get(me)?.vars.get(s.index)? {
            Value::Class(c) => Some(c.members.clone()),
            _ => None,
        });
        let reader = Reader {
            max_array: vm.limits.array_size,
            max_mapping: vm.limits.mapping_size,
            layouts: &layouts,
            hint,
        };
        let value = match reader.read(value_text) {
            Ok(v) => v,
            Err(bad) => {
                // Without the keep flag a variable that failed to read is 0.
                if let (Some(s), false) = (slot, keep)
                    && let Some(v) = vm.objects.vars_mut(me).and_then(|v| v.get_mut(s.index))
                {
                    drop(std::mem::take(v));
                }
                return Err(restore_error(&bad, Some(&name)));
            }
        };
        match slot {
            Some(s) => {
                if let Some(v) = vm.objects.vars_mut(me).and_then(|v| v.get_mut(s.index)) {
                    drop(std::mem::replace(v, value));
                }
            }
            None => {
                vm.apply(
                    me,
                    "restore_lost_variable",
                    vec![value, Value::str(name)],
                    true,
                )?;
            }
        }
    }
    Ok(())
}

fn restore_error(bad: &Bad, name: Option<&str>) -> Unwind {
    match bad {
        Bad::Limit(m) => error(m.clone()),
        other => error(format!("restore_object(): {}", other.message(name))),
    }
}

/// `restore_object(file, keep)`: reads `file.o.gz` or `file.o` into the
/// running object's variables, zeroing the saved ones first unless `keep`.
/// 1 when restored, 0 when there is no (or an empty) save file.
fn restore_object(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let file = str_arg(vm, base, argc, 0, "restore_object")?;
    let keep = int_arg(vm, base, argc, 1, "restore_object")? != 0;
    let Some(me) = current(vm) else {
        return Ok(Value::Int(0));
    };
    let name = &file.text;
    let stem = [".lpc", ".c", ".o", ".o.gz"]
        .iter()
        .find_map(|ext| name.strip_suffix(ext))
        .unwrap_or(name);
    let gz = format!("{stem}.o.gz");
    let gz_exists = jail::normalize(&gz)
        .and_then(|mud| jail::contain(&vm.compiler.provider.root, &mud))
        .is_some_and(|host| host.is_file());
    let chosen = if gz_exists { gz } else { format!("{stem}.o") };
    let Some(path) = jail::check(vm, &chosen, "restore_object", Access::Read)? else {
        return Err(error(format!(
            "restore_object: read permission denied: {chosen}."
        )));
    };
    if !path.host.is_file() {
        return Ok(Value::Int(0));
    }
    let bytes = match super::files::read_plain_or_gzip(&path.host, MAX_SAVE_FILE + 1) {
        Ok(b) => b,
        Err(e) => {
            return Err(error(format!(
                "restore_object: Error reading file: {}, error: {e}.",
                path.mud
            )));
        }
    };
    if bytes.len() > MAX_SAVE_FILE {
        return Err(error(format!(
            "restore_object: Maximum memory limit {MAX_SAVE_FILE} reached trying to read file: {}.",
            path.mud
        )));
    }
    if bytes.is_empty() {
        return Ok(Value::Int(0));
    }
    if !keep {
        clear_saved(vm, me);
    }
    restore_lines(vm, me, &bytes, keep)?;
    Ok(Value::Int(1))
}

/// `restore_from_string(text, keep)`: `restore_object` from save text.
fn restore_from_string(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let text = str_arg(vm, base, argc, 0, "restore_from_string")?;
    let keep = int_arg(vm, base, argc, 1, "restore_from_string")? != 0;
    let Some(me) = current(vm) else {
        return Ok(Value::Int(0));
    };
    if !keep {
        clear_saved(vm, me);
    }
    restore_lines(vm, me, text.text.as_bytes(), keep)?;
    Ok(Value::Int(0))
}

/// `save_variable(value)`: the save text of one value.
fn save_variable(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let mut out = String::new();
    format::encode(&arg(vm, base, argc, 0), &mut out).map_err(error)?;
    Ok(Value::str(out))
}

/// `restore_variable(text)`: the value save text describes.
fn restore_variable(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let text = str_arg(vm, base, argc, 0, "restore_variable")?;
    let layouts: Vec<Rc<[SmolStr]>> = current(vm)
        .and_then(|me| vm.objects.get(me))
        .map(|o| {
            o.linked
                .parts
                .iter()
                .flat_map(|p| p.class_members.iter().cloned())
                .collect()
        })
        .unwrap_or_default();
    let reader = Reader {
        max_array: vm.limits.array_size,
        max_mapping: vm.limits.mapping_size,
        layouts: &layouts,
        hint: None,
    };
    reader
        .read(&text.text)
        .map_err(|bad| restore_error(&bad, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_names_lose_their_extensions() {
        assert_eq!(save_stem("/sf"), ("/sf", false));
        assert_eq!(save_stem("/sf.c"), ("/sf", false));
        assert_eq!(save_stem("/sf.lpc"), ("/sf", false));
        assert_eq!(save_stem("/sf.o"), ("/sf", false));
        assert_eq!(save_stem("/sf.o.gz"), ("/sf", true));
    }
}
