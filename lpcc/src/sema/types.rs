//! The compile-time type lattice the driver's compiler uses: a base type,
//! an array flag, and the assignment compatibility rules between them.

use smol_str::SmolStr;

use crate::ast::{Type, TypeKind};

/// A base type as the compiler tracks it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Base {
    /// Matches anything: `mixed`, untyped values, literal `0`.
    Any,
    Void,
    Int,
    Float,
    String,
    Object,
    Mapping,
    Function,
    Buffer,
    Class(SmolStr),
}

/// A compile-time type: one base, possibly an array of it. Nested arrays
/// collapse to `mixed *`, as the compiler keeps one array level.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ty {
    pub base: Base,
    pub array: bool,
}

impl Ty {
    pub const ANY: Ty = Ty::plain(Base::Any);
    pub const INT: Ty = Ty::plain(Base::Int);
    pub const FLOAT: Ty = Ty::plain(Base::Float);
    pub const STRING: Ty = Ty::plain(Base::String);
    pub const VOID: Ty = Ty::plain(Base::Void);
    pub const MAPPING: Ty = Ty::plain(Base::Mapping);
    pub const FUNCTION: Ty = Ty::plain(Base::Function);
    pub const OBJECT: Ty = Ty::plain(Base::Object);

    pub const fn plain(base: Base) -> Ty {
        Ty { base, array: false }
    }

    pub const fn array_of(base: Base) -> Ty {
        Ty { base, array: true }
    }

    /// The type a declaration spells; a missing type is `mixed`.
    pub fn from_ast(ty: &Type) -> Ty {
        let base = match &ty.kind {
            TypeKind::Missing | TypeKind::Mixed => Base::Any,
            TypeKind::Int => Base::Int,
            TypeKind::Float => Base::Float,
            TypeKind::String => Base::String,
            TypeKind::Object => Base::Object,
            TypeKind::Mapping => Base::Mapping,
            TypeKind::Function => Base::Function,
            TypeKind::Buffer => Base::Buffer,
            TypeKind::Void => Base::Void,
            TypeKind::Class(name) => Base::Class(name.clone()),
        };
        match ty.array_depth {
            0 => Ty::plain(base),
            1 => Ty::array_of(base),
            _ => Ty::array_of(Base::Any),
        }
    }

    /// The alternatives an efun spec type accepts.
    pub fn from_spec(ty: &efun_specs::Type, out: &mut Vec<Ty>) {
        use efun_specs::Type as S;
        let simple = |t: &S| -> Option<Base> {
            Some(match t {
                S::Void => Base::Void,
                S::Int => Base::Int,
                S::Float => Base::Float,
                S::String => Base::String,
                S::Object => Base::Object,
                S::Mapping => Base::Mapping,
                S::Function => Base::Function,
                S::Buffer => Base::Buffer,
                S::Mixed | S::Unknown => Base::Any,
                S::Array(_) | S::Union(_) => return None,
            })
        };
        match ty {
            S::Union(alternatives) => {
                for alt in alternatives {
                    Ty::from_spec(alt, out);
                }
            }
            S::Array(inner) => match simple(inner) {
                Some(base) => out.push(Ty::array_of(base)),
                None => out.push(Ty::array_of(Base::Any)),
            },
            other => {
                if let Some(base) = simple(other) {
                    out.push(Ty::plain(base));
                }
            }
        }
    }

    /// One type for an efun's result.
    pub fn from_spec_return(ty: &efun_specs::Type) -> Ty {
        let mut alternatives = Vec::new();
        Ty::from_spec(ty, &mut alternatives);
        match alternatives.as_slice() {
            [one] => one.clone(),
            _ => Ty::ANY,
        }
    }

    pub fn is_any(&self) -> bool {
        self.base == Base::Any && !self.array
    }

    pub fn is_void(&self) -> bool {
        self.base == Base::Void && !self.array
    }

    /// The element type of an array type.
    pub fn element(&self) -> Ty {
        Ty::plain(self.base.clone())
    }

    pub fn name(&self) -> String {
        let base = match &self.base {
            Base::Any => "mixed".to_string(),
            Base::Void => "void".to_string(),
            Base::Int => "int".to_string(),
            Base::Float => "float".to_string(),
            Base::String => "string".to_string(),
            Base::Object => "object".to_string(),
            Base::Mapping => "mapping".to_string(),
            Base::Function => "function".to_string(),
            Base::Buffer => "buffer".to_string(),
            Base::Class(name) => format!("class {name}"),
        };
        if self.array {
            format!("{base} *")
        } else {
            base
        }
    }
}

/// Whether a value of type `value` may be stored where `target` is
/// expected. `int` and `float` convert into each other; `mixed` fits
/// anywhere and takes anything; `mixed *` matches every array.
pub fn assignable(value: &Ty, target: &Ty) -> bool {
    if value.is_any() || target.is_any() {
        return true;
    }
    if value.array != target.array {
        return false;
    }
    if value.array && (value.base == Base::Any || target.base == Base::Any) {
        return true;
    }
    if value.array {
        return value.base == target.base;
    }
    match (&value.base, &target.base) {
        (Base::Int, Base::Float) | (Base::Float, Base::Int) => true,
        (Base::Void, Base::Int) => true,
        (a, b) => a == b,
    }
}

/// The symmetric form, for comparisons and `?:`.
pub fn comparable(a: &Ty, b: &Ty) -> bool {
    assignable(a, b) || assignable(b, a)
}

/// Whether an index of this type can index an array or a string.
pub fn is_int_like(ty: &Ty) -> bool {
    ty.is_any() || (!ty.array && ty.base == Base::Int)
}
