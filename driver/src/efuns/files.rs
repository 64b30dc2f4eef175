//! File efuns: reading and writing files, listing directories, moving,
//! copying and removing files. Every path goes through the mudlib jail and
//! the master's `valid_read` / `valid_write` first (`crate::jail::check`);
//! a path they refuse reads as missing, as FluffOS has it.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::rc::Rc;

use rustc_hash::FxHashMap;

use super::{arg, bad_arg, int_arg, str_arg};
use crate::jail::{self, Access, Checked};
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("read_file", read_file);
    m.insert("read_bytes", read_bytes);
    m.insert("read_buffer", read_buffer);
    m.insert("write_file", write_file);
    m.insert("write_bytes", write_bytes);
    m.insert("write_buffer", write_buffer);
    m.insert("file_size", file_size);
    m.insert("file_length", file_length);
    m.insert("stat", stat);
    m.insert("get_dir", get_dir);
    m.insert("rename", rename);
    m.insert("cp", cp);
    m.insert("link", link);
    m.insert("mkdir", mkdir);
    m.insert("rmdir", rmdir);
    m.insert("rm", rm);
}

/// The checked path of argument `i`, or `None` when refused.
fn checked(
    vm: &mut Vm,
    base: usize,
    argc: usize,
    i: usize,
    efun: &'static str,
    access: Access,
) -> Result<Option<Checked>, Unwind> {
    let path = str_arg(vm, base, argc, i, efun)?;
    jail::check(vm, &path.text, efun, access)
}

/// Text from file bytes: cut at the first NUL (LPC strings end there) and
/// with invalid UTF-8 replaced.
fn text_of(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// Whole-file reads stop at twice the longest string, as the result is cut
/// to that length anyway.
fn read_limit(vm: &Vm) -> usize {
    vm.limits.string_length.saturating_mul(2)
}

/// The bytes of a file, gunzipped when it is a gzip file, at most `cap` of them.
pub fn read_plain_or_gzip(host: &Path, cap: usize) -> std::io::Result<Vec<u8>> {
    let mut file = std::fs::File::open(host)?;
    let mut head = Vec::with_capacity(2);
    (&mut file).take(2).read_to_end(&mut head)?;
    file.seek(SeekFrom::Start(0))?;
    let mut out = Vec::new();
    if head == [0x1f, 0x8b] {
        flate2::read::MultiGzDecoder::new(file)
            .take(cap as u64)
            .read_to_end(&mut out)?;
    } else {
        file.take(cap as u64).read_to_end(&mut out)?;
    }
    Ok(out)
}

/// `read_file(path, start, lines)`: lines of a text file (from line `start`,
/// counting from the end when negative), CRLF read as LF; 0 when the file
/// cannot be read or has fewer lines than `start`.
fn read_file(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let start = int_arg(vm, base, argc, 1, "read_file")?;
    let lines = int_arg(vm, base, argc, 2, "read_file")?;
    if lines < 0 {
        return Ok(Value::Int(0));
    }
    let Some(path) = checked(vm, base, argc, 0, "read_file", Access::Read)? else {
        return Ok(Value::Int(0));
    };
    if !path.host.is_file() {
        return Ok(Value::Int(0));
    }
    let Ok(bytes) = read_plain_or_gzip(&path.host, read_limit(vm)) else {
        return Ok(Value::Int(0));
    };
    if bytes.is_empty() {
        return Ok(Value::str(""));
    }
    let Some(mut part) = select_lines(&bytes, start, lines) else {
        return Ok(Value::Int(0));
    };
    if part.len() > vm.limits.string_length {
        part = &part[..vm.limits.string_length];
    }
    let mut text = text_of(part);
    if text.contains('\r') {
        text = text.replace("\r\n", "\n");
    }
    Ok(Value::str(text))
}

/// The bytes of `lines` lines from line `start` (1-based; negative counts
/// back from the end, and reaching past the start begins at the start).
/// `None` when a forward start lies past the end or the skipped text holds
/// a NUL byte (a binary file).
fn select_lines(buf: &[u8], start: i64, lines: i64) -> Option<&[u8]> {
    let mut from = 0usize;
    if start > 1 {
        let mut skip = start - 1;
        while skip > 0 && from < buf.len() {
            match buf[from] {
                0 => return None,
                b'\n' => skip -= 1,
                _ => {}
            }
            from += 1;
        }
        if skip > 0 {
            return None;
        }
    } else if start < 0 {
        // A final newline ends the last line; it does not start an empty one.
        let mut at = if buf.last() == Some(&b'\n') {
            buf.len() - 1
        } else {
            buf.len()
        };
        let mut back = -start;
        while back > 0 && at > 0 {
            at -= 1;
            match buf[at] {
                0 => return None,
                b'\n' => {
                    back -= 1;
                    if back == 0 {
                        at += 1;
                    }
                }
                _ => {}
            }
        }
        from = if back > 0 { 0 } else { at };
    }
    let rest = buf.get(from..)?;
    if lines <= 0 {
        return Some(rest);
    }
    let mut want = lines;
    let mut end = rest.len();
    for (i, &b) in rest.iter().enumerate() {
        if b == b'\n' {
            want -= 1;
            if want == 0 {
                end = i + 1;
                break;
            }
        }
    }
    Some(&rest[..end])
}

/// Bytes `start..start+len` of a file (negative `start` counts from the
/// end, `len` 0 means to the end); `None` when nothing can be read.
fn file_bytes(vm: &Vm, host: &Path, start: i64, len: i64) -> Result<Option<Vec<u8>>, Unwind> {
    if len < 0 {
        return Ok(None);
    }
    let Ok(mut file) = std::fs::File::open(host) else {
        return Ok(None);
    };
    let Ok(meta) = file.metadata() else {
        return Ok(None);
    };
    if meta.is_dir() {
        return Ok(None);
    }
    let size = meta.len() as i64;
    let start = if start < 0 { size + start } else { start };
    let len = if len == 0 { size } else { len };
    if len > vm.limits.string_length as i64 {
        return Err(error("Transfer exceeded maximum allowed number of bytes."));
    }
    if start < 0 || start >= size {
        return Ok(None);
    }
    let len = len.min(size - start);
    if file.seek(SeekFrom::Start(start as u64)).is_err() {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(len as usize);
    if file.take(len as u64).read_to_end(&mut out).is_err() || out.is_empty() {
        return Ok(None);
    }
    Ok(Some(out))
}

/// `read_bytes(path, start, len)`: bytes of a file as a string.
fn read_bytes(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let start = int_arg(vm, base, argc, 1, "read_bytes")?;
    let len = int_arg(vm, base, argc, 2, "read_bytes")?;
    let Some(path) = checked(vm, base, argc, 0, "read_bytes", Access::Read)? else {
        return Ok(Value::Int(0));
    };
    Ok(match file_bytes(vm, &path.host, start, len)? {
        Some(bytes) => Value::str(text_of(&bytes)),
        None => Value::Int(0),
    })
}

/// `read_buffer(file, start, len)`: bytes of a file as a buffer;
/// `read_buffer(buf, start, len)`: bytes of a buffer as a string (to the first NUL).
fn read_buffer(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let start = int_arg(vm, base, argc, 1, "read_buffer")?;
    let len = int_arg(vm, base, argc, 2, "read_buffer")?;
    match arg(vm, base, argc, 0) {
        Value::Str(_) => {
            let Some(path) = checked(vm, base, argc, 0, "read_buffer", Access::Read)? else {
                return Ok(Value::Int(0));
            };
            Ok(match file_bytes(vm, &path.host, start, len)? {
                Some(bytes) => Value::Buffer(Rc::new(std::cell::RefCell::new(bytes))),
                None => Value::Int(0),
            })
        }
        Value::Buffer(b) => {
            let b = b.borrow();
            let size = b.len() as i64;
            let start = if start < 0 { size + start } else { start };
            let len = if len == 0 { size } else { len };
            if len < 0 || start < 0 || start >= size {
                return Ok(Value::Int(0));
            }
            let end = (start + len).min(size) as usize;
            Ok(Value::str(text_of(&b[start as usize..end])))
        }
        other => Err(bad_arg("read_buffer", 0, &other)),
    }
}

/// `write_file(path, text, flags)`: appends, or overwrites with flag 1;
/// flag 2 writes gzip. 1 when written, 0 when refused.
fn write_file(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let text = str_arg(vm, base, argc, 1, "write_file")?;
    let flags = int_arg(vm, base, argc, 2, "write_file")?;
    let Some(path) = checked(vm, base, argc, 0, "write_file", Access::Write)? else {
        return Ok(Value::Int(0));
    };
    let overwrite = flags & 1 != 0;
    let opened = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(!overwrite)
        .truncate(overwrite)
        .open(&path.host);
    let how = if overwrite { "overwrite" } else { "append" };
    let fail = |e: std::io::Error| {
        error(format!(
            "Wrong permissions for opening file {} for {how}.\n\"{e}\"",
            path.mud
        ))
    };
    let file = opened.map_err(fail)?;
    let written = if flags & 2 != 0 {
        // Appending gzip adds a member; readers decode every member in turn.
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        gz.write_all(text.text.as_bytes())
            .and_then(|()| gz.finish().map(drop))
    } else {
        let mut file = file;
        file.write_all(text.text.as_bytes())
    };
    written.map_err(fail)?;
    Ok(Value::Int(1))
}

/// The bytes `write_bytes` and `write_buffer` write: a string, a buffer, or
/// an integer as four bytes in network order.
fn bytes_to_write(v: &Value, efun: &str) -> Result<Vec<u8>, Unwind> {
    match v {
        Value::Str(s) => Ok(s.text.as_bytes().to_vec()),
        Value::Buffer(b) => Ok(b.borrow().clone()),
        Value::Int(n) if *n != 0 || efun == "write_buffer" => {
            Ok((*n as i32).to_be_bytes().to_vec())
        }
        other => Err(bad_arg(efun, 2, other)),
    }
}

/// Writes `data` over a file's bytes from `start` (from the end when
/// negative), creating the file; 0 when `start` lies outside it.
fn write_into_file(vm: &Vm, path: &Checked, start: i64, data: &[u8]) -> Value {
    if data.len() > vm.limits.string_length {
        return Value::Int(0);
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path.host);
    let Ok(mut file) = file else {
        return Value::Int(0);
    };
    let size = file.metadata().map_or(0, |m| m.len()) as i64;
    let start = if start < 0 { size + start } else { start };
    if start < 0 || start > size || data.is_empty() {
        return Value::Int(0);
    }
    let ok = file
        .seek(SeekFrom::Start(start as u64))
        .and_then(|_| file.write_all(data))
        .is_ok();
    Value::Int(ok as i64)
}

fn write_bytes(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let start = int_arg(vm, base, argc, 1, "write_bytes")?;
    let data = bytes_to_write(&arg(vm, base, argc, 2), "write_bytes")?;
    let Some(path) = checked(vm, base, argc, 0, "write_bytes", Access::Write)? else {
        return Ok(Value::Int(0));
    };
    Ok(write_into_file(vm, &path, start, &data))
}

/// `write_buffer(dest, start, source)`: into a file as `write_bytes`, or
/// into a buffer, which never grows: 0 when the bytes would not fit.
fn write_buffer(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let start = int_arg(vm, base, argc, 1, "write_buffer")?;
    let data = bytes_to_write(&arg(vm, base, argc, 2), "write_buffer")?;
    match arg(vm, base, argc, 0) {
        Value::Str(_) => {
            let Some(path) = checked(vm, base, argc, 0, "write_buffer", Access::Write)? else {
                return Ok(Value::Int(0));
            };
            Ok(write_into_file(vm, &path, start, &data))
        }
        Value::Buffer(b) => {
            let mut b = b.borrow_mut();
            let size = b.len() as i64;
            let start = if start < 0 { size + start } else { start };
            if start < 0 || start > size || data.len() as i64 > size - start {
                return Ok(Value::Int(0));
            }
            let at = start as usize;
            b[at..at + data.len()].copy_from_slice(&data);
            Ok(Value::Int(1))
        }
        other => Err(bad_arg("write_buffer", 0, &other)),
    }
}

/// `file_size(path)`: bytes, -2 for a directory, -1 when missing or refused.
fn file_size(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let Some(path) = checked(vm, base, argc, 0, "file_size", Access::Read)? else {
        return Ok(Value::Int(-1));
    };
    Ok(Value::Int(size_code(&path.host)))
}

fn size_code(host: &Path) -> i64 {
    match std::fs::metadata(host) {
        Ok(m) if m.is_dir() => -2,
        Ok(m) => m.len() as i64,
        Err(_) => -1,
    }
}

/// `file_length(path)`: the number of lines, -2 for a directory, -1 when
/// missing or refused.
fn file_length(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let Some(path) = checked(vm, base, argc, 0, "file_size", Access::Read)? else {
        return Ok(Value::Int(-1));
    };
    match std::fs::metadata(&path.host) {
        Ok(m) if m.is_dir() => return Ok(Value::Int(-2)),
        Ok(_) => {}
        Err(_) => return Ok(Value::Int(-1)),
    }
    let Ok(mut file) = std::fs::File::open(&path.host) else {
        return Ok(Value::Int(-1));
    };
    let mut lines = 0i64;
    let mut chunk = [0u8; 8192];
    loop {
        match file.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => lines += chunk[..n].iter().filter(|&&b| b == b'\n').count() as i64,
            Err(_) => return Ok(Value::Int(-1)),
        }
    }
    Ok(Value::Int(lines))
}

fn seconds(t: std::io::Result<std::time::SystemTime>) -> i64 {
    t.ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs() as i64)
}

/// `stat(path, flag)`: for a regular file `({ size, mtime, load time of its
/// object, ctime })`; otherwise what `get_dir(path, flag)` gives.
fn stat(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let flag = int_arg(vm, base, argc, 1, "stat")?;
    let Some(path) = checked(vm, base, argc, 0, "stat", Access::Read)? else {
        return Ok(Value::Int(0));
    };
    if let Ok(meta) = std::fs::metadata(&path.host)
        && meta.is_file()
    {
        let ctime = {
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                meta.ctime()
            }
            #[cfg(not(unix))]
            {
                seconds(meta.created())
            }
        };
        // Objects record no load time yet: a file's object reads as not loaded.
        return Ok(Value::array(vec![
            Value::Int(meta.len() as i64),
            Value::Int(seconds(meta.modified())),
            Value::Int(0),
            Value::Int(ctime),
        ]));
    }
    let original = str_arg(vm, base, argc, 0, "stat")?;
    list_dir(vm, &original.text, "stat", flag)
}

/// Whether `name` matches a pattern of `*`, `?` and `\`-escaped characters.
/// On a mismatch only the last `*` takes one more character, which keeps
/// the work at pattern length times name length for any pattern.
fn wildcard(pattern: &[u8], name: &[u8]) -> bool {
    let (mut p, mut n) = (0, 0);
    // Where the pattern resumes after the last `*`, and the name position it took.
    let mut star: Option<(usize, usize)> = None;
    while let Some(&c) = name.get(n) {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p + 1, n));
                p += 1;
                continue;
            }
            Some(b'?') => {
                p += 1;
                n += 1;
                continue;
            }
            Some(b'\\') if pattern.get(p + 1) == Some(&c) => {
                p += 2;
                n += 1;
                continue;
            }
            Some(&b) if b != b'\\' && b == c => {
                p += 1;
                n += 1;
                continue;
            }
            _ => {}
        }
        let Some((resume, taken)) = star else {
            return false;
        };
        p = resume;
        n = taken + 1;
        star = Some((resume, taken + 1));
    }
    pattern[p.min(pattern.len())..].iter().all(|&b| b == b'*')
}

/// One `get_dir` entry: the name, or `({ name, size or -2, mtime })`.
fn dir_entry(name: &str, meta: Option<std::fs::Metadata>, detailed: bool) -> Value {
    if !detailed {
        return Value::str(name);
    }
    let size = meta
        .as_ref()
        .map_or(0, |m| if m.is_dir() { -2 } else { m.len() as i64 });
    let mtime = meta.map_or(0, |m| seconds(m.modified()));
    Value::array(vec![Value::str(name), Value::Int(size), Value::Int(mtime)])
}

/// `get_dir(path, flag)`: a directory's entries when `path` ends in `/` or
/// `/.` (or is the root), the one entry `path` names when it exists, else
/// the entries of its directory matching its last part as a wildcard.
fn get_dir(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let path = str_arg(vm, base, argc, 0, "get_dir")?;
    let flag = int_arg(vm, base, argc, 1, "get_dir")?;
    list_dir(vm, &path.text, "stat", flag)
}

fn list_dir(vm: &mut Vm, path: &str, efun: &str, flag: i64) -> Result<Value, Unwind> {
    let detailed = flag == -1;
    let Some(checked) = jail::check(vm, path, efun, Access::Read)? else {
        return Ok(Value::Int(0));
    };
    let whole_dir =
        checked.mud == "/" || path.ends_with('/') || path.ends_with("/.") || path == ".";
    let (dir, pattern) = if whole_dir {
        if !checked.host.is_dir() {
            return Ok(Value::Int(0));
        }
        (checked.host.clone(), None)
    } else {
        let (parent, last) = checked.mud.rsplit_once('/').unwrap_or(("", &checked.mud));
        if let Ok(meta) = std::fs::metadata(&checked.host) {
            return Ok(Value::array(vec![dir_entry(last, Some(meta), detailed)]));
        }
        let parent = if parent.is_empty() { "/" } else { parent };
        let Some(dir) = jail::contain(&vm.compiler.provider.root, parent) else {
            return Ok(Value::Int(0));
        };
        (dir, Some(last.to_string()))
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Value::Int(0));
    };
    let mut names: Vec<String> = Vec::new();
    // The host listing leaves out `.` and `..`, which a wildcard may match.
    if let Some(p) = &pattern {
        for special in [".", ".."] {
            if wildcard(p.as_bytes(), special.as_bytes()) {
                names.push(special.to_string());
            }
        }
    }
    for entry in entries.flatten() {
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if pattern
            .as_ref()
            .is_none_or(|p| wildcard(p.as_bytes(), name.as_bytes()))
        {
            names.push(name);
        }
        if names.len() >= vm.limits.array_size {
            break;
        }
    }
    names.sort_unstable();
    let items = names
        .iter()
        .map(|name| {
            let meta = detailed.then(|| entry_metadata(vm, &dir, name)).flatten();
            dir_entry(name, meta, detailed)
        })
        .collect();
    Ok(Value::array(items))
}

/// The metadata of a listed entry; a symlink leading out of the mudlib is
/// described as the link itself, never as its target.
fn entry_metadata(vm: &Vm, dir: &Path, name: &str) -> Option<std::fs::Metadata> {
    let host = dir.join(name);
    let link = std::fs::symlink_metadata(&host).ok()?;
    if !link.file_type().is_symlink() {
        return Some(link);
    }
    let root = std::fs::canonicalize(&vm.compiler.provider.root).ok()?;
    match std::fs::canonicalize(&host) {
        Ok(real) if real.starts_with(&root) => std::fs::metadata(real).ok(),
        _ => Some(link),
    }
}

/// The target of a move or copy onto `to`: inside it when it is a directory.
fn into_directory(from: &Checked, to: Checked) -> Checked {
    if !to.host.is_dir() {
        return to;
    }
    let name = from.mud.rsplit('/').next().unwrap_or_default();
    Checked {
        mud: format!("{}/{name}", to.mud.trim_end_matches('/')),
        host: to.host.join(name),
    }
}

/// Whether two paths are one file (the same inode, or both missing alike).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Move {
    Rename,
    Link,
}

/// Moves or hard-links `from` onto `to` (into it when a directory):
/// 0 on success, 1 when either path is refused, an error when the file
/// system says no.
fn move_file(vm: &mut Vm, from: &str, to: &str, how: Move) -> Result<Value, Unwind> {
    let Some(source) = jail::check(vm, from, "rename", Access::Write)? else {
        return Ok(Value::Int(1));
    };
    let Some(target) = jail::check(vm, to, "rename", Access::Write)? else {
        return Ok(Value::Int(1));
    };
    if source.mud == "/" {
        return Err(error("cannot move the mudlib root"));
    }
    let target = into_directory(&source, target);
    if std::fs::symlink_metadata(&source.host).is_err() {
        return Err(error(format!("{}: lstat failed", source.mud)));
    }
    if let Ok(meta) = std::fs::symlink_metadata(&target.host) {
        if same_file(&source.host, &target.host) {
            return Err(error(format!(
                "`{}' and `{}' are the same file",
                source.mud, target.mud
            )));
        }
        if meta.is_dir() {
            return Err(error(format!("{}: cannot overwrite directory", target.mud)));
        }
    }
    let done = match how {
        Move::Rename => std::fs::rename(&source.host, &target.host).or_else(|_| {
            // Across file systems a rename cannot work: copy, then remove.
            std::fs::copy(&source.host, &target.host)
                .and_then(|_| std::fs::remove_file(&source.host))
        }),
        Move::Link => std::fs::hard_link(&source.host, &target.host),
    };
    match (done, how) {
        (Ok(()), _) => Ok(Value::Int(0)),
        (Err(_), Move::Rename) => Err(error(format!(
            "cannot move `{}' to `{}'",
            source.mud, target.mud
        ))),
        (Err(_), Move::Link) => Err(error(format!(
            "cannot link `{}' to `{}'",
            source.mud, target.mud
        ))),
    }
}

/// `rename(from, to)`: 0 on success, 1 when refused.
fn rename(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let from = str_arg(vm, base, argc, 0, "rename")?;
    let to = str_arg(vm, base, argc, 1, "rename")?;
    move_file(vm, &from.text, &to.text, Move::Rename)
}

/// `link(existing, new)`: a hard link, when the master's `valid_link`
/// allows it (it must define it); 0 on success or refusal, 1 when a path is refused.
fn link(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let from = str_arg(vm, base, argc, 0, "link")?;
    let to = str_arg(vm, base, argc, 1, "link")?;
    if let Some(master) = vm.master {
        let args = vec![Value::Str(from.clone()), Value::Str(to.clone())];
        let allowed = vm
            .apply(master, "valid_link", args, true)?
            .is_some_and(|v| v.truthy());
        if !allowed {
            return Ok(Value::Int(0));
        }
    }
    move_file(vm, &from.text, &to.text, Move::Link)
}

/// `cp(from, to)`: 1 when copied, -1 when the source is refused or the copy
/// fails, -2 when the target is refused.
fn cp(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let source = checked(vm, base, argc, 0, "move_file", Access::Read)?;
    let target = checked(vm, base, argc, 1, "move_file", Access::Write)?;
    let Some(source) = source else {
        return Ok(Value::Int(-1));
    };
    let Some(target) = target else {
        return Ok(Value::Int(-2));
    };
    if std::fs::symlink_metadata(&source.host).is_err() {
        return Err(error(format!("{}: lstat failed", source.mud)));
    }
    let target = into_directory(&source, target);
    if same_file(&source.host, &target.host) {
        return Err(error(format!(
            "`{}' and `{}' are the same file",
            source.mud, target.mud
        )));
    }
    match std::fs::copy(&source.host, &target.host) {
        Ok(_) => Ok(Value::Int(1)),
        Err(_) => Ok(Value::Int(-1)),
    }
}

/// `mkdir(path)`: 1 when made.
fn mkdir(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let Some(path) = checked(vm, base, argc, 0, "mkdir", Access::Write)? else {
        return Ok(Value::Int(0));
    };
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o770);
    }
    Ok(Value::Int(builder.create(&path.host).is_ok() as i64))
}

/// `rmdir(path)`: 1 when an empty directory was removed.
fn rmdir(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let Some(path) = checked(vm, base, argc, 0, "rmdir", Access::Write)? else {
        return Ok(Value::Int(0));
    };
    if path.mud == "/" {
        return Ok(Value::Int(0));
    }
    Ok(Value::Int(std::fs::remove_dir(&path.host).is_ok() as i64))
}

/// `rm(path)`: 1 when a file was removed.
fn rm(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let Some(path) = checked(vm, base, argc, 0, "remove_file", Access::Write)? else {
        return Ok(Value::Int(0));
    };
    Ok(Value::Int(std::fs::remove_file(&path.host).is_ok() as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_as_the_driver_does() {
        assert!(wildcard(b"*", b"anything"));
        assert!(wildcard(b"README.??", b"README.md"));
        assert!(!wildcard(b"README.??", b"README.txt"));
        assert!(wildcard(b"*READ*", b"README.md"));
        assert!(wildcard(b"a\\*", b"a*"));
        assert!(!wildcard(b"a\\*", b"ab"));
        assert!(!wildcard(b"?", b""));
        assert!(!wildcard(b"a\\", b"a"));
        assert!(wildcard(b"*a*b*c", b"xxaxxbxxc"));
        assert!(!wildcard(b"*a*b*c", b"xxaxxbxx"));
        let long = [b'a'; 250];
        assert!(!wildcard(b"*a*a*a*a*a*a*a*a*a*a*a*a*b", &long));
    }

    #[test]
    fn lines_are_selected_from_either_end() {
        let text = b"1\n2\n3\n4\n";
        assert_eq!(select_lines(text, 2, 2), Some(&b"2\n3\n"[..]));
        assert_eq!(select_lines(text, 0, 0), Some(&text[..]));
        assert_eq!(select_lines(text, 9, 1), None);
        assert_eq!(select_lines(text, -2, 1), Some(&b"3\n"[..]));
        assert_eq!(select_lines(text, -2, 0), Some(&b"3\n4\n"[..]));
        assert_eq!(select_lines(text, -99, 1), Some(&b"1\n"[..]));
        assert_eq!(select_lines(b"a\nb", -1, 0), Some(&b"b"[..]));
        assert_eq!(select_lines(b"a\0\nb\n", 2, 1), None);
    }
}
