//! Compiled programs: the bytecode format shared by the compiler (`codegen`),
//! `lpcc build`/`lpcc disasm` and the driver's VM. A [`Program`] is one
//! compiled file: constant pools, functions with their code and pc-to-line
//! tables, global variables, inherits, and the name tables its instructions
//! index. It is plain data; [`file`] reads and writes it with a versioned
//! header, and [`verify`] checks one read from disk before it may run.

pub mod file;
pub mod opcodes;
pub mod verify;

use std::fmt::Write;

use smol_str::SmolStr;

pub use opcodes::Instr;

/// One compiled LPC file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Program {
    /// Mudlib path of the source, `/std/room.c`.
    pub path: String,
    pub ints: Vec<i64>,
    pub floats: Vec<f64>,
    pub strings: Vec<SmolStr>,
    pub functions: Vec<Function>,
    /// This program's own global variables, in declaration order.
    pub globals: Vec<Global>,
    /// Direct inherits in order; their variables follow this program's own.
    pub inherits: Vec<InheritDecl>,
    /// Variables of an object of this program: own and every inherited one.
    pub var_count: u16,
    /// Function names that `Call`, `CallSimul`, `CallOther` and
    /// `MakeFunctionPtr` refer to by index.
    pub names: Vec<SmolStr>,
    /// `::f` and `A::f` calls: which inherit, and the name.
    pub supers: Vec<SuperCall>,
    /// Efun names that `CallEfun` and `MakeEfunPtr` refer to by index.
    pub efuns: Vec<SmolStr>,
    pub classes: Vec<ClassLayout>,
    pub switches: Vec<SwitchTable>,
    /// Files the line tables name: the source and its includes.
    pub files: Vec<String>,
    /// The function that initializes this program's own globals, if any.
    pub init: Option<u16>,
}

/// Which function modifiers a program records for the VM.
pub mod flags {
    pub const PRIVATE: u8 = 1;
    pub const PROTECTED: u8 = 2;
    pub const PUBLIC: u8 = 4;
    pub const NOMASK: u8 = 8;
    pub const NOSAVE: u8 = 16;
    pub const VARARGS: u8 = 32;
    /// Not callable by name: closures and the variable initializer.
    pub const HIDDEN: u8 = 128;
    /// On a global (where [`HIDDEN`] means nothing): declared `float`, so
    /// ints assigned to it become floats.
    pub const FLOAT: u8 = 128;
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Function {
    pub name: SmolStr,
    /// [`flags`] bits.
    pub flags: u8,
    /// Declared parameters, the `...` one included.
    pub params: u8,
    /// The last parameter collects the remaining arguments in an array.
    pub rest: bool,
    /// Local slots, parameters included.
    pub locals: u16,
    pub code: Vec<Instr>,
    /// Sorted by pc: from `pc` on, code comes from `line` of `files[file]`.
    pub lines: Vec<LineEntry>,
    /// The declared return type, then each parameter's, as the driver
    /// names types (`int`, `string *`); empty for closures.
    pub types: Vec<SmolStr>,
}

impl Function {
    /// The file index and line of the instruction at `pc`.
    pub fn line_at(&self, pc: usize) -> Option<LineEntry> {
        let i = self.lines.partition_point(|e| e.pc as usize <= pc);
        i.checked_sub(1).map(|i| self.lines[i])
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LineEntry {
    pub pc: u32,
    pub file: u16,
    pub line: u32,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Global {
    pub name: SmolStr,
    pub flags: u8,
    /// The declared type as the driver names types (`int`, `string *`).
    pub ty: SmolStr,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct InheritDecl {
    /// The file inherited, resolved to a mudlib path with extension.
    pub path: String,
    /// The name `A::f` uses.
    pub name: SmolStr,
    pub flags: u8,
    /// Where its variables start among this program's.
    pub var_start: u16,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SuperCall {
    pub inherit: u16,
    pub name: SmolStr,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClassLayout {
    pub name: SmolStr,
    pub members: Vec<SmolStr>,
    /// Each member's declared type as the driver names types: `int`,
    /// `string *`, `class` (for any class type).
    pub types: Vec<SmolStr>,
}

/// A `switch`'s jump table: exact labels sorted for binary search, ranges
/// tried in order, and the default.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SwitchTable {
    pub ints: Vec<(i64, u32)>,
    pub strings: Vec<(SmolStr, u32)>,
    /// Inclusive bounds.
    pub ranges: Vec<(i64, i64, u32)>,
    pub default: u32,
}

/// Operator codes of [`Instr::CompoundLocal`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum BinOp {
    Add = 0,
    Sub = 1,
    Mul = 2,
    Div = 3,
    Mod = 4,
    BitAnd = 5,
    BitOr = 6,
    BitXor = 7,
    Shl = 8,
    Shr = 9,
}

impl BinOp {
    pub fn from_code(code: u8) -> Option<BinOp> {
        const ALL: [BinOp; 10] = [
            BinOp::Add,
            BinOp::Sub,
            BinOp::Mul,
            BinOp::Div,
            BinOp::Mod,
            BinOp::BitAnd,
            BinOp::BitOr,
            BinOp::BitXor,
            BinOp::Shl,
            BinOp::Shr,
        ];
        ALL.get(code as usize).copied()
    }
}

impl Program {
    /// The function named `name` defined in this program itself.
    pub fn own_function(&self, name: &str) -> Option<usize> {
        self.functions
            .iter()
            .position(|f| f.name == name && f.flags & flags::HIDDEN == 0)
    }

    /// Human-readable listing of the whole program.
    pub fn disassemble(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "program {}", self.path);
        for inherit in &self.inherits {
            let _ = writeln!(
                out,
                "inherit {} as {} vars@{}",
                inherit.path, inherit.name, inherit.var_start
            );
        }
        let _ = writeln!(out, "variables {}", self.var_count);
        for (i, g) in self.globals.iter().enumerate() {
            let _ = writeln!(out, "  global {i} {}", g.name);
        }
        for (i, f) in self.functions.iter().enumerate() {
            let _ = writeln!(
                out,
                "function {i} {} params={}{} locals={} flags={:#x}",
                f.name,
                f.params,
                if f.rest { "..." } else { "" },
                f.locals,
                f.flags
            );
            let mut line = None;
            for (pc, instr) in f.code.iter().enumerate() {
                let here = f.line_at(pc).map(|e| e.line);
                let mark = if here != line {
                    line = here;
                    here.map_or(String::new(), |l| format!("; line {l}"))
                } else {
                    String::new()
                };
                let _ = writeln!(
                    out,
                    "  {pc:4} {:<40}{}{mark}",
                    instr.disassemble(),
                    self.operand_note(*instr)
                );
            }
        }
        for (i, t) in self.switches.iter().enumerate() {
            let _ = writeln!(
                out,
                "switch {i} ints={:?} strings={:?} ranges={:?} default={}",
                t.ints, t.strings, t.ranges, t.default
            );
        }
        out
    }

    /// What an operand index names, for the disassembly.
    fn operand_note(&self, instr: Instr) -> String {
        let note = match instr {
            Instr::PushBigInt { index } => self.ints.get(index as usize).map(|v| v.to_string()),
            Instr::PushFloat { index } => self.floats.get(index as usize).map(|v| v.to_string()),
            Instr::PushString { index } => {
                self.strings.get(index as usize).map(|s| format!("{s:?}"))
            }
            Instr::Call { name, .. }
            | Instr::CallSimul { name, .. }
            | Instr::CallOther { name, .. }
            | Instr::MakeFunctionPtr { name, .. }
            | Instr::MakeSimulPtr { name, .. } => {
                self.names.get(name as usize).map(|n| n.to_string())
            }
            Instr::CallEfun { efun, .. } | Instr::MakeEfunPtr { efun, .. } => {
                self.efuns.get(efun as usize).map(|n| format!("efun::{n}"))
            }
            Instr::CallSuper { entry, .. } => self.supers.get(entry as usize).map(|s| {
                let inherit = self.inherits.get(s.inherit as usize);
                format!("{}::{}", inherit.map_or("?", |i| i.name.as_str()), s.name)
            }),
            Instr::MakeClosure { function, .. } => self
                .functions
                .get(function as usize)
                .map(|f| f.name.to_string()),
            _ => None,
        };
        note.map_or(String::new(), |n| format!(" ; {n}"))
    }
}
