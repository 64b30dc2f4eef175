//! The natural-language command parser used by Lima-style mudlibs: verb
//! handler objects register rules such as "OBJ in OBJ" for verbs, and
//! `parse_sentence` matches a player's input against them, asking the
//! objects involved (through `can_`, `direct_`, `indirect_` and `do_`
//! applies) whether the action makes sense. This file keeps the verbs,
//! rules and per-object caches; `parser/search.rs` does the matching.

mod search;

use std::rc::Rc;

use rustc_hash::FxHashMap;

use super::{arg, str_arg};
use crate::vm::object::ObjRef;
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};

/// Object token modifiers, combined with [`OBJ_BASE`] in [`Token::Obj`].
pub const LIV: u8 = 8;
/// The object need only be visible, not within reach.
pub const VIS: u8 = 16;
pub const PLURAL: u8 = 32;
/// Take the first fitting object instead of reporting an ambiguity.
pub const CHOOSE: u8 = 64;
pub const OBJ_BASE: u8 = 4;

/// The most tokens a rule may have.
const MAX_TOKENS: usize = 10;

/// One element of a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token {
    Str,
    Wrd,
    /// An object token: [`OBJ_BASE`] with modifier bits.
    Obj(u8),
    /// A preposition, by its index in the master's list.
    Lit(usize),
}

/// A rule of a verb, owned by the object that handles it.
#[derive(Debug)]
pub struct Rule {
    pub handler: ObjRef,
    /// Preferred over lighter rules when both match.
    pub weight: i32,
    /// The first two prepositions, which the input must contain in order.
    pub lits: [Option<usize>; 2],
    pub tokens: Vec<Token>,
}

/// A verb as typed (`real_name`) and the verb its applies are named after
/// (`match_name`): they differ for synonyms.
#[derive(Debug)]
pub struct Verb {
    pub real_name: Rc<str>,
    pub match_name: Rc<str>,
    /// Newest first: that is the order in which rules are tried.
    pub rules: Vec<Rc<Rule>>,
    /// A whole-verb synonym: the index of the verb it stands for.
    pub synonym_of: Option<usize>,
    /// Some rule has an object token, so objects must be gathered.
    pub has_obj: bool,
}

/// What the parser remembers about an object made known by `parse_init`.
#[derive(Debug, Default, Clone)]
pub struct ObjInfo {
    /// The names below were asked for.
    pub setup: bool,
    /// `parse_refresh` was called: the names are asked again at each parse.
    pub refresh: bool,
    pub verb_handler: bool,
    /// The handler's `livings_are_remote()`: living objects anywhere match.
    pub remote_livings: bool,
    pub living: bool,
    pub inv_accessible: bool,
    pub inv_visible: bool,
    pub ids: Vec<Rc<str>>,
    pub plurals: Vec<Rc<str>>,
    pub adjs: Vec<Rc<str>>,
}

/// The parser's lasting state: verbs, object caches and the master's lists.
#[derive(Debug, Default)]
pub struct ParserState {
    pub info: FxHashMap<ObjRef, ObjInfo>,
    /// In creation order; entries are never removed, so indices last.
    pub verbs: Vec<Verb>,
    /// The master's `parse_command_prepos_list()`, asked once.
    literals: Option<Rc<[Rc<str>]>>,
    /// The master's `parse_command_users()`, asked again after the
    /// master calls `parse_refresh()`.
    users: Option<Rc<[ObjRef]>>,
    /// Parses under way: `parse_my_rules` may not run inside one.
    active: usize,
    /// How far the last parse got (1: a verb, 2: a whole rule), which
    /// `parse_my_rules` reports as it stands.
    found_level: i32,
}

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("parse_init", parse_init);
    m.insert("parse_refresh", parse_refresh);
    m.insert("parse_add_rule", parse_add_rule);
    m.insert("parse_remove", parse_remove);
    m.insert("parse_add_synonym", parse_add_synonym);
    m.insert("parse_dump", parse_dump);
    m.insert("parse_sentence", search::parse_sentence);
    m.insert("parse_my_rules", search::parse_my_rules);
}

fn current(vm: &Vm, efun: &str) -> Result<ObjRef, Unwind> {
    vm.this_object()
        .ok_or_else(|| error(format!("{efun}() without a current object")))
}

fn not_known(vm: &Vm, r: ObjRef) -> Unwind {
    let name = vm.object_name(r).unwrap_or_else(|| Rc::from("?"));
    error(format!(
        "{name} is not known by the parser.  Call parse_init() first."
    ))
}

/// Forgets rules of destructed handlers and caches of destructed objects.
fn prune(vm: &mut Vm) {
    let objects = &vm.objects;
    vm.parser.info.retain(|&r, _| objects.alive(r));
    for verb in &mut vm.parser.verbs {
        verb.rules.retain(|rule| objects.alive(rule.handler));
    }
}

/// Calls a driver apply; an error in it is reported and counts as no
/// answer, as the parser asks many objects and one broken object must not
/// stop the others. Only the time limit and shutdown go through.
pub fn safe_apply(
    vm: &mut Vm,
    ob: ObjRef,
    name: &str,
    args: Vec<Value>,
) -> Result<Option<Value>, Unwind> {
    if !vm.objects.alive(ob) {
        return Ok(None);
    }
    match vm.apply(ob, name, args, true) {
        Ok(v) => Ok(v),
        Err(e @ (Unwind::EvalCost | Unwind::Shutdown(_))) => Err(e),
        Err(e) => {
            crate::boot::report(vm, &e);
            Ok(None)
        }
    }
}

/// The strings of an apply's array answer.
fn string_list(v: Option<Value>) -> Vec<Rc<str>> {
    let Some(Value::Array(a)) = v else {
        return Vec::new();
    };
    a.borrow()
        .iter()
        .filter_map(|v| match v {
            Value::Str(s) => Some(Rc::from(s.text.as_str())),
            _ => None,
        })
        .collect()
}

/// The master's prepositions, asked for once.
pub fn literals(vm: &mut Vm) -> Result<Rc<[Rc<str>]>, Unwind> {
    if let Some(l) = &vm.parser.literals {
        return Ok(l.clone());
    }
    let answer = match vm.master.filter(|&m| vm.objects.alive(m)) {
        Some(m) => vm.apply(m, "parse_command_prepos_list", Vec::new(), true)?,
        None => None,
    };
    let list: Rc<[Rc<str>]> = string_list(answer).into();
    vm.parser.literals = Some(list.clone());
    Ok(list)
}

/// The master's list of users, who are found wherever they are.
pub fn users(vm: &mut Vm) -> Result<Rc<[ObjRef]>, Unwind> {
    if let Some(u) = &vm.parser.users {
        return Ok(u.clone());
    }
    let answer = match vm.master.filter(|&m| vm.objects.alive(m)) {
        Some(m) => vm.apply(m, "parse_command_users", Vec::new(), true)?,
        None => None,
    };
    let list: Vec<ObjRef> = match answer {
        Some(Value::Array(a)) => a
            .borrow()
            .iter()
            .filter_map(|v| match v {
                Value::Object(r) => Some(*r),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let list: Rc<[ObjRef]> = list.into();
    vm.parser.users = Some(list.clone());
    Ok(list)
}

fn parse_init(vm: &mut Vm, _base: usize, _argc: usize) -> Result<Value, Unwind> {
    let me = current(vm, "parse_init")?;
    vm.parser.info.entry(me).or_default();
    Ok(Value::Int(0))
}

fn parse_refresh(vm: &mut Vm, _base: usize, _argc: usize) -> Result<Value, Unwind> {
    let me = current(vm, "parse_refresh")?;
    if vm.master == Some(me) {
        vm.parser.users = None;
        if !vm.parser.info.contains_key(&me) {
            return Ok(Value::Int(0));
        }
    }
    let Some(info) = vm.parser.info.get_mut(&me) else {
        return Err(not_known(vm, me));
    };
    let handler = info.verb_handler;
    // Names are asked again at the next parse, and from then on at every
    // parse, as the object said they change.
    *info = ObjInfo {
        verb_handler: handler,
        refresh: info.setup,
        ..ObjInfo::default()
    };
    // Handlers are not asked again at parse time, so ask now.
    if handler {
        let remote = safe_apply(vm, me, "livings_are_remote", Vec::new())?;
        if let Some(info) = vm.parser.info.get_mut(&me) {
            info.remote_livings = remote.is_some_and(|v| v.truthy());
        }
    }
    Ok(Value::Int(0))
}

/// The start of a token for an error message: at most 50 bytes.
fn clip(text: &str) -> String {
    if text.len() <= 50 {
        return text.to_string();
    }
    let mut end = 50;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

/// One word of a rule, with what it adds to the rule's weight.
fn rule_token(word: &str, literals: &[Rc<str>]) -> Result<(Token, i32), Unwind> {
    let bytes = word.as_bytes();
    let n = bytes.len();
    if n == 3 || (n > 4 && bytes[3] == b':') {
        let named = match &bytes[..3] {
            b"OBJ" => Some((Some(OBJ_BASE), Token::Obj(OBJ_BASE))),
            b"LIV" => Some((Some(OBJ_BASE | LIV), Token::Obj(OBJ_BASE | LIV))),
            b"OBS" => Some((Some(OBJ_BASE | PLURAL), Token::Obj(OBJ_BASE | PLURAL))),
            b"LVS" => Some((
                Some(OBJ_BASE | LIV | PLURAL),
                Token::Obj(OBJ_BASE | LIV | PLURAL),
            )),
            b"STR" => Some((None, Token::Str)),
            b"WRD" => Some((None, Token::Wrd)),
            _ => None,
        };
        if let Some((bits, token)) = named {
            let Some(mut bits) = bits else {
                if n != 3 {
                    return Err(error(format!(
                        "Illegal to have modifiers to '{}'",
                        &word[..3]
                    )));
                }
                return Ok((token, 1));
            };
            for &m in &bytes[n.min(4)..] {
                bits |= match m {
                    b'l' => LIV,
                    b'v' => VIS,
                    b'p' => PLURAL,
                    b'c' => CHOOSE,
                    _ => {
                        let c = word[4..].chars().find(|c| !"lvpc".contains(*c));
                        return Err(error(format!("Unknown modifier '{}'", c.unwrap_or('?'))));
                    }
                };
            }
            // Objects weigh more than words; a singular object more than
            // a plural one, so "take fish" prefers one fish.
            let mut weight = 2;
            if bits & PLURAL != 0 {
                weight -= 1;
            }
            if bits & LIV != 0 {
                weight += 1;
            }
            if bits & VIS == 0 {
                weight += 1;
            }
            return Ok((Token::Obj(bits), weight));
        }
    }
    match literals.iter().position(|l| &**l == word) {
        Some(i) => Ok((Token::Lit(i), 1)),
        None => Err(error(format!("Unknown token '{}'", clip(word)))),
    }
}

/// A rule's tokens and weight.
pub fn make_rule(text: &str, literals: &[Rc<str>]) -> Result<(Vec<Token>, i32), Unwind> {
    let mut tokens = Vec::new();
    let mut weight = 1;
    let mut objects = 0;
    let mut plural = false;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if tokens.len() == MAX_TOKENS - 1 {
            return Err(error(format!(
                "Only {MAX_TOKENS} tokens permitted per rule!"
            )));
        }
        let (token, w) = rule_token(word, literals)?;
        weight += w;
        if let Token::Obj(bits) = token {
            objects += 1;
            if objects == 3 {
                return Err(error("Only two object tokens allowed per rule."));
            }
            if bits & PLURAL != 0 {
                if plural {
                    return Err(error("Only one plural token allowed per rule."));
                }
                plural = true;
            }
        }
        tokens.push(token);
    }
    Ok((tokens, weight))
}

/// A rule as text, as `parse_dump` and the `verb_rule` applies show it.
pub fn rule_string(tokens: &[Token], literals: &[Rc<str>]) -> String {
    let words: Vec<&str> = tokens
        .iter()
        .map(|t| match *t {
            Token::Str => "STR",
            Token::Wrd => "WRD",
            Token::Obj(bits) => match (bits & LIV != 0, bits & PLURAL != 0) {
                (false, false) => "OBJ",
                (true, false) => "LIV",
                (false, true) => "OBS",
                (true, true) => "LVS",
            },
            Token::Lit(i) => literals.get(i).map_or("", |l| l),
        })
        .collect();
    words.join(" ")
}

fn new_rule(handler: ObjRef, tokens: Vec<Token>, weight: i32) -> Rule {
    let mut lits = [None, None];
    for (slot, i) in lits.iter_mut().zip(tokens.iter().filter_map(|t| match t {
        Token::Lit(i) => Some(*i),
        _ => None,
    })) {
        *slot = Some(i);
    }
    Rule {
        handler,
        weight,
        lits,
        tokens,
    }
}

fn has_object(tokens: &[Token]) -> bool {
    tokens.iter().any(|t| matches!(t, Token::Obj(_)))
}

fn parse_add_rule(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let verb = str_arg(vm, base, argc, 0, "parse_add_rule")?;
    let text = str_arg(vm, base, argc, 1, "parse_add_rule")?;
    let me = current(vm, "parse_add_rule")?;
    if !vm.parser.info.contains_key(&me) {
        return Err(not_known(vm, me));
    }
    let literals = literals(vm)?;
    let (tokens, weight) = make_rule(&text.text, &literals)?;
    let verb = verb.text.as_str();
    let state = &mut vm.parser;
    let at = state
        .verbs
        .iter()
        .position(|v| &*v.match_name == verb && &*v.real_name == verb && v.synonym_of.is_none());
    let at = at.unwrap_or_else(|| {
        let name: Rc<str> = Rc::from(verb);
        state.verbs.push(Verb {
            real_name: name.clone(),
            match_name: name,
            rules: Vec::new(),
            synonym_of: None,
            has_obj: false,
        });
        state.verbs.len() - 1
    });
    let entry = &mut state.verbs[at];
    entry.has_obj |= has_object(&tokens);
    entry.rules.insert(0, Rc::new(new_rule(me, tokens, weight)));
    if let Some(info) = state.info.get_mut(&me) {
        info.verb_handler = true;
    }
    let remote = safe_apply(vm, me, "livings_are_remote", Vec::new())?;
    if remote.is_some_and(|v| v.truthy())
        && let Some(info) = vm.parser.info.get_mut(&me)
    {
        info.remote_livings = true;
    }
    Ok(Value::Int(0))
}

fn parse_remove(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let verb = str_arg(vm, base, argc, 0, "parse_remove")?;
    let me = current(vm, "parse_remove")?;
    for entry in &mut vm.parser.verbs {
        if *entry.match_name == *verb.text {
            entry.rules.retain(|r| r.handler != me);
        }
    }
    Ok(Value::Int(0))
}

fn parse_add_synonym(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let new_verb = str_arg(vm, base, argc, 0, "parse_add_synonym")?;
    let old_verb = str_arg(vm, base, argc, 1, "parse_add_synonym")?;
    let rule = match arg(vm, base, argc, 2) {
        Value::Str(s) if argc > 2 => Some(s),
        _ => None,
    };
    let me = current(vm, "parse_add_synonym")?;
    let (new_verb, old_verb) = (new_verb.text.as_str(), old_verb.text.as_str());
    if new_verb == old_verb {
        return Err(error("Verb cannot be a synonym for itself."));
    }
    let Some(real) = vm
        .parser
        .verbs
        .iter()
        .position(|v| &*v.real_name == old_verb && &*v.match_name == old_verb)
    else {
        return Err(error(format!("{old_verb} is not a verb!")));
    };
    let copied = match &rule {
        Some(text) => {
            let literals = literals(vm)?;
            let (tokens, _) = make_rule(&text.text, &literals)?;
            let Some(found) = vm.parser.verbs[real]
                .rules
                .iter()
                .find(|r| r.tokens == tokens)
                .cloned()
            else {
                return Err(error("No such rule defined."));
            };
            if found.handler != me {
                return Err(error("Rule owned by different object."));
            }
            Some(found)
        }
        None => None,
    };
    let state = &mut vm.parser;
    let at = state.verbs.iter().position(|v| {
        &*v.real_name == new_verb
            && &*v.match_name == old_verb
            && (v.synonym_of.is_some() != copied.is_some())
    });
    let at = at.unwrap_or_else(|| {
        state.verbs.push(Verb {
            real_name: Rc::from(new_verb),
            match_name: state.verbs[real].match_name.clone(),
            rules: Vec::new(),
            synonym_of: None,
            has_obj: false,
        });
        state.verbs.len() - 1
    });
    match copied {
        Some(found) => {
            let entry = &mut state.verbs[at];
            entry.has_obj |= has_object(&found.tokens);
            entry.rules.insert(0, found);
        }
        None => {
            let has_obj = state.verbs[real].has_obj;
            let entry = &mut state.verbs[at];
            entry.synonym_of = Some(real);
            entry.has_obj = has_obj;
        }
    }
    Ok(Value::Int(0))
}

fn parse_dump(vm: &mut Vm, _base: usize, _argc: usize) -> Result<Value, Unwind> {
    prune(vm);
    let literals = vm.parser.literals.clone().unwrap_or_else(|| Rc::from([]));
    let mut out = String::new();
    for v in &vm.parser.verbs {
        if v.real_name == v.match_name {
            out.push_str(&format!("Verb {}:\n", v.real_name));
        } else {
            out.push_str(&format!("Verb {} ({}):\n", v.real_name, v.match_name));
        }
        if let Some(real) = v.synonym_of {
            let name = vm.parser.verbs.get(real).map_or("", |r| &r.real_name);
            out.push_str(&format!("  Synonym for: {name}\n"));
            continue;
        }
        for rule in &v.rules {
            let name = vm.object_name(rule.handler).unwrap_or_else(|| Rc::from(""));
            out.push_str(&format!(
                "  ({name}) {}\n",
                rule_string(&rule.tokens, &literals)
            ));
        }
    }
    Ok(Value::str(out))
}
