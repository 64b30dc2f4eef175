//! The object table and linked programs. Objects are handles (slot index
//! and generation) into one table, so `destruct` frees one slot and every
//! old handle to it reads as destructed. A linked program is a compiled
//! program with its whole inherit tree flattened into parts, and every
//! name its code calls resolved to a part and function once, at load.

use std::rc::Rc;
use std::sync::Arc;

use lpcc::bytecode::{Program, flags};
use rustc_hash::FxHashMap;
use smol_str::SmolStr;

use super::value::Value;

/// A handle to an object: stale once the object is destructed.
///
/// One word (slot index above, generation below), so that every payload
/// of a [`Value`] is a scalar the compiler keeps in a register: a handle of
/// two fields made it copy values through memory and read them back whole,
/// stalling each push.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(transparent)]
pub struct ObjRef(u64);

impl ObjRef {
    #[inline]
    pub fn new(index: u32, generation: u32) -> ObjRef {
        ObjRef(((index as u64) << 32) | generation as u64)
    }

    /// The object's slot in the table.
    #[inline]
    pub fn index(self) -> u32 {
        (self.0 >> 32) as u32
    }

    /// Which use of the slot the handle names.
    #[inline]
    pub fn generation(self) -> u32 {
        self.0 as u32
    }
}

impl std::fmt::Debug for ObjRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ObjRef({}#{})", self.index(), self.generation())
    }
}

/// A function of a linked program: which part, which function in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FnRef {
    pub part: u16,
    pub func: u16,
}

/// One program of a flattened inherit tree.
#[derive(Debug)]
pub struct Part {
    pub program: Arc<Program>,
    /// Where this program's variables start in the object.
    pub var_base: u32,
    /// The part index of each direct inherit.
    pub inherit_parts: Vec<u16>,
    /// `program.names` resolved as calls from this part (virtual).
    pub calls: Vec<Option<FnRef>>,
    /// `program.supers` resolved.
    pub supers: Vec<Option<FnRef>>,
    /// `program.efuns` bound to the driver's implementations.
    pub efuns: Vec<Option<super::Efun>>,
    /// `program.strings` as values, so pushing a constant only counts a reference.
    pub strings: Vec<Value>,
    /// Per name: the program last `call_other`ed with it and what it found.
    pub other_cache: Vec<OtherCache>,
    /// Member names of each class in `program.classes`, shared by its instances.
    pub class_members: Vec<Rc<[SmolStr]>>,
}

pub type OtherCache = std::cell::RefCell<Option<(std::rc::Weak<Linked>, Option<FnRef>)>>;

#[derive(Debug)]
pub struct Linked {
    pub parts: Vec<Part>,
    /// Functions other objects may call, by name.
    pub public: FxHashMap<SmolStr, FnRef>,
}

impl Linked {
    pub fn function(&self, r: FnRef) -> Option<&lpcc::bytecode::Function> {
        self.parts
            .get(r.part as usize)?
            .program
            .functions
            .get(r.func as usize)
    }

    pub fn var_count(&self) -> usize {
        self.parts
            .first()
            .map_or(0, |p| p.program.var_count as usize)
    }

    /// The most derived definition of `name` visible from part `from`.
    pub fn resolve(&self, from: usize, name: &str) -> Option<FnRef> {
        let part = self.parts.get(from)?;
        if let Some(func) = part.program.own_function(name) {
            return Some(FnRef {
                part: from as u16,
                func: func as u16,
            });
        }
        part.inherit_parts
            .iter()
            .rev()
            .find_map(|&child| self.resolve(child as usize, name))
    }
}

/// Flattens `program` and its inherits; `parent` finds compiled inherits.
pub fn link(
    program: Arc<Program>,
    parent: &dyn Fn(&str) -> Option<Arc<Program>>,
    efun: &dyn Fn(&str) -> Option<super::Efun>,
) -> Result<Linked, String> {
    let mut linked = Linked {
        parts: Vec::new(),
        public: FxHashMap::default(),
    };
    flatten(&mut linked, program, 0, parent, 0)?;
    for i in 0..linked.parts.len() {
        let program = linked.parts[i].program.clone();
        let calls = program.names.iter().map(|n| linked.resolve(0, n)).collect();
        let supers = program
            .supers
            .iter()
            .map(|s| {
                let child = *linked.parts[i].inherit_parts.get(s.inherit as usize)?;
                linked.resolve(child as usize, &s.name)
            })
            .collect();
        let efuns = program.efuns.iter().map(|n| efun(n)).collect();
        let part = &mut linked.parts[i];
        part.calls = calls;
        part.supers = supers;
        part.efuns = efuns;
    }
    let mut public = FxHashMap::default();
    for part in &linked.parts {
        for f in &part.program.functions {
            if f.flags & (flags::HIDDEN | flags::PRIVATE | flags::PROTECTED) != 0 {
                continue;
            }
            if public.contains_key(&f.name) {
                continue;
            }
            if let Some(r) = linked.resolve(0, &f.name) {
                public.insert(f.name.clone(), r);
            }
        }
    }
    linked.public = public;
    Ok(linked)
}

fn flatten(
    linked: &mut Linked,
    program: Arc<Program>,
    var_base: u32,
    parent: &dyn Fn(&str) -> Option<Arc<Program>>,
    depth: usize,
) -> Result<u16, String> {
    if depth > 64 || linked.parts.len() > u16::MAX as usize {
        return Err("inheritance is too deep".into());
    }
    let index = linked.parts.len();
    linked.parts.push(Part {
        program: program.clone(),
        var_base,
        inherit_parts: Vec::new(),
        calls: Vec::new(),
        supers: Vec::new(),
        efuns: Vec::new(),
        strings: program
            .strings
            .iter()
            .map(|s| Value::str(s.as_str()))
            .collect(),
        other_cache: program.names.iter().map(|_| Default::default()).collect(),
        class_members: program
            .classes
            .iter()
            .map(|c| Rc::from(c.members.clone()))
            .collect(),
    });
    for inherit in &program.inherits {
        let Some(p) = parent(&inherit.path) else {
            return Err(format!("inherited program {} is not loaded", inherit.path));
        };
        let child = flatten(
            linked,
            p,
            var_base + inherit.var_start as u32,
            parent,
            depth + 1,
        )?;
        linked.parts[index].inherit_parts.push(child);
    }
    Ok(index as u16)
}

#[derive(Debug)]
pub struct Object {
    /// `/std/room` or `/obj/sword#12`.
    pub name: Rc<str>,
    pub linked: Rc<Linked>,
    pub vars: Vec<Value>,
    /// The object shadowing this one (the next one out in its chain).
    pub shadowed: Option<ObjRef>,
    /// The object this one shadows (the next one in).
    pub shadowing: Option<ObjRef>,
    /// `on_destruct()` is called before the object goes
    /// (`set_notify_destruct`).
    pub notify_destruct: bool,
    /// How many times `recompile_object` gave it a new program: function
    /// values made before then refer to the old program's layout.
    pub program_version: u32,
}

#[derive(Debug, Default)]
struct Slot {
    generation: u32,
    object: Option<Object>,
}

/// Every live object, by handle and by name.
#[derive(Debug, Default)]
pub struct ObjectTable {
    slots: Vec<Slot>,
    free: Vec<u32>,
    names: FxHashMap<Rc<str>, ObjRef>,
    clones: u64,
}

impl ObjectTable {
    pub fn get(&self, r: ObjRef) -> Option<&Object> {
        let slot = self.slots.get(r.index() as usize)?;
        if slot.generation != r.generation() {
            return None;
        }
        slot.object.as_ref()
    }

    pub fn get_mut(&mut self, r: ObjRef) -> Option<&mut Object> {
        let slot = self.slots.get_mut(r.index() as usize)?;
        if slot.generation != r.generation() {
            return None;
        }
        slot.object.as_mut()
    }

    pub fn alive(&self, r: ObjRef) -> bool {
        self.get(r).is_some()
    }

    pub fn find(&self, name: &str) -> Option<ObjRef> {
        self.names.get(name).copied()
    }

    /// The next clone number.
    pub fn next_clone(&mut self) -> u64 {
        crate::metrics::CLONES.bump();
        self.clones += 1;
        self.clones
    }

    pub fn insert(&mut self, object: Object) -> ObjRef {
        let name = object.name.clone();
        let r = match self.free.pop() {
            Some(index) => {
                let slot = &mut self.slots[index as usize];
                slot.object = Some(object);
                ObjRef::new(index, slot.generation)
            }
            None => {
                self.slots.push(Slot {
                    generation: 0,
                    object: Some(object),
                });
                ObjRef::new((self.slots.len() - 1) as u32, 0)
            }
        };
        self.names.insert(name, r);
        r
    }

    /// Removes the object; its handles go stale. Returns its variables so
    /// the caller drops them outside any borrow of the table.
    pub fn remove(&mut self, r: ObjRef) -> Option<Object> {
        let slot = self.slots.get_mut(r.index() as usize)?;
        if slot.generation != r.generation() {
            return None;
        }
        let object = slot.object.take()?;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(r.index());
        if self.names.get(&object.name) == Some(&r) {
            self.names.remove(&object.name);
        }
        Some(object)
    }

    /// Every live object, in slot order.
    pub fn refs(&self) -> impl Iterator<Item = ObjRef> + '_ {
        self.slots.iter().enumerate().filter_map(|(i, slot)| {
            slot.object
                .as_ref()
                .map(|_| ObjRef::new(i as u32, slot.generation))
        })
    }

    /// Gives a live object a new name (a virtual object takes the name it
    /// was asked for).
    pub fn rename(&mut self, r: ObjRef, name: Rc<str>) {
        let Some(object) = self.get_mut(r) else {
            return;
        };
        let old = std::mem::replace(&mut object.name, name.clone());
        if self.names.get(&old) == Some(&r) {
            self.names.remove(&old);
        }
        self.names.insert(name, r);
    }

    /// Makes `name` find `r` again, after another object took the name.
    pub fn claim_name(&mut self, name: &str, r: ObjRef) {
        if self.alive(r) {
            self.names.insert(Rc::from(name), r);
        }
    }

    /// Direct access for the dispatch loop: the variables of a live object.
    pub fn vars_mut(&mut self, r: ObjRef) -> Option<&mut Vec<Value>> {
        self.get_mut(r).map(|o| &mut o.vars)
    }
}
