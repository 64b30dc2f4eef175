//! Matching a sentence against the verbs' rules: splitting the input into
//! words, gathering the objects in reach and their names, trying every
//! rule and every way its tokens can cover the words, asking the handler
//! and the objects whether the action makes sense, and finally calling the
//! best rule's `do_` apply or reporting the best error.

use std::rc::Rc;

use rustc_hash::FxHashMap;

use super::{
    CHOOSE, LIV, ObjInfo, PLURAL, Rule, Token, VIS, literals, not_known, prune, rule_string,
    safe_apply, users,
};
use crate::efuns::inventory::{env_of, inventory};
use crate::efuns::{arg, bad_arg, int_arg, str_arg};
use crate::vm::object::ObjRef;
use crate::vm::value::{Mapping, Value};
use crate::vm::{Unwind, Vm, error};

/// Error kinds, as the master's `parser_error_message` receives them.
const ERR_IS_NOT: i64 = 1;
const ERR_NOT_LIVING: i64 = 2;
const ERR_NOT_ACCESSIBLE: i64 = 3;
const ERR_AMBIG: i64 = 4;
const ERR_ORDINAL: i64 = 5;
const ERR_ALLOCATED: i64 = 6;
const ERR_THERE_IS_NO: i64 = 7;
const ERR_BAD_MULTIPLE: i64 = 8;

const MAX_WORDS: usize = 256;
/// Room for the words of one sentence, in bytes.
const MAX_TEXT: usize = 1023;
const MAX_OBJECTS: usize = 4096;
/// Nested inventory arrays deeper than this are not looked into.
const MAX_ARRAY_DEPTH: usize = 100;
/// A budget of search steps per parse: a rule of many STR tokens over a
/// long sentence could otherwise try combinations for ages.
const MAX_STEPS: u64 = 2_000_000;

/// A set of objects by their index in the parse's object list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Bits(Vec<u64>);

impl Bits {
    fn first(n: usize) -> Bits {
        let mut b = Bits(vec![0; n.div_ceil(64)]);
        for i in 0..n {
            b.set(i);
        }
        b
    }

    fn one(i: usize) -> Bits {
        let mut b = Bits::default();
        b.set(i);
        b
    }

    fn set(&mut self, i: usize) {
        if self.0.len() <= i / 64 {
            self.0.resize(i / 64 + 1, 0);
        }
        self.0[i / 64] |= 1 << (i % 64);
    }

    fn clear(&mut self, i: usize) {
        if let Some(w) = self.0.get_mut(i / 64) {
            *w &= !(1 << (i % 64));
        }
    }

    /// Keeps only the members of `other`; whether any is left.
    fn and(&mut self, other: &Bits) -> bool {
        self.0.truncate(other.0.len());
        let mut any = false;
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a &= b;
            any |= *a != 0;
        }
        any
    }

    fn count(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    fn members(&self) -> Vec<usize> {
        let mut out = Vec::new();
        for (i, &w) in self.0.iter().enumerate() {
            let mut w = w;
            while w != 0 {
                let b = w.trailing_zeros() as usize;
                out.push(i * 64 + b);
                w &= w - 1;
            }
        }
        out
    }
}

/// What a word means: the objects calling themselves by it.
#[derive(Clone, Debug, Default)]
struct Entry {
    noun: Option<Bits>,
    plural: Option<Bits>,
    adj: Option<Bits>,
    /// A nickname from the caller's mapping, not looked up yet.
    nickname: bool,
}

/// One word of the current reading of the input: possibly several input
/// words that together form a known phrase.
#[derive(Clone, Debug)]
struct Word {
    text: Rc<str>,
    /// Byte offsets of its first and last character in the input.
    start: usize,
    end: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
enum MTok {
    #[default]
    Error,
    Str,
    Wrd,
    Obj(u8),
}

impl MTok {
    fn plural(self) -> bool {
        matches!(self, MTok::Obj(b) if b & PLURAL != 0)
    }
}

/// How a token of the rule covered words.
#[derive(Clone, Debug, Default)]
struct Match {
    token: MTok,
    first: usize,
    last: usize,
    ordinal: i32,
    obs: Bits,
    /// The object chosen for a singular token.
    number: Option<usize>,
}

/// Where one attempt at a rule stands.
#[derive(Clone, Copy, Debug, Default)]
struct State {
    tok: usize,
    word: usize,
    matches: usize,
    errors: i32,
    objs: i32,
}

/// Why a parse failed, kept until the master turns it into text.
#[derive(Clone, Debug)]
enum PErr {
    /// No such object, not living or not in reach: the noun, and whether
    /// it names other than exactly one object.
    Noun(i64, Rc<str>, bool),
    Ambig(Bits),
    Ordinal(i64),
    Text(String),
    ThereIsNo(String),
    BadMultiple,
}

/// The best full match: the handler and its four `do_` calls.
struct Found {
    ob: ObjRef,
    calls: Vec<(String, Vec<Value>)>,
}

/// Special words of object phrases.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Special {
    None,
    Article,
    Me,
    Ordinal(i32),
    All,
    Of,
}

fn special(word: &str) -> Special {
    match word {
        "the" => Special::Article,
        "me" | "myself" => Special::Me,
        "all" => Special::All,
        "of" => Special::Of,
        "a" | "an" | "any" | "first" => Special::Ordinal(1),
        "second" | "other" => Special::Ordinal(2),
        "third" => Special::Ordinal(3),
        "fourth" => Special::Ordinal(4),
        "fifth" => Special::Ordinal(5),
        "sixth" => Special::Ordinal(6),
        "seventh" => Special::Ordinal(7),
        "eighth" => Special::Ordinal(8),
        "ninth" => Special::Ordinal(9),
        _ => numeric_ordinal(word).map_or(Special::None, Special::Ordinal),
    }
}

/// "1st", "22nd", "13th": a number with its English ending.
fn numeric_ordinal(word: &str) -> Option<i32> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits == word.len() {
        return None;
    }
    let (number, ending) = word.split_at(digits);
    let teen = digits >= 2 && number.as_bytes()[digits - 2] == b'1';
    let expected = match number.as_bytes()[digits - 1] {
        b'1' if !teen => "st",
        b'2' if !teen => "nd",
        b'3' if !teen => "rd",
        _ => "th",
    };
    if ending != expected {
        return None;
    }
    Some(
        number
            .parse::<i64>()
            .unwrap_or(i64::MAX)
            .min(i32::MAX as i64) as i32,
    )
}

/// Bytes dropped from the input as if not typed.
fn ignored(b: u8) -> bool {
    b < 0x20 || b == 0x7f || b == b'\''
}

/// Bytes that make up words; the rest separate them.
fn word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80 || b"*?!.:".contains(&b)
}

/// The input's words, lowercased, with where each starts and ends; `None`
/// when there are too many to parse.
fn split_words(input: &str) -> Option<Vec<Word>> {
    let b = input.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    while i < b.len() && (b[i] == b' ' || ignored(b[i])) {
        i += 1;
    }
    let mut start = i;
    let mut current: Vec<u8> = Vec::new();
    let mut total = 0;
    let mut truncated = false;
    while i < b.len() {
        let c = b[i];
        i += 1;
        if ignored(c) {
            continue;
        }
        if word_byte(c) && total < MAX_TEXT {
            current.push(c.to_ascii_lowercase());
            total += 1;
            if total == MAX_TEXT {
                truncated = true;
                break;
            }
            continue;
        }
        // A space ends a word; other punctuation ends it too, with any
        // punctuation that follows.
        let end = if c == b' ' {
            i -= 1;
            i.saturating_sub(1)
        } else {
            while i < b.len() && !word_byte(b[i]) && b[i] != b' ' {
                i += 1;
            }
            i - 1
        };
        let ended = !current.is_empty();
        if ended {
            words.push(Word {
                text: Rc::from(String::from_utf8_lossy(&current).as_ref()),
                start,
                end,
            });
            current.clear();
            total += 1;
            if words.len() == MAX_WORDS {
                return None;
            }
        }
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if ended {
            start = i;
            if total >= MAX_TEXT {
                break;
            }
        }
    }
    if !current.is_empty() {
        let end = if truncated { i - 1 } else { b.len() - 1 };
        words.push(Word {
            text: Rc::from(String::from_utf8_lossy(&current).as_ref()),
            start,
            end,
        });
        if words.len() == MAX_WORDS {
            return None;
        }
    }
    Some(words)
}

/// One call of `parse_sentence` or `parse_my_rules`.
struct Parse {
    input: Rc<str>,
    raw: Vec<Word>,
    /// The reading being tried: the verb first.
    words: Vec<Word>,
    user: ObjRef,
    restricted: Option<ObjRef>,
    env: Option<Vec<Value>>,
    nicks: Option<Rc<Mapping>>,
    literals: Rc<[Rc<str>]>,
    loaded: bool,
    objects: Vec<ObjRef>,
    in_reach: Vec<bool>,
    me: Option<usize>,
    people: usize,
    my: Bits,
    hash: FxHashMap<Rc<str>, Entry>,
    livings: Bits,
    accessible: Bits,
    verb_name: Rc<str>,
    rule: Option<Rc<Rule>>,
    matches: Vec<Match>,
    best_match: i32,
    best_error_match: i32,
    best_num_errors: i32,
    current: Option<PErr>,
    best_error: Option<PErr>,
    parallel: Option<PErr>,
    second_parallel: Option<PErr>,
    /// Errors of single objects of a plural match, newest first.
    parallel_errors: Vec<(Option<PErr>, usize)>,
    found: Option<Found>,
    found_level: i32,
    direct: Option<usize>,
    indirect: Option<usize>,
    steps: u64,
    debug: bool,
    depth: usize,
}

impl Parse {
    fn new(vm: &mut Vm, input: Rc<str>, user: ObjRef) -> Result<Parse, Unwind> {
        Ok(Parse {
            input,
            raw: Vec::new(),
            words: Vec::new(),
            user,
            restricted: None,
            env: None,
            nicks: None,
            literals: literals(vm)?,
            loaded: false,
            objects: Vec::new(),
            in_reach: Vec::new(),
            me: None,
            people: 0,
            my: Bits::default(),
            hash: FxHashMap::default(),
            livings: Bits::default(),
            accessible: Bits::default(),
            verb_name: Rc::from(""),
            rule: None,
            matches: vec![Match::default(); super::MAX_TOKENS],
            best_match: 0,
            best_error_match: 0,
            best_num_errors: 5732,
            current: None,
            best_error: None,
            parallel: None,
            second_parallel: None,
            parallel_errors: Vec::new(),
            found: None,
            found_level: 0,
            direct: None,
            indirect: None,
            steps: 0,
            debug: false,
            depth: 0,
        })
    }

    fn trace(&self, text: impl FnOnce() -> String) {
        if !self.debug {
            return;
        }
        use std::io::Write;
        let indent = "  ".repeat(self.depth);
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{indent}{}", text());
        let _ = out.flush();
    }

    /// The input as typed from word `first` to word `last`.
    fn span(&self, first: usize, last: usize) -> String {
        let (Some(a), Some(b)) = (self.words.get(first), self.words.get(last)) else {
            return String::new();
        };
        let (start, end) = (a.start, (b.end + 1).min(self.input.len()));
        self.input
            .get(start..end.max(start))
            .unwrap_or("")
            .trim()
            .to_string()
    }

    fn add_match(&mut self, state: &mut State, token: MTok, first: usize, last: usize) -> usize {
        let i = state.matches;
        state.matches += 1;
        let m = Match {
            token,
            first,
            last,
            ..Match::default()
        };
        if i < self.matches.len() {
            self.matches[i] = m;
        } else {
            self.matches.push(m);
        }
        if token == MTok::Error {
            state.errors += 1;
        }
        i
    }

    // ---- Objects and their names ----

    fn needs_names(vm: &Vm, ob: ObjRef) -> bool {
        vm.parser
            .info
            .get(&ob)
            .is_some_and(|i| !i.setup || i.refresh)
    }

    fn stale_in_array(vm: &Vm, list: &[Value], depth: usize, out: &mut Vec<ObjRef>) {
        for v in list {
            match v {
                Value::Array(a) if depth < MAX_ARRAY_DEPTH => {
                    Self::stale_in_array(vm, &a.borrow(), depth + 1, out)
                }
                Value::Object(r)
                    if vm.objects.alive(*r)
                        && Self::needs_names(vm, *r)
                        && out.len() < MAX_OBJECTS =>
                {
                    out.push(*r);
                }
                _ => {}
            }
        }
    }

    fn stale_inside(vm: &Vm, ob: ObjRef, out: &mut Vec<ObjRef>) {
        if !vm.objects.alive(ob) {
            return;
        }
        if Self::needs_names(vm, ob) && out.len() < MAX_OBJECTS {
            out.push(ob);
        }
        for o in inventory(vm, ob) {
            Self::stale_inside(vm, o, out);
        }
    }

    /// Asks an object for its names and nature.
    fn interrogate(&self, vm: &mut Vm, ob: ObjRef) -> Result<(), Unwind> {
        let Some(info) = vm.parser.info.get(&ob) else {
            return Ok(());
        };
        if info.setup && !info.refresh {
            return Ok(());
        }
        self.trace(|| format!("Interrogating {}.", vm.object_name(ob).unwrap_or_default()));
        let ask = |vm: &mut Vm, name: &str| safe_apply(vm, ob, name, Vec::new());
        let ids = super::string_list(ask(vm, "parse_command_id_list")?);
        let Some(info) = vm.parser.info.get_mut(&ob) else {
            return Ok(());
        };
        *info = ObjInfo {
            setup: true,
            refresh: info.refresh,
            verb_handler: info.verb_handler,
            remote_livings: info.remote_livings,
            ids,
            ..ObjInfo::default()
        };
        let plurals = super::string_list(ask(vm, "parse_command_plural_id_list")?);
        let Some(info) = vm.parser.info.get_mut(&ob) else {
            return Ok(());
        };
        info.plurals = plurals;
        let adjs = super::string_list(ask(vm, "parse_command_adjectiv_id_list")?);
        let Some(info) = vm.parser.info.get_mut(&ob) else {
            return Ok(());
        };
        info.adjs = adjs;
        for (apply, flag) in [
            ("is_living", 0),
            ("inventory_accessible", 1),
            ("inventory_visible", 2),
        ] {
            let yes = ask(vm, apply)?.is_some_and(|v| v.truthy());
            let Some(info) = vm.parser.info.get_mut(&ob) else {
                return Ok(());
            };
            match flag {
                0 => info.living = yes,
                1 => info.inv_accessible = yes,
                _ => info.inv_visible = yes,
            }
        }
        Ok(())
    }

    fn push_object(&mut self, ob: ObjRef, in_reach: bool) {
        self.objects.push(ob);
        self.in_reach.push(in_reach);
    }

    /// Adds an object known to the parser and, as far as it lets them be
    /// seen, its contents.
    fn add_inside(&mut self, vm: &Vm, ob: ObjRef, mut reach: bool, mut mine: bool) {
        if !vm.objects.alive(ob) {
            return;
        }
        if let Some(info) = vm.parser.info.get(&ob) {
            if self.objects.len() == MAX_OBJECTS {
                return;
            }
            if mine {
                self.my.set(self.objects.len());
            }
            if ob == self.user {
                self.me = Some(self.objects.len());
                mine = true;
            }
            self.push_object(ob, reach);
            if !info.inv_visible {
                return;
            }
            if !info.inv_accessible {
                reach = false;
            }
        }
        for o in inventory(vm, ob) {
            self.add_inside(vm, o, reach, mine);
        }
    }

    /// Adds the objects of a caller's list: an array after an object
    /// holds that object's contents.
    fn add_from_array(&mut self, vm: &Vm, list: &[Value], reach: bool, mine: bool, depth: usize) {
        let mut last: Option<&ObjInfo> = None;
        let mut last_was_me = false;
        for v in list {
            if let Value::Array(a) = v
                && let Some(info) = last
                && info.inv_visible
                && depth < MAX_ARRAY_DEPTH
            {
                let inner_reach = reach && info.inv_accessible;
                let inner_mine = mine || last_was_me;
                self.add_from_array(vm, &a.borrow(), inner_reach, inner_mine, depth + 1);
            }
            last = None;
            last_was_me = false;
            let Value::Object(ob) = v else { continue };
            if !vm.objects.alive(*ob) {
                continue;
            }
            let Some(info) = vm.parser.info.get(ob) else {
                continue;
            };
            if self.objects.len() == MAX_OBJECTS {
                return;
            }
            if mine {
                self.my.set(self.objects.len());
            }
            if *ob == self.user {
                self.me = Some(self.objects.len());
                last_was_me = true;
            }
            self.push_object(*ob, reach);
            last = Some(info);
        }
    }

    /// Gathers every object the sentence may name, asks those not asked
    /// yet for their names, and indexes the names.
    fn load_objects(&mut self, vm: &mut Vm) -> Result<(), Unwind> {
        let mut stale = Vec::new();
        match &self.env {
            Some(list) => Self::stale_in_array(vm, list, 0, &mut stale),
            None => {
                if !vm.objects.alive(self.user) {
                    return Err(error("No this_player()!"));
                }
                if let Some(e) = env_of(vm, self.user) {
                    Self::stale_inside(vm, e, &mut stale);
                }
            }
        }
        let users = users(vm)?;
        for &u in users.iter() {
            if vm.objects.alive(u) && Self::needs_names(vm, u) && stale.len() < MAX_OBJECTS {
                stale.push(u);
            }
        }
        self.loaded = true;
        for ob in stale {
            self.interrogate(vm, ob)?;
        }
        self.objects.clear();
        self.in_reach.clear();
        self.me = None;
        self.my = Bits::default();
        let home = env_of(vm, self.user);
        match self.env.take() {
            Some(list) => {
                self.add_from_array(vm, &list, true, false, 0);
                self.env = Some(list);
            }
            None => {
                if let Some(e) = home {
                    self.add_inside(vm, e, true, false);
                }
            }
        }
        self.hash.entry(Rc::from("my")).or_default().adj = Some(self.my.clone());
        if let Some(nicks) = &self.nicks {
            for key in nicks.borrow().keys() {
                if let Value::Str(s) = key {
                    self.hash
                        .entry(Rc::from(s.text.as_str()))
                        .or_default()
                        .nickname = true;
                }
            }
        }
        // Users are found wherever they are, unless already among the
        // objects seen here.
        self.people = 0;
        for &u in users.iter() {
            if !vm.objects.alive(u) || !vm.parser.info.contains_key(&u) {
                continue;
            }
            let mut at = Some(u);
            while let Some(cur) = at {
                if Some(cur) == home {
                    break;
                }
                at = env_of(vm, cur);
                if let Some(e) = at
                    && vm.parser.info.get(&e).is_some_and(|i| !i.inv_visible)
                {
                    at = None;
                }
            }
            if at.is_some() {
                continue;
            }
            if self.objects.len() == MAX_OBJECTS {
                break;
            }
            self.push_object(u, true);
            self.people += 1;
        }
        for i in 0..self.objects.len() {
            let Some(info) = vm.parser.info.get(&self.objects[i]) else {
                continue;
            };
            for (names, kind) in [(&info.ids, 0), (&info.plurals, 1), (&info.adjs, 2)] {
                for name in names {
                    let e = self.hash.entry(name.clone()).or_default();
                    let slot = match kind {
                        0 => &mut e.noun,
                        1 => &mut e.plural,
                        _ => &mut e.adj,
                    };
                    slot.get_or_insert_with(Bits::default).set(i);
                }
            }
            if info.living {
                self.livings.set(i);
            }
            if self.in_reach[i] {
                self.accessible.set(i);
            }
        }
        Ok(())
    }

    /// Resolves a nickname the input used to the object it stands for.
    fn expand_nickname(&mut self, vm: &Vm, word: &Rc<str>) {
        let Some(e) = self.hash.get_mut(word) else {
            return;
        };
        e.nickname = false;
        let Some(nicks) = &self.nicks else { return };
        let target = nicks.borrow().get(&Value::str(word.to_string())).cloned();
        let Some(Value::Object(ob)) = target else {
            return;
        };
        if !vm.objects.alive(ob) || !vm.parser.info.contains_key(&ob) {
            return;
        }
        if let Some(i) = self.objects.iter().position(|&o| o == ob) {
            e.noun.get_or_insert_with(Bits::default).set(i);
        }
    }

    // ---- Trying the readings and rules ----

    fn budget(&mut self) -> bool {
        self.steps += 1;
        self.steps <= MAX_STEPS
    }

    fn run(&mut self, vm: &mut Vm) -> Result<(), Unwind> {
        let Some(raw) = split_words(&self.input) else {
            return Ok(());
        };
        self.raw = raw;
        for i in 1..=self.raw.len() {
            let phrase = join(&self.raw[..i]);
            let entries: Vec<usize> = (0..vm.parser.verbs.len())
                .rev()
                .filter(|&v| *vm.parser.verbs[v].real_name == *phrase)
                .collect();
            for v in entries {
                let entry = &vm.parser.verbs[v];
                let entry = match entry.synonym_of {
                    Some(real) => &vm.parser.verbs[real],
                    None => entry,
                };
                let rules = entry.rules.clone();
                let has_obj = entry.has_obj;
                self.verb_name = entry.match_name.clone();
                self.found_level = self.found_level.max(1);
                if !self.loaded && has_obj {
                    self.load_objects(vm)?;
                }
                self.words = vec![Word {
                    text: Rc::from(phrase.as_str()),
                    start: self.raw[0].start,
                    end: self.raw[i - 1].end,
                }];
                self.readings(vm, i, &rules)?;
            }
        }
        Ok(())
    }

    /// Tries every way the input words from `pos` on can be grouped into
    /// known phrases.
    fn readings(&mut self, vm: &mut Vm, pos: usize, rules: &[Rc<Rule>]) -> Result<(), Unwind> {
        if !self.budget() {
            return Ok(());
        }
        if pos == self.raw.len() {
            self.trace(|| {
                let words: Vec<&str> = self.words.iter().map(|w| &*w.text).collect();
                format!("Trying interpretation: {}", words.join(":"))
            });
            return self.try_rules(vm, rules);
        }
        for end in pos + 1..=self.raw.len() {
            let phrase = join(&self.raw[pos..end]);
            let known = self.literals.iter().any(|l| **l == *phrase)
                || self.hash.contains_key(phrase.as_str());
            if end == pos + 1 || known {
                self.words.push(Word {
                    text: Rc::from(phrase.as_str()),
                    start: self.raw[pos].start,
                    end: self.raw[end - 1].end,
                });
                self.readings(vm, end, rules)?;
                self.words.pop();
            }
        }
        Ok(())
    }

    /// Where literal `lit` occurs from word `from` on, plus one.
    fn find_literal(&self, lit: usize, from: usize) -> Option<usize> {
        let text = self.literals.get(lit)?;
        (from..self.words.len())
            .find(|&i| *self.words[i].text == **text)
            .map(|i| i + 1)
    }

    fn try_rules(&mut self, vm: &mut Vm, rules: &[Rc<Rule>]) -> Result<(), Unwind> {
        for rule in rules {
            if !vm.objects.alive(rule.handler) {
                continue;
            }
            if self.restricted.is_some_and(|r| r != rule.handler) || self.best_match > rule.weight {
                continue;
            }
            let mut pos = 0;
            if let Some(l) = rule.lits[0] {
                match self.find_literal(l, 1) {
                    Some(p) => pos = p,
                    None => continue,
                }
            }
            if let Some(l) = rule.lits[1]
                && self.find_literal(l, pos).is_none()
            {
                continue;
            }
            self.trace(|| format!("Trying rule: {}", rule_string(&rule.tokens, &self.literals)));
            self.rule = Some(rule.clone());
            self.parse_rule(
                vm,
                State {
                    word: 1,
                    ..State::default()
                },
            )?;
        }
        Ok(())
    }

    fn parse_rule(&mut self, vm: &mut Vm, mut state: State) -> Result<(), Unwind> {
        if !self.budget() {
            return Ok(());
        }
        let Some(rule) = self.rule.clone() else {
            return Ok(());
        };
        let n = self.words.len();
        self.depth += 1;
        let result = self.parse_rule_tokens(vm, &mut state, &rule, n);
        self.depth -= 1;
        result
    }

    fn parse_rule_tokens(
        &mut self,
        vm: &mut Vm,
        state: &mut State,
        rule: &Rc<Rule>,
        n: usize,
    ) -> Result<(), Unwind> {
        loop {
            let tok = rule.tokens.get(state.tok).copied();
            state.tok += 1;
            if state.word == n && tok.is_some() {
                return Ok(());
            }
            match tok {
                None => {
                    if state.word == n {
                        self.we_are_finished(vm, *state)?;
                    }
                    return Ok(());
                }
                Some(Token::Obj(bits)) => {
                    let mut local = *state;
                    self.parse_obj(vm, bits, &mut local, 0)?;
                    // With nothing better found, a phrase that names no
                    // object becomes the "there is no ..." error.
                    if self.best_match == 0 && self.best_error_match == 0 {
                        let start = state.word;
                        state.word += 1;
                        while state.word <= n {
                            let mut local = *state;
                            self.current = Some(PErr::ThereIsNo(self.span(start, state.word - 1)));
                            self.add_match(&mut local, MTok::Error, start, state.word - 1);
                            self.parse_rule(vm, local)?;
                            state.word += 1;
                        }
                    }
                    return Ok(());
                }
                Some(Token::Str) => {
                    let start = state.word;
                    if state.tok == rule.tokens.len() {
                        state.word = n;
                        self.add_match(state, MTok::Str, start, n - 1);
                        self.parse_rule(vm, *state)?;
                    } else {
                        state.word += 1;
                        while state.word <= n {
                            let mut local = *state;
                            self.add_match(&mut local, MTok::Str, start, state.word - 1);
                            self.parse_rule(vm, local)?;
                            state.word += 1;
                        }
                    }
                    return Ok(());
                }
                Some(Token::Wrd) => {
                    let w = state.word;
                    self.add_match(state, MTok::Wrd, w, w);
                    state.word += 1;
                    self.parse_rule(vm, *state)?;
                    return Ok(());
                }
                Some(Token::Lit(l)) => {
                    let lit = self
                        .literals
                        .get(l)
                        .cloned()
                        .unwrap_or_else(|| Rc::from(""));
                    if *self.words[state.word].text == *lit {
                        state.word += 1;
                        continue;
                    }
                    if state.tok == 1 {
                        return Ok(());
                    }
                    // After an object phrase, skip ahead to the literal:
                    // the object phrase then names nothing.
                    match rule.tokens.get(state.tok - 2) {
                        Some(Token::Obj(b)) if b & CHOOSE == 0 => {}
                        _ => return Ok(()),
                    }
                    loop {
                        let found = *self.words[state.word].text == *lit;
                        state.word += 1;
                        if found {
                            break;
                        }
                        if state.word == n {
                            return Ok(());
                        }
                    }
                    let Some(last) = state.matches.checked_sub(1) else {
                        return Ok(());
                    };
                    self.matches[last].token = MTok::Error;
                    self.matches[last].last = state.word - 1;
                    let first = self.matches[last].first;
                    state.errors += 1;
                    if state.errors == 1 {
                        self.current = Some(PErr::ThereIsNo(self.span(first, state.word - 1)));
                    }
                }
            }
        }
    }

    /// Matches an object phrase at the current word: articles, "all",
    /// "me", ordinals, adjectives and a noun or plural.
    fn parse_obj(
        &mut self,
        vm: &mut Vm,
        tok: u8,
        state: &mut State,
        mut ordinal: i32,
    ) -> Result<(), Unwind> {
        let remote = self
            .rule
            .as_ref()
            .and_then(|r| vm.parser.info.get(&r.handler))
            .is_some_and(|i| i.remote_livings);
        let countable = if remote {
            self.objects.len()
        } else {
            self.objects.len() - self.people
        };
        let mut objects = Bits::first(countable);
        let start = state.word;
        let mut ord_legal = ordinal == 0;
        let mut singular_legal = true;
        let mut mp: Option<usize> = None;
        let n = self.words.len();
        loop {
            if state.word == n {
                return Ok(());
            }
            let text = self.words[state.word].text.clone();
            state.word += 1;
            match special(&text) {
                Special::Article => continue,
                Special::All => {
                    singular_legal = false;
                    if state.word < n && special(&self.words[state.word].text) == Special::Of {
                        state.word += 1;
                        continue;
                    }
                    let mut local = *state;
                    if tok & PLURAL != 0 {
                        local.objs += 1;
                        let i = self.add_match(&mut local, MTok::Obj(tok), start, state.word - 1);
                        self.matches[i].obs = objects.clone();
                        mp = Some(i);
                    } else {
                        self.current = Some(PErr::BadMultiple);
                        mp = Some(self.add_match(&mut local, MTok::Error, start, state.word - 1));
                    }
                    self.parse_rule(vm, local)?;
                }
                Special::Me => {
                    if let Some(me) = self.me {
                        let mut local = *state;
                        local.objs += 1;
                        let i = self.add_match(&mut local, MTok::Obj(tok), start, state.word - 1);
                        self.matches[i].obs = Bits::one(me);
                        mp = Some(i);
                        self.parse_rule(vm, local)?;
                    }
                }
                Special::Ordinal(k) => {
                    if ord_legal {
                        if ordinal == 0 {
                            ordinal = 1;
                        }
                        let mut local = *state;
                        self.parse_obj(vm, tok, &mut local, k)?;
                    }
                }
                Special::Of | Special::None => {}
            }
            // Only "my" may come before an ordinal ("my second sword").
            if *text != *"my" {
                ord_legal = false;
            }
            if self.hash.get(&text).is_some_and(|e| e.nickname) {
                self.expand_nickname(vm, &text);
            }
            let Some(entry) = self.hash.get(&text).cloned() else {
                break;
            };
            let explore = |p: &Parse, s: &State| p.best_match == 0 && s.errors < p.best_num_errors;
            if singular_legal && let Some(noun) = &entry.noun {
                let explore_errors = explore(self, state);
                let mut local = *state;
                let mut objs = objects.clone();
                let problem = self.narrow(&mut objs, noun, tok, &text);
                match problem {
                    None => {
                        let i = self.add_match(
                            &mut local,
                            MTok::Obj(tok & !PLURAL),
                            start,
                            state.word - 1,
                        );
                        self.matches[i].obs = objs;
                        self.matches[i].ordinal = if ordinal != 0 { ordinal } else { 1 };
                        mp = Some(i);
                        local.objs += 1;
                        self.parse_rule(vm, local)?;
                    }
                    Some(err) if explore_errors => {
                        self.current = Some(err);
                        mp = Some(self.add_match(&mut local, MTok::Error, start, state.word - 1));
                        self.parse_rule(vm, local)?;
                    }
                    Some(_) => {}
                }
            }
            if ordinal == 0
                && let Some(plural) = &entry.plural
            {
                let explore_errors = explore(self, state);
                let mut local = *state;
                let mut objs = objects.clone();
                let problem = if tok & PLURAL == 0 {
                    Some(PErr::BadMultiple)
                } else {
                    self.narrow(&mut objs, plural, tok, &text)
                };
                match problem {
                    None => {
                        let i = self.add_match(&mut local, MTok::Obj(tok), start, state.word - 1);
                        self.matches[i].obs = objs;
                        self.matches[i].ordinal = ordinal;
                        mp = Some(i);
                        local.objs += 1;
                        self.parse_rule(vm, local)?;
                    }
                    Some(err) if explore_errors => {
                        self.current = Some(err);
                        mp = Some(self.add_match(&mut local, MTok::Error, start, state.word - 1));
                        self.parse_rule(vm, local)?;
                    }
                    Some(_) => {}
                }
            } else if ordinal == 0
                && let Some(i) = mp
            {
                self.matches[i].ordinal = 1;
                ordinal = 1;
            }
            match &entry.adj {
                Some(adj) => {
                    objects.and(adj);
                }
                None => return Ok(()),
            }
        }
        Ok(())
    }

    /// Narrows `objs` to those a noun or plural names, then to living and
    /// reachable ones as the token asks; the reason when none is left.
    fn narrow(&self, objs: &mut Bits, named: &Bits, tok: u8, word: &Rc<str>) -> Option<PErr> {
        let multiple = self
            .hash
            .get(word)
            .and_then(|e| e.noun.as_ref())
            .is_none_or(|b| b.count() != 1);
        if !objs.and(named) {
            return Some(PErr::Noun(ERR_IS_NOT, word.clone(), multiple));
        }
        if tok & LIV != 0 && !objs.and(&self.livings) {
            return Some(PErr::Noun(ERR_NOT_LIVING, word.clone(), multiple));
        }
        if tok & VIS == 0 && !objs.and(&self.accessible) {
            return Some(PErr::Noun(ERR_NOT_ACCESSIBLE, word.clone(), multiple));
        }
        None
    }
}

fn join(words: &[Word]) -> String {
    let parts: Vec<&str> = words.iter().map(|w| &*w.text).collect();
    parts.join(" ")
}

mod checks;

/// Reads the optional arguments shared by both efuns.
fn optional_env(vm: &Vm, base: usize, argc: usize) -> Result<Option<Vec<Value>>, Unwind> {
    match arg(vm, base, argc, 2) {
        Value::Array(a) => Ok(Some(a.borrow().clone())),
        Value::Undefined | Value::Int(0) => Ok(None),
        other => Err(bad_arg("parse_sentence", 2, &other)),
    }
}

pub fn parse_sentence(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let input = str_arg(vm, base, argc, 0, "parse_sentence")?;
    let debug = int_arg(vm, base, argc, 1, "parse_sentence")?;
    let env = optional_env(vm, base, argc)?;
    let nicks = match arg(vm, base, argc, 3) {
        Value::Mapping(m) => Some(m),
        Value::Undefined | Value::Int(0) => None,
        other => return Err(bad_arg("parse_sentence", 3, &other)),
    };
    let Some(me) = vm.this_object() else {
        return Err(error("parse_sentence() without a current object"));
    };
    if !vm.parser.info.contains_key(&me) {
        return Err(not_known(vm, me));
    }
    prune(vm);
    let mut p = Parse::new(vm, Rc::from(input.text.as_str()), me)?;
    p.env = env;
    p.nicks = nicks;
    p.debug = debug != 0;
    vm.parser.active += 1;
    let result = p.run(vm);
    vm.parser.active -= 1;
    vm.parser.found_level = p.found_level;
    result?;
    if p.best_match != 0 {
        p.do_the_call(vm)?;
        return Ok(Value::Int(1));
    }
    let err = p.best_error.take();
    p.error_value(vm, err, None)
}

pub fn parse_my_rules(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let user = match arg(vm, base, argc, 0) {
        Value::Object(r) if vm.objects.alive(r) => r,
        other => return Err(bad_arg("parse_my_rules", 0, &other)),
    };
    let input = str_arg(vm, base, argc, 1, "parse_my_rules")?;
    let execute = int_arg(vm, base, argc, 2, "parse_my_rules")? != 0;
    let Some(me) = vm.this_object() else {
        return Err(error("parse_my_rules() without a current object"));
    };
    if !vm.parser.info.contains_key(&user) {
        return Err(not_known(vm, user));
    }
    if !vm.parser.info.contains_key(&me) {
        return Err(not_known(vm, me));
    }
    if vm.parser.active > 0 {
        return Err(error("Illegal to call parse_sentence() recursively."));
    }
    prune(vm);
    let mut p = Parse::new(vm, Rc::from(input.text.as_str()), user)?;
    p.restricted = Some(me);
    p.found_level = vm.parser.found_level;
    vm.parser.active += 1;
    let result = p.run(vm);
    vm.parser.active -= 1;
    vm.parser.found_level = p.found_level;
    result?;
    if p.best_match != 0 {
        if execute {
            p.do_the_call(vm)?;
            return Ok(Value::Int(1));
        }
        let args = p
            .found
            .as_mut()
            .and_then(|f| f.calls.get_mut(3))
            .map(|c| std::mem::take(&mut c.1))
            .unwrap_or_default();
        let args = args
            .into_iter()
            .map(|v| match v {
                Value::Object(r) if !vm.objects.alive(r) => Value::Undefined,
                v => v,
            })
            .collect();
        return Ok(Value::array(args));
    }
    let err = p.best_error.take();
    p.error_value(vm, err, None)
}
