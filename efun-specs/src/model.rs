//! The data a spec file describes: types, parameters, efuns, operators and their docs.

use std::fmt;

/// An LPC type as spec files write it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Type {
    Void,
    Int,
    Float,
    String,
    Object,
    Mapping,
    Function,
    Buffer,
    Mixed,
    /// The result type of `call_other`: the compiler cannot know it.
    Unknown,
    /// `T *`; nesting gives `T **`.
    Array(Box<Type>),
    /// `A | B`; never contains `void` (optional parameters record that separately).
    Union(Vec<Type>),
}

impl Type {
    /// The basic type named by a spec keyword.
    pub fn from_keyword(word: &str) -> Option<Type> {
        let ty = match word {
            "void" => Type::Void,
            "int" => Type::Int,
            "float" => Type::Float,
            "string" => Type::String,
            "object" => Type::Object,
            "mapping" => Type::Mapping,
            "function" => Type::Function,
            "buffer" => Type::Buffer,
            "mixed" => Type::Mixed,
            "unknown" => Type::Unknown,
            _ => return None,
        };
        Some(ty)
    }

    /// Folds alternatives into one type: one alternative stays itself.
    pub fn union(mut alternatives: Vec<Type>) -> Type {
        match alternatives.len() {
            0 => Type::Void,
            1 => alternatives.remove(0),
            _ => Type::Union(alternatives),
        }
    }

    pub fn array_of(inner: Type) -> Type {
        Type::Array(Box::new(inner))
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Void => f.write_str("void"),
            Type::Int => f.write_str("int"),
            Type::Float => f.write_str("float"),
            Type::String => f.write_str("string"),
            Type::Object => f.write_str("object"),
            Type::Mapping => f.write_str("mapping"),
            Type::Function => f.write_str("function"),
            Type::Buffer => f.write_str("buffer"),
            Type::Mixed => f.write_str("mixed"),
            Type::Unknown => f.write_str("unknown"),
            Type::Array(inner) => match inner.as_ref() {
                Type::Array(_) => write!(f, "{inner}*"),
                _ => write!(f, "{inner} *"),
            },
            Type::Union(alternatives) => {
                for (i, alt) in alternatives.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" | ")?;
                    }
                    write!(f, "{alt}")?;
                }
                Ok(())
            }
        }
    }
}

/// The value the compiler supplies for a missing last argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultValue {
    Int(i64),
    /// `F__THIS_OBJECT`: the calling object.
    ThisObject,
}

impl fmt::Display for DefaultValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DefaultValue::Int(n) => write!(f, "{n}"),
            DefaultValue::ThisObject => f.write_str("F__THIS_OBJECT"),
        }
    }
}

/// One parameter of an efun.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// Accepted types as written, without `void`. Empty for a lone `(void)`.
    pub types: Vec<Type>,
    /// The call may leave this argument out.
    pub optional: bool,
    pub default: Option<DefaultValue>,
}

impl Param {
    /// The accepted types folded into one (a union when several).
    pub fn ty(&self) -> Type {
        Type::union(self.types.clone())
    }
}

impl fmt::Display for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.types.is_empty() {
            return f.write_str("void");
        }
        write!(f, "{}", self.ty())?;
        if self.optional && self.default.is_none() {
            f.write_str(" | void")?;
        }
        if let Some(default) = &self.default {
            write!(f, " default: {default}")?;
        }
        Ok(())
    }
}

/// Where a definition sits: spec file name and 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// A documented argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocArg {
    pub name: String,
    pub text: String,
}

/// Documentation written in `///` lines above a spec line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EfunDoc {
    pub summary: String,
    pub args: Vec<DocArg>,
    pub returns: Option<String>,
    /// LPC code, one line per `@example` line.
    pub example: String,
}

impl EfunDoc {
    pub fn is_empty(&self) -> bool {
        self.summary.is_empty()
            && self.args.is_empty()
            && self.returns.is_none()
            && self.example.is_empty()
    }
}

/// Whether an efun comes from FluffOS or is one this toolchain adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    FluffOs,
    Extension,
}

/// One efun (or alias) as a spec line declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Efun {
    pub name: String,
    pub package: String,
    pub return_type: Type,
    /// Parameters in order; the `...` marker is not one of them (see `varargs`).
    pub params: Vec<Param>,
    /// Where `...` stands among the parameters, when present: any number of
    /// further arguments of any type are accepted from there on.
    pub varargs: Option<usize>,
    pub min_args: usize,
    /// `None` when the efun takes any number of arguments.
    pub max_args: Option<usize>,
    /// For `type alias target(...)` lines: the efun that runs.
    pub alias_of: Option<String>,
    /// Names with a leading `_` exist for the compiler only and cannot be called by name.
    pub internal: bool,
    pub origin: Origin,
    pub doc: EfunDoc,
    pub location: Location,
}

impl Efun {
    pub fn is_varargs(&self) -> bool {
        self.varargs.is_some()
    }

    /// Whether a call with `count` arguments has an acceptable count.
    pub fn accepts_arg_count(&self, count: usize) -> bool {
        count >= self.min_args && self.max_args.is_none_or(|max| count <= max)
    }

    /// The declaration in spec syntax, without the alias target.
    pub fn signature(&self) -> String {
        let mut parts: Vec<String> = self.params.iter().map(ToString::to_string).collect();
        if let Some(at) = self.varargs {
            parts.insert(at.min(parts.len()), "...".to_string());
        }
        let ret = self.return_type.to_string();
        let sep = if ret.ends_with('*') { "" } else { " " };
        format!("{ret}{sep}{}({})", self.name, parts.join(", "))
    }
}

/// An `operator` entry: an opcode of the interpreter, not callable by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub name: String,
    pub package: String,
    pub location: Location,
}
