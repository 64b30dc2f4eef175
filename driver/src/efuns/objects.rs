//! Efuns about objects as a whole: finding, loading, cloning and
//! destructing them, what they inherit and define, the call stack, the
//! evaluation limit, user ids (`uids`), privileges and the per-domain and
//! per-author counters (`mudlib_stats`). The driver-side data an object
//! carries beyond its program and variables lives here too, in
//! [`ObjectsState`], one entry per live object.

use std::collections::BTreeMap;
use std::rc::Rc;

use rustc_hash::FxHashMap;

use super::{arg, bad_arg, int_arg, str_arg};
use crate::vm::object::ObjRef;
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};

/// What the driver knows of one object besides its program and variables.
#[derive(Debug, Default)]
pub struct ObjectExt {
    /// Creation order, so listings of objects are stable.
    pub created: u64,
    /// The object this one is in.
    pub env: Option<ObjRef>,
    /// Objects inside this one, the first moved in first: the inventory
    /// as the mudlib sees it (most recent first) is this list reversed.
    pub inv: Vec<ObjRef>,
    /// `enable_commands()` was called: the object is living.
    pub living: bool,
    pub living_name: Option<Rc<str>>,
    /// When the living name was set, to prefer the latest.
    pub named_at: u64,
    pub uid: Option<Rc<str>>,
    pub euid: Option<Rc<str>>,
    pub privs: Option<Rc<str>>,
    pub domain: Option<Rc<str>>,
    pub author: Option<Rc<str>>,
    /// Marked a wizard by `enable_wizard()`, which only interactive
    /// users may do.
    pub wizard: bool,
    /// `set_hide(1)` was called: only objects the master's `valid_hide`
    /// approves see it.
    pub hidden: bool,
    /// Made by the master's `compile_object`: whoever loads virtual
    /// objects sets this.
    pub virtual_object: bool,
    /// Light this object gives by itself (`set_light`).
    pub light: i64,
    /// When `reset()` is next due, once `set_reset` chose it.
    pub next_reset: Option<std::time::Instant>,
    /// When `clean_up()` is next asked, once `set_clean_up` chose it.
    pub next_clean_up: Option<std::time::Instant>,
    /// It defines `clean_up()` and the driver should ask it.
    pub will_clean_up: bool,
    /// The path of the inherited program `replace_program` left it with.
    pub replaced_program: Option<Rc<str>>,
}

/// The counters `domain_stats` and `author_stats` report. Commands,
/// errors and heart beats are not counted yet: only live objects are.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    pub objects: i64,
}

/// Driver-side object data: per-object records and the state shared by
/// the object efuns.
#[derive(Debug, Default)]
pub struct ObjectsState {
    pub per: FxHashMap<ObjRef, ObjectExt>,
    created: u64,
    /// Living names set so far.
    pub naming: u64,
    /// While a destructed object's contents are asked to move: the only
    /// object that may be destructed.
    pub restrict_destruct: Option<ObjRef>,
    /// The master's root and backbone uids, asked once the master exists.
    root_uid: Option<Rc<str>>,
    backbone_uid: Option<Rc<str>>,
    master_ready: bool,
    domains: BTreeMap<Rc<str>, Stats>,
    authors: BTreeMap<Rc<str>, Stats>,
    backbone_domain: Option<Rc<str>>,
}

impl ObjectsState {
    pub fn ext(&self, r: ObjRef) -> Option<&ObjectExt> {
        self.per.get(&r)
    }

    pub fn ext_mut(&mut self, r: ObjRef) -> &mut ObjectExt {
        self.per.entry(r).or_default()
    }

    pub fn is_living(&self, r: ObjRef) -> bool {
        self.per.get(&r).is_some_and(|e| e.living)
    }
}

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("this_object", this_object);
    m.insert("_this_object", this_object);
    m.insert("previous_object", previous_object);
    m.insert("all_previous_objects", |vm, _, _| {
        Ok(Value::array(all_previous(vm)))
    });
    m.insert("load_object", load_object);
    m.insert("find_object", find_object);
    m.insert("clone_object", clone_object);
    m.insert("_new", clone_object);
    m.insert("destruct", destruct);
    m.insert("file_name", file_name);
    m.insert("master", |vm, _, _| {
        Ok(object_value(vm.master.filter(|&m| vm.objects.alive(m))))
    });
    m.insert("set_hide", set_hide);
    m.insert("base_name", base_name);
    m.insert("clonep", clonep);
    m.insert("virtualp", virtualp);
    // Only an interactive object may become a wizard.
    m.insert("enable_wizard", |vm, _, _| {
        if let Some(me) = vm.this_object()
            && vm.backend.net.of(me).is_some()
        {
            vm.objext.ext_mut(me).wizard = true;
        }
        Ok(Value::Int(0))
    });
    m.insert("disable_wizard", |vm, _, _| {
        if let Some(me) = vm.this_object() {
            vm.objext.ext_mut(me).wizard = false;
        }
        Ok(Value::Int(0))
    });
    m.insert("wizardp", |vm, b, n| {
        let r = live_object(vm, b, n, 0, "wizardp")?;
        Ok(Value::Int(vm.objext.ext(r).is_some_and(|e| e.wizard) as i64))
    });
    m.insert("children", children);
    m.insert("objects", objects);
    m.insert("inherits", inherits);
    m.insert("inherit_list", inherit_list);
    m.insert("shallow_inherit_list", inherit_list);
    m.insert("deep_inherit_list", deep_inherit_list);
    m.insert("function_exists", function_exists);
    m.insert("functions", functions);
    m.insert("variables", variables);
    m.insert("call_stack", call_stack);
    m.insert("origin", origin);
    m.insert("dump_prog", dump_prog);
    m.insert("debug_info", debug_info);
    m.insert("program_info", program_info);
    m.insert("memory_info", memory_info);
    m.insert("set_eval_limit", set_eval_limit);
    m.insert("reset_eval_cost", |vm, _, _| eval_limit(vm, 0));
    m.insert("eval_cost", |vm, _, _| eval_limit(vm, -1));
    m.insert("max_eval_cost", |vm, _, _| eval_limit(vm, 1));
    m.insert("getuid", getuid);
    m.insert("geteuid", geteuid);
    m.insert("seteuid", seteuid);
    m.insert("export_uid", export_uid);
    m.insert("set_privs", set_privs);
    m.insert("query_privs", query_privs);
    m.insert("domain_stats", |vm, b, n| {
        stats_efun(vm, b, n, "domain_stats")
    });
    m.insert("author_stats", |vm, b, n| {
        stats_efun(vm, b, n, "author_stats")
    });
    m.insert("set_author", set_author);
}

pub fn object_value(r: Option<ObjRef>) -> Value {
    r.map_or(Value::Int(0), Value::Object)
}

/// The object argument `i`, or the running object when it is left out.
pub fn object_or_this(
    vm: &Vm,
    base: usize,
    argc: usize,
    i: usize,
    efun: &str,
) -> Result<ObjRef, Unwind> {
    match arg(vm, base, argc, i) {
        Value::Object(r) => Ok(r),
        Value::Undefined if i >= argc => vm
            .this_object()
            .ok_or_else(|| error(format!("{efun}() without a current object"))),
        other => Err(bad_arg(efun, i, &other)),
    }
}

/// A live object argument; an error names the efun otherwise.
pub fn live_object(
    vm: &Vm,
    base: usize,
    argc: usize,
    i: usize,
    efun: &str,
) -> Result<ObjRef, Unwind> {
    let r = object_or_this(vm, base, argc, i, efun)?;
    if !vm.objects.alive(r) {
        return Err(error(format!(
            "Bad argument {} to {efun}(): destructed object",
            i + 1
        )));
    }
    Ok(r)
}

/// Every live object, in creation order.
pub fn all_objects(vm: &Vm) -> Vec<ObjRef> {
    let mut list: Vec<(u64, ObjRef)> = vm
        .objext
        .per
        .iter()
        .filter(|(r, _)| vm.objects.alive(**r))
        .map(|(r, e)| (e.created, *r))
        .collect();
    list.sort_unstable_by_key(|&(c, _)| c);
    list.into_iter().map(|(_, r)| r).collect()
}

/// Called once an object exists, before its variables are initialized
/// and `create()` runs: records it and gives it its uids, privileges,
/// domain and author from the master. On an error the object is
/// destructed.
pub fn on_create(vm: &mut Vm, r: ObjRef) -> Result<(), Unwind> {
    vm.objext.created += 1;
    let created = vm.objext.created;
    vm.objext.ext_mut(r).created = created;
    if let Err(e) = setup_new_object(vm, r) {
        vm.destruct(r);
        return Err(e);
    }
    Ok(())
}

/// Gives a virtual object the owners of the name master `compile_object`
/// made it stand for, as a new object of that name would get them; the
/// object is destructed when the master refuses it a uid.
pub fn on_virtual_rename(vm: &mut Vm, r: ObjRef) -> Result<(), Unwind> {
    vm.objext.ext_mut(r).privs = None;
    if let Err(e) = setup_new_object(vm, r) {
        vm.destruct(r);
        return Err(e);
    }
    Ok(())
}

fn setup_new_object(vm: &mut Vm, r: ObjRef) -> Result<(), Unwind> {
    prepare_master(vm)?;
    let creator = vm.this_object().filter(|&c| c != r);
    init_stats(vm, r, creator)?;
    init_privs(vm, r, creator)?;
    give_uid(vm, r, creator)
}

/// Drops an object's record and unlinks it from its environment and its
/// contents; the destruct efun has moved the contents out before.
pub fn on_destruct(vm: &mut Vm, r: ObjRef) {
    let Some(ext) = vm.objext.per.remove(&r) else {
        return;
    };
    if let Some(env) = ext.env
        && let Some(e) = vm.objext.per.get_mut(&env)
    {
        e.inv.retain(|&o| o != r);
    }
    for inner in ext.inv {
        if let Some(e) = vm.objext.per.get_mut(&inner) {
            e.env = None;
        }
    }
    if let Some(d) = &ext.domain {
        vm.objext.domains.entry(d.clone()).or_default().objects -= 1;
    }
    if let Some(a) = &ext.author {
        vm.objext.authors.entry(a.clone()).or_default().objects -= 1;
    }
    if vm.command_giver == Some(r) {
        vm.command_giver = None;
    }
}

/// Whether the master's `valid_hide(ob)` lets `ob` hide and see hidden
/// objects.
pub fn valid_hide(vm: &mut Vm, ob: Option<ObjRef>) -> Result<bool, Unwind> {
    let Some(ob) = ob else { return Ok(false) };
    let answer = master_apply(vm, "valid_hide", vec![Value::Object(ob)])?;
    Ok(answer.is_some_and(|v| v.truthy()))
}

/// Whether the running object may see `ob`: it is not hidden, or the
/// running object is hidden itself or allowed to see hidden objects.
pub fn visible(vm: &mut Vm, ob: ObjRef) -> Result<bool, Unwind> {
    if !vm.objext.ext(ob).is_some_and(|e| e.hidden) {
        return Ok(true);
    }
    let me = vm.this_object();
    if me.and_then(|m| vm.objext.ext(m)).is_some_and(|e| e.hidden) {
        return Ok(true);
    }
    valid_hide(vm, me)
}

fn set_hide(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let hide = int_arg(vm, base, argc, 0, "set_hide")? != 0;
    let me = vm.this_object().filter(|&r| vm.objects.alive(r));
    if !valid_hide(vm, me)? {
        return Ok(Value::Int(0));
    }
    if let Some(me) = me {
        vm.objext.ext_mut(me).hidden = hide;
    }
    Ok(Value::Int(0))
}

/// Calls a master apply; `None` when there is no master or no such function.
fn master_apply(vm: &mut Vm, name: &str, args: Vec<Value>) -> Result<Option<Value>, Unwind> {
    let Some(master) = vm.master.filter(|&m| vm.objects.alive(m)) else {
        return Ok(None);
    };
    vm.apply(master, name, args, true)
}

/// Once the master is loaded: its uids come from `get_root_uid`, the
/// backbone uid from `get_bb_uid`, its author from `author_file` and the
/// backbone domain from `domain_file("/")`.
fn prepare_master(vm: &mut Vm) -> Result<(), Unwind> {
    if vm.objext.master_ready {
        return Ok(());
    }
    let Some(master) = vm.master.filter(|&m| vm.objects.alive(m)) else {
        return Ok(());
    };
    vm.objext.master_ready = true;
    let name = vm.object_name(master).unwrap_or_else(|| Rc::from(""));
    if let Some(Value::Str(root)) = master_apply(vm, "get_root_uid", Vec::new())? {
        let root: Rc<str> = Rc::from(root.text.as_str());
        vm.objext.root_uid = Some(root.clone());
        let ext = vm.objext.ext_mut(master);
        ext.uid = Some(root.clone());
        ext.euid = Some(root);
    }
    if let Some(Value::Str(bb)) = master_apply(vm, "get_bb_uid", Vec::new())? {
        vm.objext.backbone_uid = Some(Rc::from(bb.text.as_str()));
    }
    let author = master_apply(vm, "author_file", vec![Value::str(name.to_string())])?;
    if let Some(Value::Str(a)) = author {
        set_stat_owner(vm, master, Owner::Author, Some(Rc::from(a.text.as_str())));
    }
    if let Some(Value::Str(d)) = master_apply(vm, "domain_file", vec![Value::str("/")])? {
        vm.objext.backbone_domain = Some(Rc::from(d.text.as_str()));
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Owner {
    Domain,
    Author,
}

/// Moves an object's count from its old domain or author to `to`.
fn set_stat_owner(vm: &mut Vm, r: ObjRef, which: Owner, to: Option<Rc<str>>) {
    let state = &mut vm.objext;
    let ext = state.per.entry(r).or_default();
    let slot = match which {
        Owner::Domain => &mut ext.domain,
        Owner::Author => &mut ext.author,
    };
    let old = std::mem::replace(slot, to.clone());
    let table = match which {
        Owner::Domain => &mut state.domains,
        Owner::Author => &mut state.authors,
    };
    if let Some(old) = old {
        table.entry(old).or_default().objects -= 1;
    }
    if let Some(new) = to {
        table.entry(new).or_default().objects += 1;
    }
}

/// The domain from master `domain_file` (the creator's when it answers 0
/// or names the creator's or the backbone's domain) and the author from
/// `author_file`.
fn init_stats(vm: &mut Vm, r: ObjRef, creator: Option<ObjRef>) -> Result<(), Unwind> {
    let name = vm.object_name(r).unwrap_or_else(|| Rc::from(""));
    let creator_ext = creator.and_then(|c| vm.objext.ext(c));
    let creator_domain = creator_ext.and_then(|e| e.domain.clone());
    let creator_has_uid = creator_ext.is_some_and(|e| e.uid.is_some());
    let domain: Option<Rc<str>> = if !creator_has_uid {
        Some(Rc::from("NONAME"))
    } else {
        match master_apply(vm, "domain_file", vec![Value::str(name.to_string())])? {
            None => None,
            Some(Value::Str(d)) => {
                let d: Rc<str> = Rc::from(d.text.as_str());
                let same = creator_domain.as_deref() == Some(&*d)
                    || vm.objext.backbone_domain.as_deref() == Some(&*d);
                if same { creator_domain } else { Some(d) }
            }
            Some(v) if !v.truthy() => creator_domain,
            Some(_) => {
                return Err(error(
                    "'domain_file' in the master object must return a string!",
                ));
            }
        }
    };
    set_stat_owner(vm, r, Owner::Domain, domain);
    let author = match master_apply(vm, "author_file", vec![Value::str(name.to_string())])? {
        Some(Value::Str(a)) => Some(Rc::from(a.text.as_str())),
        _ => None,
    };
    set_stat_owner(vm, r, Owner::Author, author);
    Ok(())
}

/// Privileges from master `privs_file`, when the creator has a uid.
fn init_privs(vm: &mut Vm, r: ObjRef, creator: Option<ObjRef>) -> Result<(), Unwind> {
    let creator_has_uid = creator
        .and_then(|c| vm.objext.ext(c))
        .is_some_and(|e| e.uid.is_some());
    if !creator_has_uid {
        return Ok(());
    }
    let name = vm.object_name(r).unwrap_or_else(|| Rc::from(""));
    if let Some(Value::Str(p)) = master_apply(vm, "privs_file", vec![Value::str(name.to_string())])?
    {
        vm.objext.ext_mut(r).privs = Some(Rc::from(p.text.as_str()));
    }
    Ok(())
}

/// The uid master `creator_file` names. An object loaded by one with the
/// same uid shares its euid; otherwise the euid starts equal to the uid
/// (the driver seteuids automatically, as `__AUTO_SETEUID__` says).
fn give_uid(vm: &mut Vm, r: ObjRef, creator: Option<ObjRef>) -> Result<(), Unwind> {
    if vm.master.is_none_or(|m| !vm.objects.alive(m) || m == r) {
        let ext = vm.objext.ext_mut(r);
        let uid: Rc<str> = Rc::from("NONAME");
        ext.uid = Some(uid.clone());
        ext.euid = Some(uid);
        return Ok(());
    }
    let name = vm.object_name(r).unwrap_or_else(|| Rc::from(""));
    let uid: Rc<str> = match master_apply(vm, "creator_file", vec![Value::str(name.to_string())])? {
        Some(Value::Str(s)) => Rc::from(s.text.as_str()),
        // A mudlib whose master has no creator_file() does not use uids:
        // its objects get the placeholder uid objects loaded before the
        // master get.
        None => Rc::from("NONAME"),
        Some(_) => {
            return Err(error(
                "Illegal object to load: return value of master::creator_file() was not a string.",
            ));
        }
    };
    let from_creator = creator
        .and_then(|c| vm.objext.ext(c))
        .and_then(|e| (e.uid.as_deref() == Some(&*uid)).then(|| (e.uid.clone(), e.euid.clone())));
    let ext = vm.objext.ext_mut(r);
    match from_creator {
        Some((u, e)) => {
            ext.uid = u;
            ext.euid = e;
        }
        None => {
            ext.uid = Some(uid.clone());
            ext.euid = Some(uid);
        }
    }
    Ok(())
}

fn this_object(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    Ok(object_value(
        vm.this_object().filter(|&r| vm.objects.alive(r)),
    ))
}

fn all_previous(vm: &Vm) -> Vec<Value> {
    let mut all = Vec::new();
    let mut i = 0;
    while let Some(r) = vm.previous_object(i) {
        all.push(if vm.objects.alive(r) {
            Value::Object(r)
        } else {
            Value::Int(0)
        });
        i += 1;
    }
    all
}

fn previous_object(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let n = int_arg(vm, base, argc, 0, "previous_object")?;
    if n < 0 {
        return Ok(Value::array(all_previous(vm)));
    }
    let r = vm.previous_object(n as usize);
    Ok(object_value(r.filter(|&r| vm.objects.alive(r))))
}

fn load_object(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let name = str_arg(vm, base, argc, 0, "load_object")?;
    load(vm, &name.text)
}

/// Finds or loads an object (a virtual one through master
/// `compile_object` when no file has the name); 0 when there is none.
fn load(vm: &mut Vm, path: &str) -> Result<Value, Unwind> {
    if let Some(r) = vm.objects.find(&crate::vm::object_name(path)) {
        return Ok(Value::Object(r));
    }
    if current_lacks_euid(vm) {
        return Err(error("Can't load objects when no effective user."));
    }
    // The spelling asked for picks the source file.
    let path = lpcc::source::normalize_path(path);
    Ok(vm.try_load(&path)?.map_or(Value::Int(0), Value::Object))
}

fn find_object(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let name = str_arg(vm, base, argc, 0, "find_object")?;
    if int_arg(vm, base, argc, 1, "find_object")? != 0 {
        return match load(vm, &name.text)? {
            Value::Object(r) if !visible(vm, r)? => Ok(Value::Int(0)),
            other => Ok(other),
        };
    }
    let r = vm.objects.find(&crate::vm::object_name(&name.text));
    match r {
        Some(r) if visible(vm, r)? => Ok(Value::Object(r)),
        _ => Ok(Value::Int(0)),
    }
}

fn clone_object(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let name = match arg(vm, base, argc, 0) {
        Value::Str(s) => s.text.to_string(),
        Value::Object(r) => vm.object_name(r).map(|n| n.to_string()).unwrap_or_default(),
        other => return Err(bad_arg("clone_object", 0, &other)),
    };
    let name = base_of(&name).to_string();
    if current_lacks_euid(vm) {
        return Err(error(
            "Object must call seteuid() prior to calling clone_object().",
        ));
    }
    let args: Vec<Value> = (1..argc).map(|i| arg(vm, base, argc, i)).collect();
    vm.clone_object(&name, args).map(Value::Object)
}

/// The running object cleared its euid: it may not make objects.
fn current_lacks_euid(vm: &Vm) -> bool {
    vm.this_object()
        .and_then(|r| vm.objext.ext(r))
        .is_some_and(|e| e.euid.is_none())
}

fn destruct(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let r = object_or_this(vm, base, argc, 0, "destruct")?;
    super::inventory::destruct_object(vm, r)?;
    Ok(Value::Int(0))
}

fn file_name(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let r = object_or_this(vm, base, argc, 0, "file_name")?;
    Ok(vm
        .object_name(r)
        .map_or(Value::Int(0), |n| Value::str(n.to_string())))
}

/// A name without its clone number.
fn base_of(name: &str) -> &str {
    name.split_once('#').map_or(name, |(b, _)| b)
}

fn base_name(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let name = match arg(vm, base, argc, 0) {
        Value::Str(s) => crate::vm::object_name(base_of(&s.text)),
        _ => {
            let r = object_or_this(vm, base, argc, 0, "base_name")?;
            match vm.object_name(r) {
                Some(n) => base_of(&n).to_string(),
                None => return Ok(Value::Int(0)),
            }
        }
    };
    Ok(Value::str(name))
}

fn clonep(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let r = match arg(vm, base, argc, 0) {
        Value::Object(r) => Some(r),
        Value::Undefined if argc == 0 => vm.this_object(),
        _ => None,
    };
    let clone = r
        .and_then(|r| vm.object_name(r))
        .is_some_and(|n| n.contains('#'));
    Ok(Value::Int(clone as i64))
}

fn virtualp(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let r = live_object(vm, base, argc, 0, "virtualp")?;
    let v = vm.objext.ext(r).is_some_and(|e| e.virtual_object);
    Ok(Value::Int(v as i64))
}

fn children(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let name = str_arg(vm, base, argc, 0, "children")?;
    let name = crate::vm::object_name(&name.text);
    let list = all_objects(vm)
        .into_iter()
        .filter(|&r| vm.object_name(r).is_some_and(|n| base_of(&n) == name))
        .map(Value::Object)
        .collect();
    Ok(Value::array(list))
}

fn objects(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let filter = arg(vm, base, argc, 0);
    let list = all_objects(vm);
    let test: Option<Value> = match filter {
        Value::Undefined | Value::Int(0) => None,
        f @ Value::Function(_) => Some(f),
        Value::Str(name) => {
            let Some(me) = vm.this_object() else {
                return Ok(Value::array(Vec::new()));
            };
            let mut out = Vec::new();
            for r in list {
                let keep = vm
                    .apply(me, &name.text, vec![Value::Object(r)], true)?
                    .is_some_and(|v| v.truthy());
                if keep && vm.objects.alive(r) {
                    out.push(Value::Object(r));
                }
            }
            return Ok(Value::array(out));
        }
        other => return Err(bad_arg("objects", 0, &other)),
    };
    let Some(f) = test else {
        return Ok(Value::array(list.into_iter().map(Value::Object).collect()));
    };
    let mut out = Vec::new();
    for r in list {
        if vm.call_value(&f, &[Value::Object(r)])?.truthy() && vm.objects.alive(r) {
            out.push(Value::Object(r));
        }
    }
    Ok(Value::array(out))
}

/// The linked program of a live object argument.
fn program_of(
    vm: &Vm,
    base: usize,
    argc: usize,
    i: usize,
    efun: &str,
) -> Result<Rc<crate::vm::object::Linked>, Unwind> {
    let r = live_object(vm, base, argc, i, efun)?;
    vm.objects
        .get(r)
        .map(|o| o.linked.clone())
        .ok_or_else(|| error(format!("{efun}(): destructed object")))
}

/// `inherits(file, ob)`: 1 when `ob`'s program inherits `file` at any depth.
fn inherits(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let file = str_arg(vm, base, argc, 0, "inherits")?;
    let linked = program_of(vm, base, argc, 1, "inherits")?;
    let want = crate::vm::object_name(&file.text);
    let found = linked
        .parts
        .iter()
        .skip(1)
        .any(|p| crate::vm::object_name(&p.program.path) == want);
    Ok(Value::Int(found as i64))
}

fn inherit_list(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let linked = program_of(vm, base, argc, 0, "inherit_list")?;
    let list = linked
        .parts
        .first()
        .map(|p| {
            p.program
                .inherits
                .iter()
                .map(|i| Value::str(i.path.clone()))
                .collect()
        })
        .unwrap_or_default();
    Ok(Value::array(list))
}

/// Every inherited program, level by level: the direct inherits, then
/// theirs, and so on.
fn deep_inherit_list(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let linked = program_of(vm, base, argc, 0, "deep_inherit_list")?;
    let mut order: Vec<u16> = vec![0];
    let mut at = 0;
    while at < order.len() {
        if let Some(part) = linked.parts.get(order[at] as usize) {
            order.extend(part.inherit_parts.iter().copied());
        }
        at += 1;
    }
    let list = order
        .iter()
        .skip(1)
        .filter_map(|&i| linked.parts.get(i as usize))
        .map(|p| Value::str(p.program.path.clone()))
        .collect();
    Ok(Value::array(list))
}

/// Strips `.c` or `.lpc` from a program path.
fn without_extension(path: &str) -> &str {
    path.strip_suffix(".c")
        .or_else(|| path.strip_suffix(".lpc"))
        .unwrap_or(path)
}

/// `function_exists(name, ob, flag)`: the program defining the function
/// `ob` would run for `name`, without extension; 0 when there is none, or
/// when it is private or protected and `flag` is 0.
fn function_exists(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    use lpcc::bytecode::flags;
    let name = str_arg(vm, base, argc, 0, "function_exists")?;
    let r = match arg(vm, base, argc, 1) {
        Value::Object(r) => r,
        Value::Undefined if argc < 2 => match vm.this_object() {
            Some(r) => r,
            None => return Ok(Value::Int(0)),
        },
        other => return Err(bad_arg("function_exists", 1, &other)),
    };
    let all = int_arg(vm, base, argc, 2, "function_exists")? != 0;
    let Some(object) = vm.objects.get(r) else {
        return Ok(Value::Int(0));
    };
    let linked = object.linked.clone();
    let Some(fnref) = linked.resolve(0, &name.text) else {
        return Ok(Value::Int(0));
    };
    let Some(f) = linked.function(fnref) else {
        return Ok(Value::Int(0));
    };
    if !all && f.flags & (flags::PRIVATE | flags::PROTECTED | flags::HIDDEN) != 0 {
        return Ok(Value::Int(0));
    }
    let path = &linked.parts[fnref.part as usize].program.path;
    Ok(Value::str(without_extension(path).to_string()))
}

/// `functions(ob, flag)`: the names of the functions `ob` defines and
/// inherits (flag bit 2: its own program's only). With flag bit 1 each is
/// `({ name, argument count, return type, argument types... })`.
fn functions(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    use lpcc::bytecode::flags;
    let linked = program_of(vm, base, argc, 0, "functions")?;
    let flag = int_arg(vm, base, argc, 1, "functions")?;
    let parts = if flag & 2 != 0 { 1 } else { linked.parts.len() };
    let mut seen = rustc_hash::FxHashSet::default();
    let mut out = Vec::new();
    for part in linked.parts.iter().take(parts) {
        for f in &part.program.functions {
            if f.flags & flags::HIDDEN != 0 || f.name.starts_with('#') {
                continue;
            }
            if !seen.insert(f.name.clone()) {
                continue;
            }
            if flag & 1 == 0 {
                out.push(Value::str(f.name.as_str()));
                continue;
            }
            let mut entry = vec![Value::str(f.name.as_str()), Value::Int(i64::from(f.params))];
            entry.extend(f.types.iter().map(|t| Value::str(t.as_str())));
            out.push(Value::array(entry));
        }
    }
    Ok(Value::array(out))
}

/// `variables(ob, flag)`: the names of `ob`'s global variables, each
/// inherit's (depth first, in inherit order) before the program's own.
/// With a flag each is `({ name, type })`, the type led by its access and
/// `nosave` modifiers (`"public int"`).
fn variables(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let linked = program_of(vm, base, argc, 0, "variables")?;
    let typed = int_arg(vm, base, argc, 1, "variables")? != 0;
    let mut out = Vec::new();
    let mut seen = rustc_hash::FxHashSet::default();
    list_variables(&linked, 0, typed, &mut seen, &mut out);
    Ok(Value::array(out))
}

/// Appends the variables of part `at` and its inherits to `out`, each slot
/// once (a program inherited twice shares its variables).
fn list_variables(
    linked: &crate::vm::object::Linked,
    at: usize,
    typed: bool,
    seen: &mut rustc_hash::FxHashSet<u32>,
    out: &mut Vec<Value>,
) {
    let Some(part) = linked.parts.get(at) else {
        return;
    };
    for &inherit in &part.inherit_parts {
        list_variables(linked, usize::from(inherit), typed, seen, out);
    }
    for (i, g) in part.program.globals.iter().enumerate() {
        let slot = part.var_base + i as u32;
        if !seen.insert(slot) {
            continue;
        }
        if typed {
            let ty = format!("{}{}", variable_modifiers(g.flags), g.ty);
            out.push(Value::array(vec![
                Value::str(g.name.as_str()),
                Value::str(ty),
            ]));
        } else {
            out.push(Value::str(g.name.as_str()));
        }
    }
}

/// The modifiers `variables(ob, 1)` writes before a type, in the order
/// FluffOS writes them; a variable with no access modifier
/// is public, and `static` means protected and nosave.
fn variable_modifiers(bits: u8) -> String {
    use lpcc::ast::Modifiers;
    let has = |m: Modifiers| bits & m.0 != 0;
    let is_static = has(Modifiers::STATIC);
    let mut out = String::new();
    if has(Modifiers::PRIVATE) {
        out.push_str("private ");
    }
    if has(Modifiers::PROTECTED) || is_static {
        out.push_str("protected ");
    }
    let access = Modifiers::PRIVATE.0 | Modifiers::PROTECTED.0 | Modifiers::STATIC.0;
    if has(Modifiers::PUBLIC) || bits & access == 0 {
        out.push_str("public ");
    }
    if has(Modifiers::NOSAVE) || is_static {
        out.push_str("nosave ");
    }
    out
}

/// `origin()`: how the running function was called ("local",
/// "call_other", "efun", ...; "function pointer" inside an efun called
/// through one).
fn origin(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    let depth = vm.frames.len();
    let origin = match vm.frames.last() {
        _ if vm.efun_pointer_at == Some(depth) => crate::vm::Origin::FunctionPointer,
        Some(frame) => frame.origin,
        None => crate::vm::Origin::Driver,
    };
    Ok(Value::str(origin.name()))
}

/// `call_stack(n)`: per active call, innermost first: 0 the program, 1 the
/// object, 2 the function, 3 how it was called (as `origin()` names it),
/// 4 "file:line".
fn call_stack(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let what = int_arg(vm, base, argc, 0, "call_stack")?;
    if !(0..=4).contains(&what) {
        return Err(error(
            "First argument of call_stack() must be 0, 1, 2, 3, or 4.",
        ));
    }
    let mut out = Vec::new();
    for frame in vm.frames.iter().rev() {
        let part = &frame.linked.parts[frame.func.part as usize];
        let function = frame.linked.function(frame.func);
        out.push(match what {
            0 => Value::str(part.program.path.clone()),
            1 => {
                if vm.objects.alive(frame.obj) {
                    Value::Object(frame.obj)
                } else {
                    Value::Int(0)
                }
            }
            2 => Value::str(function.map_or("", |f| f.name.as_str())),
            3 => Value::str(frame.origin.name()),
            _ => {
                let at = function.and_then(|f| f.line_at(frame.pc.saturating_sub(1) as usize));
                let file = at
                    .and_then(|e| part.program.files.get(e.file as usize).cloned())
                    .unwrap_or_else(|| part.program.path.clone());
                Value::str(format!("{file}:{}", at.map_or(0, |e| e.line)))
            }
        });
    }
    Ok(Value::array(out))
}

/// `dump_prog(ob, flags, file)`: writes the listing of `ob`'s program and
/// of every program it inherits to `file` (`/PROG_DUMP` by default).
fn dump_prog(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let linked = program_of(vm, base, argc, 0, "dump_prog")?;
    let file = match arg(vm, base, argc, 2) {
        Value::Str(s) => s.text.to_string(),
        _ => "/PROG_DUMP".to_string(),
    };
    let mut text = String::new();
    for part in &linked.parts {
        text.push_str(&part.program.disassemble());
        text.push('\n');
    }
    let host = vm.compiler.provider.host_path(&file);
    std::fs::write(&host, text)
        .map_err(|e| error(format!("dump_prog(): cannot write {file}: {e}")))?;
    Ok(Value::Int(0))
}

/// The name of each variable slot of a linked program.
fn variable_names(linked: &crate::vm::object::Linked) -> Vec<String> {
    let mut names = vec![String::new(); linked.var_count()];
    for part in &linked.parts {
        for (i, g) in part.program.globals.iter().enumerate() {
            if let Some(slot) = names.get_mut(part.var_base as usize + i) {
                *slot = g.name.to_string();
            }
        }
    }
    names
}

/// `debug_info(what, ob)`: 0 the object's flags and links, 1 its
/// program's figures, 2 each variable with its value; all as text.
fn debug_info(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    use std::fmt::Write;
    let what = int_arg(vm, base, argc, 0, "debug_info")?;
    let r = live_object(vm, base, argc, 1, "debug_info")?;
    let Some(object) = vm.objects.get(r) else {
        return Ok(Value::Int(0));
    };
    let linked = object.linked.clone();
    let name = object.name.clone();
    let mut out = String::new();
    match what {
        0 => {
            let ext = vm.objext.ext(r);
            let flag = |b: bool| if b { "TRUE" } else { "FALSE" };
            let living = ext.is_some_and(|e| e.living);
            let hidden = ext.is_some_and(|e| e.hidden);
            let virtual_object = ext.is_some_and(|e| e.virtual_object);
            let _ = writeln!(out, "O_ENABLE_COMMANDS : {}", flag(living));
            let _ = writeln!(out, "O_CLONE           : {}", flag(name.contains('#')));
            let _ = writeln!(out, "O_VIRTUAL         : {}", flag(virtual_object));
            let _ = writeln!(out, "O_HIDDEN          : {}", flag(hidden));
            let _ = writeln!(out, "O_DESTRUCTED      : FALSE");
            let _ = writeln!(out, "name        : '{name}'");
            let env = super::inventory::env_of(vm, r).and_then(|e| vm.object_name(e));
            let _ = writeln!(out, "environment : {}", env.as_deref().unwrap_or("0"));
            let count = super::inventory::inventory(vm, r).len();
            let _ = writeln!(out, "inventory   : {count}");
            let uid = ext.and_then(|e| e.uid.clone());
            let euid = ext.and_then(|e| e.euid.clone());
            let _ = writeln!(out, "uid         : {}", uid.as_deref().unwrap_or("0"));
            let _ = writeln!(out, "euid        : {}", euid.as_deref().unwrap_or("0"));
        }
        1 => {
            let mut sizes = ProgramSizes::default();
            for part in &linked.parts {
                sizes.add(&part.program);
            }
            let Some(top) = linked.parts.first() else {
                return Ok(Value::str(out));
            };
            let p = &top.program;
            let _ = writeln!(out, "Name {}", p.path);
            let _ = writeln!(out, "code size {}", sizes.code);
            let _ = writeln!(out, "num functions {}", p.functions.len());
            let _ = writeln!(out, "num strings {}", p.strings.len());
            let _ = writeln!(out, "num vars {}", p.globals.len());
            let _ = writeln!(out, "num inherits {}", p.inherits.len());
            let _ = writeln!(out, "total size {}", sizes.total());
        }
        2 => {
            let names = variable_names(&linked);
            let values = vm
                .objects
                .get(r)
                .map(|o| o.vars.clone())
                .unwrap_or_default();
            for (name, value) in names.iter().zip(values.iter()) {
                let text = super::strings::describe(vm, value);
                let _ = writeln!(out, "{name}: {text}");
            }
        }
        _ => return Err(bad_arg("debug_info", 0, &Value::Int(what))),
    }
    Ok(Value::str(out))
}

/// Bytes one compiled program takes, by part, in `program_info`'s terms.
#[derive(Default)]
struct ProgramSizes {
    header: usize,
    code: usize,
    functions: usize,
    strings: usize,
    vars: usize,
    classes: usize,
    inherits: usize,
}

impl ProgramSizes {
    fn add(&mut self, p: &lpcc::bytecode::Program) {
        use lpcc::bytecode::{ClassLayout, Function, Global, InheritDecl, Instr};
        use std::mem::size_of;
        self.header += size_of::<lpcc::bytecode::Program>();
        self.code += p
            .functions
            .iter()
            .map(|f| f.code.len() * size_of::<Instr>())
            .sum::<usize>();
        self.functions += p.functions.len() * size_of::<Function>();
        self.strings += p.strings.iter().map(|s| s.len()).sum::<usize>();
        self.vars += p.globals.len() * size_of::<Global>();
        self.classes += p.classes.len() * size_of::<ClassLayout>();
        self.inherits += p.inherits.len() * size_of::<InheritDecl>();
    }

    fn total(&self) -> usize {
        self.header
            + self.code
            + self.functions
            + self.strings
            + self.vars
            + self.classes
            + self.inherits
    }
}

/// `program_info(ob)`: the sizes of `ob`'s program and its inherits; of
/// every loaded program when left out.
fn program_info(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let mut sizes = ProgramSizes::default();
    if argc > 0 {
        let linked = program_of(vm, base, argc, 0, "program_info")?;
        for part in &linked.parts {
            sizes.add(&part.program);
        }
    } else {
        let mut seen = rustc_hash::FxHashSet::default();
        for r in all_objects(vm) {
            let Some(o) = vm.objects.get(r) else { continue };
            for part in &o.linked.parts {
                if seen.insert(std::sync::Arc::as_ptr(&part.program)) {
                    sizes.add(&part.program);
                }
            }
        }
    }
    let entries = [
        ("header size", sizes.header),
        ("code size", sizes.code),
        ("function size", sizes.functions),
        ("string size", sizes.strings),
        ("var size", sizes.vars),
        ("class size", sizes.classes),
        ("inherit size", sizes.inherits),
        ("total size", sizes.total()),
    ];
    let m = crate::vm::ops::new_mapping(entries.len());
    if let Value::Mapping(map) = &m {
        let mut map = map.borrow_mut();
        for (k, v) in entries {
            map.insert(Value::str(k), Value::Int(v as i64));
        }
    }
    Ok(m)
}

/// Bytes a value holds beyond its own 16: string text, array and
/// mapping slots (shallowly: shared values are not followed).
pub fn value_bytes(v: &Value) -> usize {
    const SLOT: usize = std::mem::size_of::<Value>();
    match v {
        Value::Str(s) => s.text.len(),
        Value::Array(a) => a.borrow().len() * SLOT,
        Value::Mapping(m) => m.borrow().len() * 2 * SLOT,
        Value::Buffer(b) => b.borrow().len(),
        Value::Class(c) => c.fields.borrow().len() * SLOT,
        _ => 0,
    }
}

/// Bytes one object takes: its record, its variables and what they hold.
pub fn object_bytes(vm: &Vm, r: ObjRef) -> usize {
    let Some(o) = vm.objects.get(r) else { return 0 };
    std::mem::size_of::<crate::vm::object::Object>()
        + o.name.len()
        + o.vars.len() * std::mem::size_of::<Value>()
        + o.vars.iter().map(value_bytes).sum::<usize>()
}

/// `memory_info(ob)`: the bytes an object takes; without one, the bytes
/// of every object and every loaded program.
fn memory_info(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    if argc > 0 {
        let r = live_object(vm, base, argc, 0, "memory_info")?;
        return Ok(Value::Int(object_bytes(vm, r) as i64));
    }
    let mut total = 0;
    let mut programs = ProgramSizes::default();
    let mut seen = rustc_hash::FxHashSet::default();
    for r in all_objects(vm) {
        total += object_bytes(vm, r);
        let Some(o) = vm.objects.get(r) else { continue };
        for part in &o.linked.parts {
            if seen.insert(std::sync::Arc::as_ptr(&part.program)) {
                programs.add(&part.program);
            }
        }
    }
    Ok(Value::Int((total + programs.total()) as i64))
}

/// The evaluation limit is wall time here, in microseconds.
fn set_eval_limit(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let n = int_arg(vm, base, argc, 0, "set_eval_limit")?;
    eval_limit(vm, n)
}

/// 0 restarts the budget and gives the limit, -1 gives what is left of
/// the budget, 1 gives the limit, more sets the limit.
fn eval_limit(vm: &mut Vm, n: i64) -> Result<Value, Unwind> {
    let limit = vm.limits.eval_time.as_micros() as i64;
    match n {
        0 => {
            vm.deadline = Some(std::time::Instant::now() + vm.limits.eval_time);
            Ok(Value::Int(limit))
        }
        -1 => {
            let left = vm.deadline.map_or(vm.limits.eval_time, |d| {
                d.saturating_duration_since(std::time::Instant::now())
            });
            Ok(Value::Int(left.as_micros() as i64))
        }
        1 => Ok(Value::Int(limit)),
        n if n < -1 => Err(error("Invalid number.")),
        n => {
            vm.limits.eval_time = std::time::Duration::from_micros(n as u64);
            Ok(Value::Int(n))
        }
    }
}

fn uid_value(uid: Option<&Rc<str>>) -> Value {
    uid.map_or(Value::Int(0), |u| Value::str(u.to_string()))
}

fn getuid(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let r = live_object(vm, base, argc, 0, "getuid")?;
    prepare_master(vm)?;
    match vm.objext.ext(r).and_then(|e| e.uid.clone()) {
        Some(uid) => Ok(Value::str(uid.to_string())),
        None => Err(error(
            "Object has no UID: This could happen if you call getuid() in master:creator_file().",
        )),
    }
}

fn geteuid(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    prepare_master(vm)?;
    let owner = match arg(vm, base, argc, 0) {
        Value::Function(f) => f.owner,
        _ => live_object(vm, base, argc, 0, "geteuid")?,
    };
    Ok(uid_value(
        vm.objext.ext(owner).and_then(|e| e.euid.as_ref()),
    ))
}

/// `seteuid(id)`: master `valid_seteuid(ob, id)` decides; 0 clears it.
fn seteuid(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    prepare_master(vm)?;
    let Some(me) = vm.this_object() else {
        return Ok(Value::Int(0));
    };
    let id = match arg(vm, base, argc, 0) {
        Value::Int(0) | Value::Undefined => {
            vm.objext.ext_mut(me).euid = None;
            return Ok(Value::Int(1));
        }
        Value::Str(s) => s,
        other => return Err(bad_arg("seteuid", 0, &other)),
    };
    let args = vec![Value::Object(me), Value::Str(id.clone())];
    let approved = master_apply(vm, "valid_seteuid", args)?.is_some_and(|v| v.truthy());
    if !approved {
        return Ok(Value::Int(0));
    }
    vm.objext.ext_mut(me).euid = Some(Rc::from(id.text.as_str()));
    Ok(Value::Int(1))
}

/// Gives `ob` the current object's euid as its uid, when `ob` has no euid.
fn export_uid(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let target = live_object(vm, base, argc, 0, "export_uid")?;
    let Some(me) = vm.this_object() else {
        return Ok(Value::Int(0));
    };
    let Some(euid) = vm.objext.ext(me).and_then(|e| e.euid.clone()) else {
        return Err(error("Illegal to export uid 0"));
    };
    let ext = vm.objext.ext_mut(target);
    if ext.euid.is_some() {
        return Ok(Value::Int(0));
    }
    ext.uid = Some(euid);
    Ok(Value::Int(1))
}

/// `set_privs(ob, privs)`: a string, or 0 for none.
fn set_privs(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let r = live_object(vm, base, argc, 0, "set_privs")?;
    let privs = match arg(vm, base, argc, 1) {
        Value::Str(s) => Some(Rc::from(s.text.as_str())),
        Value::Int(0) | Value::Undefined => None,
        other => return Err(bad_arg("set_privs", 1, &other)),
    };
    vm.objext.ext_mut(r).privs = privs;
    Ok(Value::Int(0))
}

fn query_privs(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let r = live_object(vm, base, argc, 0, "query_privs")?;
    Ok(uid_value(vm.objext.ext(r).and_then(|e| e.privs.as_ref())))
}

fn stats_mapping(s: &Stats) -> Value {
    let m = crate::vm::ops::new_mapping(1);
    if let Value::Mapping(map) = &m {
        let mut map = map.borrow_mut();
        map.insert(Value::str("objects"), Value::Int(s.objects));
    }
    m
}

/// `domain_stats(name)` / `author_stats(name)`: one entry's counters (0
/// when unknown), or every entry's by name.
fn stats_efun(vm: &mut Vm, base: usize, argc: usize, efun: &str) -> Result<Value, Unwind> {
    prepare_master(vm)?;
    let table = if efun == "domain_stats" {
        &vm.objext.domains
    } else {
        &vm.objext.authors
    };
    match arg(vm, base, argc, 0) {
        Value::Str(name) => Ok(table
            .get(name.text.as_str())
            .map_or(Value::Int(0), stats_mapping)),
        Value::Undefined => {
            let m = crate::vm::ops::new_mapping(table.len());
            if let Value::Mapping(map) = &m {
                let mut map = map.borrow_mut();
                for (name, s) in table {
                    map.insert(Value::str(name.to_string()), stats_mapping(s));
                }
            }
            Ok(m)
        }
        other => Err(bad_arg(efun, 0, &other)),
    }
}

fn set_author(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let name = str_arg(vm, base, argc, 0, "set_author")?;
    if let Some(me) = vm.this_object() {
        set_stat_owner(vm, me, Owner::Author, Some(Rc::from(name.text.as_str())));
    }
    Ok(Value::Int(0))
}
