//! `parse_command()`: matching a command against a pattern of words and
//! `%` codes, naming objects by the id, plural and adjective lists they
//! (and the master, for words meaning any object) give. The compiler
//! passes the target variables' current values after the three fixed
//! arguments; the efun answers `({ matched, values... })` and the
//! compiled code stores each value back.

use rustc_hash::FxHashMap;

use super::{arg, bad_arg};
use crate::vm::object::ObjRef;
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("parse_command", parse_command);
}

/// The names one object answers to; `None` where it gave no list.
#[derive(Default)]
struct Names {
    ids: Option<Vec<String>>,
    plurals: Option<Vec<String>>,
    adjectives: Option<Vec<String>>,
}

/// One run of the matcher: the command's words, the pattern's elements,
/// the objects and what they are called.
struct Matcher {
    words: Vec<String>,
    pattern: Vec<String>,
    objects: Vec<Option<ObjRef>>,
    names: FxHashMap<ObjRef, Names>,
    any_ids: Option<Vec<String>>,
    any_plurals: Option<Vec<String>>,
    any_adjectives: Option<Vec<String>>,
    prepositions: Option<Vec<String>>,
    all_word: Option<String>,
    /// The targets' values, current on entry and results on exit.
    values: Vec<Value>,
}

fn words_of(text: &str) -> Vec<String> {
    text.split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn string_list(v: Option<Value>) -> Option<Vec<String>> {
    let Some(Value::Array(items)) = v else {
        return None;
    };
    let items = items.borrow();
    Some(
        items
            .iter()
            .filter_map(|v| match v {
                Value::Str(s) => Some(s.text.to_string()),
                _ => None,
            })
            .collect(),
    )
}

fn contains(list: Option<&Vec<String>>, word: &str) -> bool {
    list.is_some_and(|l| l.iter().any(|w| w == word))
}

fn parse_command(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let input = match arg(vm, base, argc, 0) {
        Value::Str(s) => s,
        other => return Err(bad_arg("parse_command", 0, &other)),
    };
    let env = arg(vm, base, argc, 1);
    let pattern = match arg(vm, base, argc, 2) {
        Value::Str(s) => s,
        other => return Err(bad_arg("parse_command", 2, &other)),
    };
    let values: Vec<Value> = (3..argc).map(|i| arg(vm, base, argc, i)).collect();
    let objects: Vec<Option<ObjRef>> = match &env {
        Value::Array(list) => list
            .borrow()
            .iter()
            .map(|v| match v {
                Value::Object(r) if vm.objects.alive(*r) => Some(*r),
                _ => None,
            })
            .collect(),
        Value::Object(r) if vm.objects.alive(*r) => {
            let mut all = vec![Some(*r)];
            deep_contents(vm, *r, &mut all);
            all
        }
        other => return Err(bad_arg("parse_command", 1, other)),
    };
    let mut m = Matcher {
        words: words_of(&input.text),
        pattern: words_of(&pattern.text),
        objects,
        names: FxHashMap::default(),
        any_ids: None,
        any_plurals: None,
        any_adjectives: None,
        prepositions: None,
        all_word: None,
        values,
    };
    let matched = if input.text.is_empty() || pattern.text.is_empty() {
        false
    } else {
        m.load_master(vm)?;
        m.run(vm)?
    };
    let mut out = vec![Value::Int(matched as i64)];
    out.extend(m.values);
    Ok(Value::array(out))
}

/// Everything inside `r`, each object followed by its own contents.
fn deep_contents(vm: &Vm, r: ObjRef, out: &mut Vec<Option<ObjRef>>) {
    for item in super::inventory::inventory(vm, r) {
        out.push(Some(item));
        deep_contents(vm, item, out);
    }
}

/// The master's apply `name`, when there is a master with it.
fn ask_master(vm: &mut Vm, name: &str) -> Result<Option<Value>, Unwind> {
    let Some(master) = vm.master.filter(|&m| vm.objects.alive(m)) else {
        return Ok(None);
    };
    vm.apply(master, name, Vec::new(), true)
}

impl Matcher {
    fn load_master(&mut self, vm: &mut Vm) -> Result<(), Unwind> {
        self.any_ids = string_list(ask_master(vm, "parse_command_id_list")?);
        self.any_plurals = string_list(ask_master(vm, "parse_command_plural_id_list")?);
        self.any_adjectives = string_list(ask_master(vm, "parse_command_adjectiv_id_list")?);
        self.prepositions = string_list(ask_master(vm, "parse_command_prepos_list")?);
        if let Some(Value::Str(s)) = ask_master(vm, "parse_command_all_word")? {
            self.all_word = Some(s.text.to_string());
        }
        Ok(())
    }

    /// Asks an object for its names once per run. Without a plural list
    /// the plurals are made from the ids.
    fn load_names(&mut self, vm: &mut Vm, r: ObjRef) -> Result<(), Unwind> {
        if self.names.contains_key(&r) || !vm.objects.alive(r) {
            return Ok(());
        }
        let plurals = string_list(vm.apply(r, "parse_command_plural_id_list", Vec::new(), true)?);
        let ids = if vm.objects.alive(r) {
            string_list(vm.apply(r, "parse_command_id_list", Vec::new(), true)?)
        } else {
            None
        };
        let plurals = match (plurals, &ids) {
            (Some(p), _) => Some(p),
            (None, Some(ids)) => Some(ids.iter().map(|s| to_plural(s)).collect()),
            (None, None) => None,
        };
        let adjectives = if vm.objects.alive(r) {
            string_list(vm.apply(r, "parse_command_adjectiv_id_list", Vec::new(), true)?)
        } else {
            None
        };
        self.names.insert(
            r,
            Names {
                ids,
                plurals,
                adjectives,
            },
        );
        Ok(())
    }

    fn store(&mut self, slot: usize, v: Value) {
        if let Some(target) = self.values.get_mut(slot) {
            *target = v;
        }
    }

    /// Stores words `from..=to` joined by spaces ("" when none).
    fn store_words(&mut self, slot: usize, from: usize, to: Option<usize>) {
        let text = match to {
            Some(to) if from <= to && to < self.words.len() => self.words[from..=to].join(" "),
            _ => String::new(),
        };
        self.store(slot, Value::str(text));
    }

    /// Walks the pattern over the words; true when both run out together.
    fn run(&mut self, vm: &mut Vm) -> Result<bool, Unwind> {
        let mut pix = 0;
        let mut cix = 0;
        let mut slot = 0;
        let mut fail = false;
        while pix < self.pattern.len() {
            fail = false;
            if self.pattern[pix] == "%s" {
                if pix + 1 == self.pattern.len() {
                    let last = self.words.len().checked_sub(1);
                    self.store_words(slot, cix, last);
                    slot += 1;
                    cix = self.words.len();
                } else {
                    // Skip words one by one until what follows `%s` matches.
                    let first = cix;
                    let mut skip_to = cix;
                    pix += 1;
                    let next = pix;
                    let mut found;
                    loop {
                        let (value, failed) = self.sub_parse(vm, &mut pix, &mut cix, slot + 1)?;
                        found = value;
                        fail = failed;
                        if fail {
                            skip_to += 1;
                            cix = skip_to;
                            pix = next;
                        }
                        if !fail || cix >= self.words.len() {
                            break;
                        }
                    }
                    if !fail {
                        let before = skip_to.checked_sub(1);
                        match found {
                            Some(v) => {
                                self.store(slot + 1, v);
                                self.store_words(slot, first, before);
                                slot += 2;
                            }
                            None => {
                                self.store_words(slot, first, before);
                                slot += 1;
                            }
                        }
                    }
                }
            } else if self.pattern[pix] != "/" {
                let (value, failed) = self.sub_parse(vm, &mut pix, &mut cix, slot)?;
                fail = failed;
                if !fail && let Some(v) = value {
                    self.store(slot, v);
                    slot += 1;
                }
            }
            if fail {
                break;
            }
            pix += 1;
        }
        Ok(!fail && cix >= self.words.len())
    }

    /// Matches the element at `pix` or, failing that, each alternative
    /// after a `/`; on success `pix` is left on the last alternative.
    fn sub_parse(
        &mut self,
        vm: &mut Vm,
        pix: &mut usize,
        cix: &mut usize,
        slot: usize,
    ) -> Result<(Option<Value>, bool), Unwind> {
        if *cix >= self.words.len() {
            return Ok((None, true));
        }
        let mut p = *pix;
        let mut c = *cix;
        let (mut value, mut failed) = self.one_parse(vm, p, &mut c, slot)?;
        while failed {
            p += 1;
            c = *cix;
            let mut alternative = false;
            while p < self.pattern.len() && self.pattern[p] == "/" {
                alternative = true;
                p += 1;
            }
            if alternative && p < self.pattern.len() {
                (value, failed) = self.one_parse(vm, p, &mut c, slot)?;
            } else {
                *pix = p.saturating_sub(1);
                return Ok((None, true));
            }
        }
        while p + 1 < self.pattern.len() && self.pattern[p + 1] == "/" {
            p += 2;
        }
        if p >= self.pattern.len() {
            p = self.pattern.len().saturating_sub(1);
        }
        *cix = c;
        *pix = p;
        Ok((value, false))
    }

    /// One pattern element against the words at `cix`.
    fn one_parse(
        &mut self,
        vm: &mut Vm,
        pix: usize,
        cix: &mut usize,
        slot: usize,
    ) -> Result<(Option<Value>, bool), Unwind> {
        if *cix >= self.words.len() {
            return Ok((None, true));
        }
        let element = self.pattern[pix].clone();
        let mut chars = element.chars();
        let mut code = chars.next().unwrap_or('\0');
        if code == '%' {
            code = chars.next().unwrap_or('\0').to_ascii_lowercase();
        }
        Ok(match code {
            'i' => {
                let objects = self.objects.clone();
                self.item_parse(vm, &objects, cix)?
            }
            'l' => self.living_parse(vm, cix)?,
            's' => (None, false),
            'w' => {
                let word = Value::str(self.words[*cix].clone());
                *cix += 1;
                (Some(word), false)
            }
            'o' => self.single_parse(vm, cix)?,
            'p' => self.preposition_parse(cix, slot),
            'd' => self.number_parse(cix),
            '\'' | '[' => {
                // 'word' must be there; [word] may be.
                let inner = &element[1..];
                let word = &self.words[*cix];
                let here = inner.len() == word.len() + 1 && inner.starts_with(word.as_str());
                if here {
                    *cix += 1;
                }
                (None, code == '\'' && !here)
            }
            _ => (None, false),
        })
    }

    /// A number: digits, the all word (0), a cardinal word (positive) or
    /// an ordinal word (negative).
    fn number_parse(&self, cix: &mut usize) -> (Option<Value>, bool) {
        let word = &self.words[*cix];
        if let Some(n) = leading_number(word) {
            if n < 0 {
                return (None, true);
            }
            *cix += 1;
            return (Some(Value::Int(n)), false);
        }
        if self.all_word.as_deref() == Some(word.as_str()) {
            *cix += 1;
            return (Some(Value::Int(0)), false);
        }
        if let Some(n) = cardinal(word) {
            *cix += 1;
            return (Some(Value::Int(n)), false);
        }
        if let Some(n) = ordinal(word) {
            *cix += 1;
            return (Some(Value::Int(-n)), false);
        }
        (None, true)
    }

    /// `%i`: a numeral if any, then every object the words describe.
    /// The answer is `({ numeral, objects... })`: the number for "three",
    /// minus it for "third", 0 for the all word or a plural.
    fn item_parse(
        &mut self,
        vm: &mut Vm,
        objects: &[Option<ObjRef>],
        cix: &mut usize,
    ) -> Result<(Option<Value>, bool), Unwind> {
        let (numeral, _) = self.number_parse(cix);
        let numeral = numeral.and_then(|v| v.as_int());
        let match_all = numeral == Some(0);
        let mut plural = match_all || numeral.is_some_and(|n| n > 1);
        let mut found = Vec::new();
        let mut furthest = *cix;
        for r in objects.iter().flatten().copied() {
            let mut c = *cix;
            if c == self.words.len() && match_all {
                found.push(Value::Object(r));
                continue;
            }
            self.load_names(vm, r)?;
            if self.match_object(Some(r), &mut c, &mut plural) {
                found.push(Value::Object(r));
                furthest = furthest.max(c);
            }
        }
        if found.is_empty() {
            if numeral.is_some() {
                *cix -= 1;
            }
            return Ok((None, true));
        }
        if *cix < self.words.len() {
            *cix = furthest + 1;
        }
        let head = numeral.unwrap_or(if plural { 0 } else { 1 });
        let mut out = vec![Value::Int(head)];
        out.extend(found);
        Ok((Some(Value::array(out)), false))
    }

    /// `%l`: like `%i` over the living objects; else a living object
    /// named by the word.
    fn living_parse(
        &mut self,
        vm: &mut Vm,
        cix: &mut usize,
    ) -> Result<(Option<Value>, bool), Unwind> {
        let living: Vec<Option<ObjRef>> = self
            .objects
            .iter()
            .filter(|r| r.is_some_and(|r| vm.objext.is_living(r)))
            .copied()
            .collect();
        if !living.is_empty()
            && let (Some(v), false) = self.item_parse(vm, &living, cix)?
        {
            return Ok((Some(v), false));
        }
        let name = self.words[*cix].as_str();
        let named = vm
            .objext
            .per
            .iter()
            .filter(|(r, e)| {
                e.living && e.living_name.as_deref() == Some(name) && vm.objects.alive(**r)
            })
            .max_by_key(|(_, e)| e.named_at)
            .map(|(r, _)| *r);
        match named {
            Some(r) => {
                *cix += 1;
                Ok((Some(Value::Object(r)), false))
            }
            None => Ok((None, true)),
        }
    }

    /// `%o`: the first object the words describe.
    fn single_parse(
        &mut self,
        vm: &mut Vm,
        cix: &mut usize,
    ) -> Result<(Option<Value>, bool), Unwind> {
        let objects = self.objects.clone();
        for r in objects.into_iter().flatten() {
            let mut c = *cix;
            self.load_names(vm, r)?;
            let mut plural = false;
            if self.match_object(Some(r), &mut c, &mut plural) {
                *cix = c + 1;
                return Ok((Some(Value::Object(r)), false));
            }
        }
        Ok((None, true))
    }

    /// `%p`: one of the words of a list, each entry one or more words.
    /// The list is the target's array when it holds one (the match is
    /// swapped to its front and the array is the result), else the
    /// master's prepositions (the matched entry is the result).
    fn preposition_parse(&mut self, cix: &mut usize, slot: usize) -> (Option<Value>, bool) {
        let given = match self.values.get(slot) {
            Some(Value::Array(a)) => Some(a.clone()),
            _ => None,
        };
        let list: Vec<Option<String>> = match &given {
            Some(a) => a
                .borrow()
                .iter()
                .map(|v| match v {
                    Value::Str(s) => Some(s.text.to_string()),
                    _ => None,
                })
                .collect(),
            None => self
                .prepositions
                .clone()
                .unwrap_or_default()
                .into_iter()
                .map(Some)
                .collect(),
        };
        for (i, entry) in list.iter().enumerate() {
            let Some(entry) = entry else { continue };
            let parts: Vec<&str> = entry.split(' ').filter(|p| !p.is_empty()).collect();
            let matches = !parts.is_empty()
                && parts
                    .iter()
                    .enumerate()
                    .all(|(t, part)| self.words.get(*cix + t).is_some_and(|w| w == part));
            if !matches {
                continue;
            }
            *cix += parts.len();
            return match given {
                Some(a) => {
                    a.borrow_mut().swap(0, i);
                    (Some(Value::Array(a)), false)
                }
                None => (Some(Value::str(entry.clone())), false),
            };
        }
        (Some(Value::Int(0)), true)
    }

    /// Whether an object is described by the words from `cix` on: one of
    /// its ids or plurals (or the master's), after adjectives it accepts.
    /// Once a plural matched, only plurals are tried.
    fn match_object(&self, r: Option<ObjRef>, cix: &mut usize, plural: &mut bool) -> bool {
        let names = r.and_then(|r| self.names.get(&r));
        let first = if *plural { 2 } else { 0 };
        for kind in first..4 {
            let list = match kind {
                0 => self.any_ids.as_ref(),
                1 => names.and_then(|n| n.ids.as_ref()),
                2 => self.any_plurals.as_ref(),
                _ => names.and_then(|n| n.plurals.as_ref()),
            };
            let Some(list) = list else { continue };
            for id in list {
                let start = *cix;
                if let Some(pos) = self.find_words(id, cix)
                    && (pos == start || self.adjectives_fit(names, start, pos - 1))
                {
                    if kind > 1 {
                        *plural = true;
                    }
                    return true;
                }
                *cix = start;
            }
        }
        false
    }

    /// Where the words of `id` occur from `cix` on. A one-word id leaves
    /// `cix` on it; a longer one leaves `cix` after it.
    fn find_words(&self, id: &str, cix: &mut usize) -> Option<usize> {
        let first = id.as_bytes().first()?;
        while *cix < self.words.len() {
            let word = &self.words[*cix];
            if word.as_bytes().first() != Some(first) {
                *cix += 1;
                continue;
            }
            if word == id {
                return Some(*cix);
            }
            if !id.contains(' ') || *cix + 1 == self.words.len() {
                *cix += 1;
                continue;
            }
            let parts: Vec<&str> = id.split(' ').filter(|p| !p.is_empty()).collect();
            let start = *cix;
            if parts.len() <= self.words.len() - start
                && parts
                    .iter()
                    .enumerate()
                    .all(|(t, p)| self.words[start + t] == *p)
            {
                *cix = start + parts.len();
                return Some(start);
            }
            *cix = start + 1;
        }
        None
    }

    /// Whether words `from..=to` are adjectives of the object (its own or
    /// the master's), alone or as runs of words forming one adjective.
    fn adjectives_fit(&self, names: Option<&Names>, from: usize, to: usize) -> bool {
        let own = names.and_then(|n| n.adjectives.as_ref());
        let known =
            |text: &str| contains(own, text) || contains(self.any_adjectives.as_ref(), text);
        if self.words[from..=to].iter().all(|w| known(w)) {
            return true;
        }
        if from == to {
            return false;
        }
        // Longest run first from each position.
        let mut at = from;
        while at <= to {
            let Some(end) = (at..=to)
                .rev()
                .find(|&end| known(&self.words[at..=end].join(" ")))
            else {
                return false;
            };
            at = end + 1;
        }
        true
    }
}

/// The number a word starts with, as C's `%d` reads it.
fn leading_number(word: &str) -> Option<i64> {
    let t = word.trim_start();
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let end = digits
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    if end == 0 {
        return None;
    }
    let n: i64 = digits[..end].parse().unwrap_or(i64::MAX);
    Some(if negative { -n } else { n })
}

const ONES: [&str; 20] = [
    "",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];
const FIRSTS: [&str; 20] = [
    "",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
];
const TENTHS: [&str; 10] = [
    "",
    "",
    "twentieth",
    "thirtieth",
    "fortieth",
    "fiftieth",
    "sixtieth",
    "seventieth",
    "eightieth",
    "ninetieth",
];

/// "one" to "ninetynine" (tens and ones written together).
fn cardinal(word: &str) -> Option<i64> {
    (1..100)
        .find(|&n| {
            let (ten, one) = (n / 10, n % 10);
            let text = if ten < 2 {
                ONES[n].to_string()
            } else {
                format!("{}{}", TENS[ten], ONES[one])
            };
            text == word
        })
        .map(|n| n as i64)
}

/// "first" to "ninetyninth" (tens and ones written together).
fn ordinal(word: &str) -> Option<i64> {
    (1..100)
        .find(|&n| {
            let (ten, one) = (n / 10, n % 10);
            let text = if ten < 2 {
                FIRSTS[n].to_string()
            } else if one == 0 {
                TENTHS[ten].to_string()
            } else {
                format!("{}{}", TENS[ten], FIRSTS[one])
            };
            text == word
        })
        .map(|n| n as i64)
}

/// The plural of a name: each word before "of" and the last word.
fn to_plural(text: &str) -> String {
    if !text.contains(' ') {
        return one_plural(text);
    }
    let mut words: Vec<String> = text.split(' ').map(str::to_string).collect();
    for i in 1..words.len() {
        if words[i] == "of" || i + 1 == words.len() {
            words[i - 1] = one_plural(&words[i - 1]);
        }
    }
    words.join(" ")
}

/// The plural of one English noun, by its ending and a few exceptions.
fn one_plural(word: &str) -> String {
    let b = word.as_bytes();
    if b.len() < 3 || b.len() > 91 || !word.is_ascii() {
        return word.to_string();
    }
    let n = b.len();
    let (last, before) = (b[n - 1], b[n - 2]);
    let stem = &word[..n - 1];
    match last {
        b'e' if before == b'f' => return format!("{}ves", &word[..n - 2]),
        b'f' => return format!("{stem}ves"),
        b'h' if before == b's' || before == b'c' => return format!("{stem}hes"),
        b's' => return format!("{stem}ses"),
        b'x' => return format!("{stem}xes"),
        b'y' => {
            let vowel = matches!(before, b'a' | b'e' | b'i' | b'o' | b'u');
            let qu = before == b'u' && n > 3 && b[n - 3] == b'q';
            if !vowel || qu {
                return format!("{stem}ies");
            }
        }
        _ => {}
    }
    let irregular = [
        ("corpse", "corpses"),
        ("tooth", "teeth"),
        ("foot", "feet"),
        ("man", "men"),
        ("woman", "women"),
        ("child", "children"),
        ("sheep", "sheep"),
        ("goose", "geese"),
        ("mouse", "mice"),
        ("deer", "deer"),
        ("moose", "moose"),
    ];
    if let Some((_, plural)) = irregular.iter().find(|(one, _)| *one == word) {
        return plural.to_string();
    }
    format!("{word}s")
}
