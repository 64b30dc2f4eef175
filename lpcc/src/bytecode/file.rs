//! The `.lpcb` file format: a versioned header, then a program's tables and
//! code in little-endian order. Reading never trusts the bytes: every length
//! is bounded by what remains, and the result must still pass
//! [`super::verify::verify`] before it runs.

use smol_str::SmolStr;

use super::{
    ClassLayout, Function, Global, InheritDecl, Instr, LineEntry, Program, SuperCall, SwitchTable,
};

/// The first bytes of every bytecode file.
pub const MAGIC: &[u8; 4] = b"LPCB";
/// Bumped whenever the encoding or the instruction set changes.
pub const FORMAT_VERSION: u16 = 4;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    #[error("not a bytecode file (bad magic bytes)")]
    BadMagic,
    #[error("bytecode format version {found}, this build reads version {expected}")]
    Version { found: u16, expected: u16 },
    #[error("bytecode file is truncated")]
    Truncated,
    #[error("bad instruction at byte {0} of function `{1}`")]
    BadInstruction(usize, String),
    #[error("bad text in bytecode file")]
    BadText,
}

/// The program encoded as a bytecode file.
pub fn write(program: &Program) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.0.extend_from_slice(MAGIC);
    w.u16(FORMAT_VERSION);
    w.str(&program.path);
    w.u32(program.ints.len() as u32);
    for v in &program.ints {
        w.0.extend_from_slice(&v.to_le_bytes());
    }
    w.u32(program.floats.len() as u32);
    for v in &program.floats {
        w.0.extend_from_slice(&v.to_le_bytes());
    }
    w.strs(&program.strings);
    w.u32(program.globals.len() as u32);
    for g in &program.globals {
        w.str(&g.name);
        w.0.push(g.flags);
        w.str(&g.ty);
    }
    w.u32(program.inherits.len() as u32);
    for i in &program.inherits {
        w.str(&i.path);
        w.str(&i.name);
        w.0.push(i.flags);
        w.u16(i.var_start);
    }
    w.u16(program.var_count);
    w.strs(&program.names);
    w.u32(program.supers.len() as u32);
    for s in &program.supers {
        w.u16(s.inherit);
        w.str(&s.name);
    }
    w.strs(&program.efuns);
    w.u32(program.classes.len() as u32);
    for c in &program.classes {
        w.str(&c.name);
        w.strs(&c.members);
        w.strs(&c.types);
    }
    w.u32(program.switches.len() as u32);
    for t in &program.switches {
        w.u32(t.ints.len() as u32);
        for (v, pc) in &t.ints {
            w.0.extend_from_slice(&v.to_le_bytes());
            w.u32(*pc);
        }
        w.u32(t.strings.len() as u32);
        for (s, pc) in &t.strings {
            w.str(s);
            w.u32(*pc);
        }
        w.u32(t.ranges.len() as u32);
        for (lo, hi, pc) in &t.ranges {
            w.0.extend_from_slice(&lo.to_le_bytes());
            w.0.extend_from_slice(&hi.to_le_bytes());
            w.u32(*pc);
        }
        w.u32(t.default);
    }
    w.u32(program.files.len() as u32);
    for f in &program.files {
        w.str(f);
    }
    w.u32(program.init.map_or(u32::MAX, u32::from));
    w.u32(program.functions.len() as u32);
    for f in &program.functions {
        w.str(&f.name);
        w.0.push(f.flags);
        w.0.push(f.params);
        w.0.push(u8::from(f.rest));
        w.u16(f.locals);
        let mut code = Vec::new();
        for instr in &f.code {
            instr.encode(&mut code);
        }
        w.u32(code.len() as u32);
        w.0.extend_from_slice(&code);
        w.u32(f.lines.len() as u32);
        for e in &f.lines {
            w.u32(e.pc);
            w.u16(e.file);
            w.u32(e.line);
        }
        w.strs(&f.types);
    }
    w.0
}

/// Decodes a bytecode file. The result is well formed but not yet verified.
pub fn read(bytes: &[u8]) -> Result<Program, ReadError> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(4)? != MAGIC {
        return Err(ReadError::BadMagic);
    }
    let version = r.u16()?;
    if version != FORMAT_VERSION {
        return Err(ReadError::Version {
            found: version,
            expected: FORMAT_VERSION,
        });
    }
    let mut p = Program {
        path: r.string()?,
        ..Program::default()
    };
    for _ in 0..r.count(8)? {
        p.ints.push(i64::from_le_bytes(r.array()?));
    }
    for _ in 0..r.count(8)? {
        p.floats.push(f64::from_le_bytes(r.array()?));
    }
    p.strings = r.strs()?;
    for _ in 0..r.count(9)? {
        p.globals.push(Global {
            name: r.smol()?,
            flags: r.u8()?,
            ty: r.smol()?,
        });
    }
    for _ in 0..r.count(11)? {
        p.inherits.push(InheritDecl {
            path: r.string()?,
            name: r.smol()?,
            flags: r.u8()?,
            var_start: r.u16()?,
        });
    }
    p.var_count = r.u16()?;
    p.names = r.strs()?;
    for _ in 0..r.count(6)? {
        p.supers.push(SuperCall {
            inherit: r.u16()?,
            name: r.smol()?,
        });
    }
    p.efuns = r.strs()?;
    for _ in 0..r.count(8)? {
        p.classes.push(ClassLayout {
            name: r.smol()?,
            members: r.strs()?,
            types: r.strs()?,
        });
    }
    for _ in 0..r.count(16)? {
        let mut t = SwitchTable::default();
        for _ in 0..r.count(12)? {
            t.ints.push((i64::from_le_bytes(r.array()?), r.u32()?));
        }
        for _ in 0..r.count(8)? {
            t.strings.push((r.smol()?, r.u32()?));
        }
        for _ in 0..r.count(20)? {
            t.ranges.push((
                i64::from_le_bytes(r.array()?),
                i64::from_le_bytes(r.array()?),
                r.u32()?,
            ));
        }
        t.default = r.u32()?;
        p.switches.push(t);
    }
    for _ in 0..r.count(4)? {
        p.files.push(r.string()?);
    }
    let init = r.u32()?;
    p.init = u16::try_from(init).ok();
    for _ in 0..r.count(13)? {
        let mut f = Function {
            name: r.smol()?,
            flags: r.u8()?,
            params: r.u8()?,
            rest: r.u8()? != 0,
            locals: r.u16()?,
            ..Function::default()
        };
        let len = r.u32()? as usize;
        let code = r.take(len)?;
        let mut at = 0;
        while at < code.len() {
            let Some((instr, width)) = Instr::decode(&code[at..]) else {
                return Err(ReadError::BadInstruction(at, f.name.to_string()));
            };
            f.code.push(instr);
            at += width;
        }
        for _ in 0..r.count(10)? {
            f.lines.push(LineEntry {
                pc: r.u32()?,
                file: r.u16()?,
                line: r.u32()?,
            });
        }
        f.types = r.strs()?;
        p.functions.push(f);
    }
    Ok(p)
}

struct Writer(Vec<u8>);

impl Writer {
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn strs(&mut self, list: &[SmolStr]) {
        self.u32(list.len() as u32);
        for s in list {
            self.str(s);
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ReadError> {
        let end = self.at.checked_add(n).ok_or(ReadError::Truncated)?;
        let out = self.bytes.get(self.at..end).ok_or(ReadError::Truncated)?;
        self.at = end;
        Ok(out)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], ReadError> {
        self.take(N)?.try_into().map_err(|_| ReadError::Truncated)
    }
    fn u8(&mut self) -> Result<u8, ReadError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, ReadError> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    fn u32(&mut self) -> Result<u32, ReadError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    /// A count of items at least `min_size` bytes each: bounded by what
    /// remains, so a corrupt count cannot make us allocate wildly.
    fn count(&mut self, min_size: usize) -> Result<usize, ReadError> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_size) > self.bytes.len() - self.at {
            return Err(ReadError::Truncated);
        }
        Ok(n)
    }
    fn string(&mut self) -> Result<String, ReadError> {
        let n = self.u32()? as usize;
        let raw = self.take(n)?;
        String::from_utf8(raw.to_vec()).map_err(|_| ReadError::BadText)
    }
    fn smol(&mut self) -> Result<SmolStr, ReadError> {
        self.string().map(SmolStr::from)
    }
    fn strs(&mut self) -> Result<Vec<SmolStr>, ReadError> {
        let n = self.count(4)?;
        (0..n).map(|_| self.smol()).collect()
    }
}
