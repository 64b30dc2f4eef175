//! What one program offers to the programs that inherit it: functions,
//! global variables and classes with their types and modifiers, and the
//! run-wide cache that preprocesses, parses and summarises each inherited
//! file once.

use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;
use smol_str::SmolStr;

use crate::ast::Modifiers;
use crate::sema::types::Ty;

/// A function as callers see it.
#[derive(Clone, Debug, PartialEq)]
pub struct FnSig {
    pub ret: Ty,
    pub params: Vec<Ty>,
    /// Arguments a call must give: parameters before the first default.
    pub min_args: usize,
    /// `varargs` modifier or a `...` rest parameter: any count is fine.
    pub varargs: bool,
    /// Declared with a return type: calls to it are checked in typed code.
    pub typed: bool,
    /// Has a body (not only a prototype).
    pub defined: bool,
    pub modifiers: Modifiers,
    /// Private in the program that defined it: invisible by name here.
    pub hidden: bool,
    /// The program it came from, when inherited.
    pub inherited_from: Option<SmolStr>,
}

/// A global variable as the inheriting program sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct GlobalSig {
    pub ty: Ty,
    pub modifiers: Modifiers,
    pub hidden: bool,
    pub inherited: bool,
    /// The program that declared it, when inherited.
    pub origin: Option<SmolStr>,
}

/// A class: its members in order.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassSig {
    pub members: Vec<(SmolStr, Ty)>,
}

/// The visible interface of a compiled program, own and inherited.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProgramSummary {
    pub path: String,
    pub functions: FxHashMap<SmolStr, FnSig>,
    pub globals: FxHashMap<SmolStr, GlobalSig>,
    pub classes: FxHashMap<SmolStr, ClassSig>,
    /// Direct inherits by inherit name (the last path component).
    pub inherits: Vec<(SmolStr, Arc<ProgramSummary>)>,
    /// The file did not compile cleanly (a parse or inherit error).
    pub broken: bool,
    /// The file's inherits lead back to a file being loaded.
    pub cycle: bool,
}

impl ProgramSummary {
    /// Adds what `parent` offers, as `inherit` with `modifiers` does.
    pub fn absorb(&mut self, parent: &ProgramSummary, modifiers: Modifiers) {
        let private_inherit = modifiers.contains(Modifiers::PRIVATE);
        for (name, sig) in &parent.functions {
            let mut sig = sig.clone();
            sig.hidden = sig.hidden || sig.modifiers.contains(Modifiers::PRIVATE);
            if private_inherit {
                sig.modifiers = sig.modifiers.union(Modifiers::PRIVATE);
            }
            if sig.inherited_from.is_none() {
                sig.inherited_from = Some(SmolStr::new(&parent.path));
            }
            self.functions.insert(name.clone(), sig);
        }
        for (name, sig) in &parent.globals {
            let mut sig = sig.clone();
            sig.hidden = sig.hidden || sig.modifiers.contains(Modifiers::PRIVATE);
            if private_inherit {
                sig.modifiers = sig.modifiers.union(Modifiers::PRIVATE);
            }
            sig.inherited = true;
            if sig.origin.is_none() {
                sig.origin = Some(SmolStr::new(&parent.path));
            }
            self.globals.insert(name.clone(), sig);
        }
        for (name, class) in &parent.classes {
            self.classes
                .entry(name.clone())
                .or_insert_with(|| class.clone());
        }
    }
}

/// The inherit name of a path: its last component without extension.
pub fn inherit_name(path: &str) -> SmolStr {
    let last = path.rsplit('/').next().unwrap_or(path);
    let stem = last
        .strip_suffix(".c")
        .or_else(|| last.strip_suffix(".lpc"))
        .unwrap_or(last);
    SmolStr::new(stem)
}

/// The files an `inherit` path may name, in the order the driver tries
/// them: an explicit `.c` or `.lpc` is exact; otherwise `.lpc`, then `.c`.
pub fn inherit_candidates(path: &str) -> Vec<String> {
    let path = crate::source::normalize_path(path);
    if path.ends_with(".c") || path.ends_with(".lpc") {
        return vec![path];
    }
    vec![format!("{path}.lpc"), format!("{path}.c")]
}

/// Summaries of inherited files, shared by every check of a run.
///
/// A summary is computed without holding the lock, so two threads that
/// need the same file at once may both build it (the first stored wins):
/// holding a per-file lock while loading that file's own inherits could
/// deadlock two threads that meet an inherit cycle from opposite ends.
#[derive(Debug, Default)]
pub struct InheritCache {
    summaries: Mutex<FxHashMap<String, Arc<ProgramSummary>>>,
}

impl InheritCache {
    pub fn new() -> InheritCache {
        InheritCache::default()
    }

    pub fn get(&self, path: &str) -> Option<Arc<ProgramSummary>> {
        self.summaries.lock().ok()?.get(path).cloned()
    }

    /// Stores a summary unless one is there already; returns the stored one.
    pub fn insert(&self, path: &str, summary: ProgramSummary) -> Arc<ProgramSummary> {
        let summary = Arc::new(summary);
        let Ok(mut map) = self.summaries.lock() else {
            return summary;
        };
        map.entry(path.to_string()).or_insert(summary).clone()
    }

    /// Forgets every summary, after a file they may be built from changed:
    /// a summary holds its parents', so one stale file taints its heirs.
    pub fn clear(&self) {
        if let Ok(mut map) = self.summaries.lock() {
            map.clear();
        }
    }

    /// How many files have been summarised.
    pub fn len(&self) -> usize {
        self.summaries.lock().map_or(0, |m| m.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
