//! The opcode table: one macro invocation generates the instruction enum,
//! its byte encoder and decoder, its name table and its disassembly.
//!
//! In memory an instruction is a Rust enum of 8 bytes whose operands are
//! already decoded, so the VM dispatches with one `match` and no operand
//! parsing; on disk it is one opcode byte followed by its operands in
//! little-endian order. Each entry documents its stack effect as
//! `[before] -> [after]`, top of stack on the right.

/// An operand type that knows its encoded width.
pub trait Operand: Sized + Copy {
    const WIDTH: usize;
    fn write(self, out: &mut Vec<u8>);
    fn read(bytes: &[u8]) -> Option<Self>;
}

macro_rules! int_operand {
    ($($t:ty),*) => {$(
        impl Operand for $t {
            const WIDTH: usize = std::mem::size_of::<$t>();
            fn write(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn read(bytes: &[u8]) -> Option<Self> {
                let raw = bytes.get(..Self::WIDTH)?.try_into().ok()?;
                Some(<$t>::from_le_bytes(raw))
            }
        }
    )*};
}
int_operand!(u8, u16, u32, i16, i32);

macro_rules! opcodes {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident $(($($field:ident : $ty:ty),*))? = $code:literal,
    )*) => {
        /// One decoded instruction.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Instr {
            $(
                $(#[doc = $doc])*
                $name $({ $($field: $ty),* })?,
            )*
        }

        impl Instr {
            /// The instruction's mnemonic.
            pub fn name(self) -> &'static str {
                match self {
                    $(Instr::$name { .. } => stringify!($name),)*
                }
            }

            /// Appends the encoded instruction to `out`.
            pub fn encode(self, out: &mut Vec<u8>) {
                match self {
                    $(
                        Instr::$name $({ $($field),* })? => {
                            out.push($code);
                            $($(Operand::write($field, out);)*)?
                        }
                    )*
                }
            }

            /// Decodes one instruction at the start of `bytes`, with its
            /// encoded length; `None` for an unknown opcode or truncated operands.
            pub fn decode(bytes: &[u8]) -> Option<(Instr, usize)> {
                let (&code, rest) = bytes.split_first()?;
                #[allow(unused_mut, unused_variables)]
                match code {
                    $(
                        $code => {
                            let mut at = 0usize;
                            $($(
                                let $field = <$ty as Operand>::read(rest.get(at..)?)?;
                                at += <$ty as Operand>::WIDTH;
                            )*)?
                            Some((Instr::$name $({ $($field),* })?, 1 + at))
                        }
                    )*
                    _ => None,
                }
            }

            /// The instruction as one line of assembly text.
            pub fn disassemble(self) -> String {
                #[allow(unused_mut)]
                match self {
                    $(
                        Instr::$name $({ $($field),* })? => {
                            let mut text = String::from(stringify!($name));
                            $($(
                                text.push_str(&format!(" {}={}", stringify!($field), $field));
                            )*)?
                            text
                        }
                    )*
                }
            }
        }
    };
}

opcodes! {
    // ---- constants and stack ----
    /// `[] -> [undefined]`
    PushUndefined = 1,
    /// `[] -> [int]` for an integer that fits 32 bits.
    PushInt(value: i32) = 2,
    /// `[] -> [int]` from the program's integer pool.
    PushBigInt(index: u32) = 3,
    /// `[] -> [float]` from the float pool.
    PushFloat(index: u32) = 4,
    /// `[] -> [string]` from the string pool.
    PushString(index: u32) = 5,
    /// `[v] -> []`
    Pop = 6,
    /// `[v] -> [v v]`
    Dup = 7,
    /// `[a b] -> [a b a b]`
    Dup2 = 8,
    /// `[a b] -> [b a]`
    Swap = 9,

    // ---- variables ----
    /// `[] -> [v]` a local (parameters first).
    GetLocal(slot: u16) = 16,
    /// `[v] -> [v]` assigns, keeping the value.
    SetLocal(slot: u16) = 17,
    /// `[v] -> []` assigns and pops.
    StoreLocal(slot: u16) = 18,
    /// `[] -> [v]` a global of the running program's part of the object.
    GetGlobal(slot: u16) = 19,
    /// `[v] -> [v]`
    SetGlobal(slot: u16) = 20,
    /// `[v] -> []`
    StoreGlobal(slot: u16) = 21,
    /// `[] -> []` adds a constant to an integer local (`i++`, `i += 2`, `i--`).
    AddLocalInt(slot: u16, delta: i32) = 22,
    /// `[] -> []` adds a constant to an integer global.
    AddGlobalInt(slot: u16, delta: i32) = 23,
    /// `[v] -> [local op v]` then stored: the compound assignment `local op= v`,
    /// in place when the local holds the only reference to a string or array.
    /// `op` is a [`crate::bytecode::BinOp`] code. Keeps the new value.
    CompoundLocal(slot: u16, op: u8) = 24,
    /// `[v] -> []` like `CompoundLocal`, for a statement that drops the value.
    CompoundLocalDiscard(slot: u16, op: u8) = 25,

    // ---- arithmetic and comparison ----
    /// `[a b] -> [a+b]`
    Add = 32,
    /// `[a b] -> [a-b]`
    Sub = 33,
    /// `[a b] -> [a*b]`
    Mul = 34,
    /// `[a b] -> [a/b]`
    Div = 35,
    /// `[a b] -> [a%b]`
    Mod = 36,
    /// `[a b] -> [a&b]`
    BitAnd = 37,
    /// `[a b] -> [a|b]`
    BitOr = 38,
    /// `[a b] -> [a^b]`
    BitXor = 39,
    /// `[a b] -> [a<<b]`
    Shl = 40,
    /// `[a b] -> [a>>b]`
    Shr = 41,
    /// `[a] -> [-a]`
    Neg = 42,
    /// `[a] -> [~a]`
    Compl = 43,
    /// `[a] -> [!a]`
    Not = 44,
    /// `[a b] -> [a==b]`
    Eq = 45,
    /// `[a b] -> [a!=b]`
    Ne = 46,
    /// `[a b] -> [a<b]`
    Lt = 47,
    /// `[a b] -> [a<=b]`
    Le = 48,
    /// `[a b] -> [a>b]`
    Gt = 49,
    /// `[a b] -> [a>=b]`
    Ge = 50,
    /// `[a] -> [a+value]` for an integer constant operand.
    AddInt(value: i32) = 51,
    /// `[a] -> [a op value]` for a [`crate::bytecode::BinOp`] with an integer constant.
    IntOp(op: u8, value: i32) = 55,
    /// `[a] -> [int a]` type check after a cast.
    CastInt = 52,
    /// `[a] -> [float a]`
    CastFloat = 53,
    /// `[a] -> [string a]`
    CastString = 54,
    /// `[a] -> [a]`, an int turned into a float: what a variable declared
    /// `float` does with an int assigned to it.
    PromoteFloat = 56,
    /// `[a] -> [a]`, a float truncated to an int: what a variable declared
    /// `int` does with a float assigned to it.
    TruncateInt = 57,
    /// `[a] -> [a]`, a string (its UTF-8 bytes) or an array of ints 0..255
    /// turned into a buffer: what a variable declared `buffer` does with them.
    PromoteBuffer = 58,

    // ---- control flow ----
    /// `[] -> []`
    Jump(target: u32) = 64,
    /// `[c] -> []`
    JumpIfFalse(target: u32) = 65,
    /// `[c] -> []`
    JumpIfTrue(target: u32) = 66,
    /// `[c] -> [c]` when jumping, `[c] -> []` otherwise (`&&`).
    JumpIfFalseKeep(target: u32) = 67,
    /// `[c] -> [c]` when jumping, `[c] -> []` otherwise (`||`).
    JumpIfTrueKeep(target: u32) = 68,
    /// `[v] -> [v]` when `v` is defined and jumping, `[v] -> []` otherwise (`??`).
    JumpIfDefinedKeep(target: u32) = 69,
    /// `[] -> []` jumps when `local < bound local`: a loop test.
    JumpIfLocalLtLocal(slot: u8, bound: u8, target: u32) = 70,
    /// `[] -> []` jumps when `local < ints[index]`.
    JumpIfLocalLtInt(slot: u8, index: u16, target: u32) = 71,
    /// `[] -> []` jumps when `local <= ints[index]`.
    JumpIfLocalLeInt(slot: u8, index: u16, target: u32) = 78,
    /// `[] -> []` jumps when `local > ints[index]`.
    JumpIfLocalGtInt(slot: u8, index: u16, target: u32) = 79,
    /// `[] -> []` jumps when `local >= ints[index]`.
    JumpIfLocalGeInt(slot: u8, index: u16, target: u32) = 89,
    /// `[v] -> []` jumps by the program's switch table `table`.
    Switch(table: u16) = 72,
    /// `[a b] -> []` jumps unless `a < b`.
    JumpUnlessLt(target: u32) = 73,
    /// `[a b] -> []` jumps unless `a <= b`.
    JumpUnlessLe(target: u32) = 74,
    /// `[a b] -> []` jumps when `a < b`.
    JumpIfLt(target: u32) = 76,
    /// `[a b] -> []` jumps when `a <= b`.
    JumpIfLe(target: u32) = 77,
    /// `[] -> [arg?]` jumps over a default-value prologue when argument
    /// `param` was given.
    SkipIfArg(param: u8, target: u32) = 75,

    // ---- calls ----
    /// `[args..] -> [r]` calls a function of the object by name (virtual).
    /// Calls with `argc` 255 follow `SpreadArgs`, which set the count.
    Call(name: u16, argc: u8) = 80,
    /// `[args..] -> [r]` calls entry `entry` of the super-call table (`::f`, `A::f`).
    CallSuper(entry: u16, argc: u8) = 81,
    /// `[args..] -> [r]` calls a simul_efun by name.
    CallSimul(name: u16, argc: u8) = 82,
    /// `[args..] -> [r]` calls efun `efun` of the program's efun table.
    CallEfun(efun: u16, argc: u8) = 83,
    /// `[ob args..] -> [r]` `ob->name(args)`.
    CallOther(name: u16, argc: u8) = 84,
    /// `[f args..] -> [r]` calls a function value.
    CallValue(argc: u8) = 85,
    /// `[array] -> [elements..]` spreads `f(args...)`: the call right after
    /// it has `argc` 255 and takes the count from here.
    SpreadArgs = 88,
    /// `[v] -> ` returns from the function.
    Return = 86,
    /// `[] -> ` returns 0.
    ReturnZero = 87,

    // ---- aggregates ----
    /// `[v1..vn] -> [array]`
    MakeArray(count: u32) = 96,
    /// `[k1 v1..kn vn] -> [mapping]`
    MakeMapping(count: u32) = 97,
    /// `[c i] -> [c[i]]`
    Index = 98,
    /// `[c i] -> [c[<i]]`
    IndexFromEnd = 99,
    /// `[c i v] -> [v]` stores `c[i] = v`.
    IndexStore = 100,
    /// `[c i v] -> []` stores `c[i] = v` in a statement that drops the value.
    IndexStoreDiscard = 107,
    /// `[i] -> [local[i]]` indexes the array or mapping in a local.
    GetLocalIndex(slot: u16) = 108,
    /// `[i v] -> []` stores `local[i] = v` in a statement that drops the value.
    StoreLocalIndex(slot: u16) = 109,
    /// `[c i v] -> [v]` stores `c[<i] = v`.
    IndexFromEndStore = 101,
    /// `[c lo hi] -> [slice]`; `flags` bit 0: `lo` counts from the end, bit 1:
    /// `hi` counts from the end, bit 2: no `hi` (to the end).
    Range(flags: u8) = 102,
    /// `[c] -> [c.member]` the class member called `names[name]`.
    GetMember(name: u16) = 103,
    /// `[c v] -> [v]`
    SetMember(name: u16) = 104,
    /// `[c] -> [c?.member]`: like `GetMember`, but 0 when `c` has no such
    /// member or is not a class or mapping.
    GetMemberOptional(name: u16) = 118,
    /// `[v1..vn] -> [class]` a new instance of class `class`, its `count` members in order.
    MakeClass(class: u16, count: u16) = 105,
    /// `[c lo hi v] -> [v c']` `c` with the range replaced by `v` (a new
    /// value, stored back by the code that follows, which leaves `v` as the
    /// assignment's value); `flags` as for `Range`.
    RangeReplace(flags: u8) = 110,
    /// `[c i v] -> [v c']` stores `c[i] = v` (`c[<i]` when `from_end` is 1),
    /// leaving the container to store back: a new string when `c` is one.
    IndexReplace(from_end: u8) = 111,
    /// `[c i] -> [c i ok]` optional index: like Index, but `?.[`.
    IndexOptional = 106,

    // ---- function values ----
    /// `[captures..] -> [f]` a closure over function `function` of this program.
    MakeClosure(function: u16, captures: u8) = 112,
    /// `[bound..] -> [f]` `(: name, bound.. :)` for a function of the object.
    MakeFunctionPtr(name: u16, bound: u8) = 113,
    /// `[bound..] -> [f]` `(: efun::name, bound.. :)`.
    MakeEfunPtr(efun: u16, bound: u8) = 114,
    /// `[bound..] -> [f]` `(: name, bound.. :)` for a simul_efun.
    MakeSimulPtr(name: u16, bound: u8) = 115,

    // ---- references ----
    /// `[v] -> [ref]` a cell holding `v`, for a `ref` argument (a reference stays itself).
    MakeRef = 116,
    /// `[ref] -> [v]` the value in a reference cell.
    Deref = 117,

    // ---- errors ----
    /// `[] -> []` installs a handler: an error unwinds to `handler`, pushing the error value.
    CatchBegin(handler: u32) = 120,
    /// `[] -> []` removes the innermost handler.
    CatchEnd = 121,

    // ---- loops over collections ----
    /// `[] -> [elem]` or `[key value]` when `pairs` has bit 1 (bit 2: the
    /// element is a loop variable by reference): steps the loop whose
    /// state is in locals `state`, `state+1`, `state+2`; jumps to `exit` when done.
    ForeachNext(state: u16, pairs: u8, exit: u32) = 128,
    /// `[v] -> []` stores `v` where the loop's last element came from
    /// (`foreach` by reference).
    ForeachStore(state: u16) = 130,
    /// `[c] -> []` starts a loop over `c`, keeping its state in three locals from `state`.
    ForeachInit(state: u16) = 129,

    // ---- special forms ----
    /// `[input format cur1..curn] -> [count v1..vn]` parses like `sscanf`;
    /// targets that match nothing keep their current values.
    Sscanf(targets: u8) = 136,

    // ---- default arguments ----
    /// `[] -> []` the default-argument expressions that follow see the
    /// calling object as `this_object()`, as FluffOS evaluates them where
    /// the call was made.
    CallerContext = 137,
    /// `[] -> []` ends [`Instr::CallerContext`]: back to the called object.
    CalleeContext = 138,
}

// The VM copies instructions out of the code array on every step.
const _: () = assert!(std::mem::size_of::<Instr>() == 8);
