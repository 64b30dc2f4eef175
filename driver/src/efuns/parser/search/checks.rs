//! The second half of a match: once a rule covers every word, the handler
//! (`can_`) and each named object (`direct_`, `indirect_`) are asked
//! whether the action makes sense, each apply name tried from the most
//! specific (`can_put_obj_in_obj`) to the most general (`can_verb_rule`),
//! first in the object itself and then in the handler. Their answers pick
//! among ambiguous objects and produce the "You can't ..." messages.

use super::*;

const PREFIXES: [&str; 6] = [
    "can_",
    "direct_",
    "indirect_",
    "do_",
    "direct_",
    "indirect_",
];

/// Results of checking a pair of objects against each other.
const REL_ERROR: u8 = 4;
const REL_COMPLETE: u8 = 8;

impl Parse {
    /// A rule covered all the words: check it with the objects and keep
    /// it if it is the best so far.
    pub(super) fn we_are_finished(&mut self, vm: &mut Vm, state: State) -> Result<(), Unwind> {
        let Some(rule) = self.rule.clone() else {
            return Ok(());
        };
        self.found_level = self.found_level.max(2);
        self.trace(|| "we_are_finished".to_string());
        if self.best_match >= rule.weight {
            return Ok(());
        }
        if state.errors != 0
            && (state.errors > self.best_num_errors
                || (state.errors == self.best_num_errors && rule.weight < self.best_error_match))
        {
            return Ok(());
        }
        let mut state = state;
        if !self.check_functions(vm, &mut state, &rule)? {
            return Ok(());
        }
        self.parallel_errors.clear();
        let mut which = 1;
        for m in 0..state.matches {
            if which >= 3 {
                break;
            }
            match self.matches[m].token {
                MTok::Error => {
                    which += 1;
                    continue;
                }
                MTok::Obj(_) => {}
                _ => continue,
            }
            if self.matches[m].token.plural() {
                self.plural_check(vm, &mut state, which, m)?;
            } else if state.objs == 2 {
                self.dependent_check(vm, &mut state, which, m)?;
            } else {
                self.singular_check(vm, &mut state, which, m)?;
            }
            which += 1;
        }
        if state.objs == 2 && state.errors == 0 {
            self.check_object_relations(vm, &mut state)?;
        }
        if state.errors != 0 {
            // "There is no ..." stands for a string where an object was
            // wanted: weigh it like one.
            let weight = if matches!(self.current, Some(PErr::ThereIsNo(_))) {
                1
            } else {
                rule.weight
            };
            if state.errors == self.best_num_errors && weight <= self.best_error_match {
                return Ok(());
            }
            self.best_error = self.current.take();
            self.best_num_errors = state.errors;
            self.best_error_match = weight;
            return Ok(());
        }
        self.best_match = rule.weight;
        self.found = None;
        if !vm.objects.alive(rule.handler) {
            self.best_match = 0;
            return Ok(());
        }
        let mut calls = Vec::with_capacity(4);
        for tryy in 0..4 {
            calls.push(self.call_spec(vm, 3, tryy, None)?);
        }
        self.trace(|| format!("Saving successful match: {}", calls[0].0));
        self.found = Some(Found {
            ob: rule.handler,
            calls,
        });
        Ok(())
    }

    /// An apply's name and arguments for check `which` (0 `can_`,
    /// 1 `direct_`, 2 `indirect_`, 3 `do_`, 4 and 5 `direct_` and
    /// `indirect_` of a chosen pair) in form `tryy` (0 `put_obj_in_obj`,
    /// 1 `put_obj_word_obj`, 2 `verb_obj_word_obj`, 3 `verb_rule`).
    fn call_spec(
        &mut self,
        vm: &mut Vm,
        which: usize,
        tryy: usize,
        target: Option<ObjRef>,
    ) -> Result<(String, Vec<Value>), Unwind> {
        let Some(rule) = self.rule.clone() else {
            return Ok((String::new(), Vec::new()));
        };
        let mut name = PREFIXES[which].to_string();
        let mut args = Vec::new();
        if tryy < 2 {
            name.push_str(&self.verb_name);
        } else {
            name.push_str("verb");
            args.push(Value::str(self.verb_name.to_string()));
        }
        let named = tryy != 3;
        if tryy == 3 {
            name.push_str("_rule");
            args.push(Value::str(rule_string(&rule.tokens, &self.literals)));
        }
        let mut at = 0;
        let mut omatch = 0;
        for tok in &rule.tokens {
            if named {
                name.push('_');
            }
            match *tok {
                Token::Obj(bits) => {
                    let liv = bits & LIV != 0;
                    let many = bits & PLURAL != 0
                        && omatch + 1 < which
                        && which < 4
                        && self.matches[at].token.plural();
                    if named {
                        name.push_str(match (liv, many) {
                            (false, false) => "obj",
                            (true, false) => "liv",
                            (false, true) => "obs",
                            (true, true) => "lvs",
                        });
                    }
                    omatch += 1;
                    let value = if which >= 4 {
                        let i = if omatch == 1 {
                            self.direct
                        } else {
                            self.indirect
                        };
                        object_or_zero(self.objects.get(i.unwrap_or(0)).copied())
                    } else if omatch == which {
                        object_or_zero(target)
                    } else if omatch > which {
                        Value::Int(0)
                    } else {
                        let m = &self.matches[at];
                        match m.token {
                            MTok::Error => Value::Int(0),
                            t if t.plural() => {
                                let obs = m.obs.clone();
                                self.objects_array(vm, &obs, which == 3)?
                            }
                            _ => match m.number.and_then(|i| self.objects.get(i)) {
                                Some(&ob) if vm.objects.alive(ob) => Value::Object(ob),
                                _ => Value::Int(0),
                            },
                        }
                    };
                    args.push(value);
                    at += 1;
                }
                Token::Str | Token::Wrd => {
                    if named {
                        name.push_str(if *tok == Token::Str { "str" } else { "wrd" });
                    }
                    let m = &self.matches[at];
                    args.push(Value::str(self.span(m.first, m.last)));
                    at += 1;
                }
                Token::Lit(l) => {
                    let lit = self
                        .literals
                        .get(l)
                        .cloned()
                        .unwrap_or_else(|| Rc::from(""));
                    if tryy == 0 {
                        name.push_str(&lit);
                    } else if tryy < 3 {
                        name.push_str("word");
                        args.push(Value::str(lit.to_string()));
                    }
                }
            }
        }
        // Then the words as typed: the verb (general forms only) and
        // each token's words.
        if tryy >= 2 {
            args.push(Value::str(self.span(0, 0)));
        }
        let mut at = 0;
        for tok in &rule.tokens {
            if !matches!(tok, Token::Lit(_)) {
                let m = &self.matches[at];
                args.push(Value::str(self.span(m.first, m.last)));
                at += 1;
            }
        }
        Ok((name, args))
    }

    /// The objects of a plural match, last found first; for the `do_`
    /// call, preceded by the errors of the objects that refused.
    fn objects_array(
        &mut self,
        vm: &mut Vm,
        obs: &Bits,
        errors_too: bool,
    ) -> Result<Value, Unwind> {
        let mut items = Vec::new();
        if errors_too {
            for k in 0..self.parallel_errors.len() {
                let (err, idx) = &mut self.parallel_errors[k];
                let (err, idx) = (err.take(), *idx);
                let ob = self.objects.get(idx).copied();
                items.push(self.error_value(vm, err, ob)?);
            }
        }
        for i in obs.members().into_iter().rev() {
            items.push(match self.objects.get(i) {
                Some(&ob) if vm.objects.alive(ob) => Value::Object(ob),
                _ => Value::Undefined,
            });
        }
        Ok(Value::array(items))
    }

    /// What the master's `parser_error_message` makes of an error; with
    /// no error, how far the parse got, negated.
    pub(super) fn error_value(
        &mut self,
        vm: &mut Vm,
        err: Option<PErr>,
        ob: Option<ObjRef>,
    ) -> Result<Value, Unwind> {
        let Some(err) = err else {
            return Ok(Value::Int(-(self.found_level as i64)));
        };
        let who = match ob {
            Some(r) if vm.objects.alive(r) => Value::Object(r),
            _ => Value::Undefined,
        };
        let args = match err {
            PErr::Noun(kind, noun, multiple) => vec![
                Value::Int(kind),
                who,
                Value::str(noun.to_string()),
                Value::Int(multiple as i64),
            ],
            PErr::Ambig(obs) => {
                let list = self.objects_array(vm, &obs, false)?;
                vec![Value::Int(ERR_AMBIG), who, list]
            }
            PErr::Ordinal(n) => vec![Value::Int(ERR_ORDINAL), who, Value::Int(n)],
            PErr::Text(t) => vec![Value::Int(ERR_ALLOCATED), who, Value::str(t)],
            PErr::ThereIsNo(t) => vec![Value::Int(ERR_THERE_IS_NO), who, Value::str(t)],
            PErr::BadMultiple => vec![Value::Int(ERR_BAD_MULTIPLE), who],
        };
        let Some(master) = vm.master.filter(|&m| vm.objects.alive(m)) else {
            return Ok(Value::Int(0));
        };
        Ok(vm
            .apply(master, "parser_error_message", args, true)?
            .unwrap_or(Value::Int(0)))
    }

    /// "You can't put the sword in that.": the sentence as the rule read
    /// it, with "that" for the object the check `which` was about.
    fn make_error_message(&mut self, vm: &mut Vm, which: usize) -> Result<PErr, Unwind> {
        let Some(rule) = self.rule.clone() else {
            return Ok(PErr::Text(String::new()));
        };
        let verb = self.words.first().map_or(Rc::from(""), |w| w.text.clone());
        let mut out = format!("You can't {verb} ");
        let which = which as i64;
        let mut cnt = 0usize;
        let mut ocnt = 0i64;
        for tok in &rule.tokens {
            match *tok {
                Token::Str if cnt as i64 == which - 1 => {
                    out.push_str("that ");
                    cnt += 1;
                }
                Token::Str | Token::Wrd => {
                    let m = &self.matches[cnt];
                    out.push_str(&self.span(m.first, m.last));
                    out.push(' ');
                    cnt += 1;
                }
                Token::Lit(l) => {
                    out.push_str(self.literals.get(l).map_or("", |l| l));
                    out.push(' ');
                }
                Token::Obj(_) => {
                    let that = cnt as i64 == which - 1
                        || {
                            ocnt += 1;
                            ocnt >= which
                        }
                        || self.matches[cnt].token.plural();
                    if that {
                        out.push_str("that ");
                    } else {
                        let ob = self.matches[cnt]
                            .number
                            .and_then(|i| self.objects.get(i).copied());
                        out.push_str(&the_short(vm, ob)?);
                        out.push(' ');
                    }
                    cnt += 1;
                }
            }
        }
        out.pop();
        out.push_str(".\n");
        self.trace(|| out.trim_end().to_string());
        Ok(PErr::Text(out))
    }

    /// Asks the `can_` applies, in the player and then in the handler.
    fn check_functions(
        &mut self,
        vm: &mut Vm,
        state: &mut State,
        rule: &Rc<Rule>,
    ) -> Result<bool, Unwind> {
        if !vm.objects.alive(self.user) {
            return Ok(false);
        }
        let mut ob = self.user;
        let mut ret = 0;
        for tryy in 0..8 {
            if ret != 0 {
                break;
            }
            if tryy == 4 {
                ob = rule.handler;
                if !vm.objects.alive(ob) {
                    return Ok(false);
                }
            }
            let (name, args) = self.call_spec(vm, 0, tryy % 4, Some(self.user))?;
            self.trace(|| format!("Trying {name} ..."));
            let answer = safe_apply(vm, ob, &name, args)?;
            ret = self.process_answer(vm, state, answer, 0)?;
            if !vm.objects.alive(ob) || ret == -3 {
                return Ok(false);
            }
        }
        if ret == 0 {
            if state.errors == self.best_num_errors {
                return Ok(false);
            }
            state.errors += 1;
            if state.errors == 1 {
                self.current = Some(self.make_error_message(vm, 0)?);
            }
        }
        Ok(true)
    }

    /// 1: accepted; 0: no such apply; -1: refused with a message; -2:
    /// refused; -3: give up, something better is known.
    fn process_answer(
        &mut self,
        vm: &mut Vm,
        state: &mut State,
        answer: Option<Value>,
        which: usize,
    ) -> Result<i32, Unwind> {
        let text = match answer {
            None => return Ok(0),
            Some(Value::Int(n)) if n != 0 => return Ok(1),
            Some(Value::Int(_) | Value::Undefined) => None,
            Some(Value::Str(s)) => Some(s.text.to_string()),
            Some(_) => return Ok(0),
        };
        self.trace(|| format!("Answer was: {}", text.as_deref().unwrap_or("0")));
        if state.errors == self.best_num_errors {
            return Ok(-3);
        }
        state.errors += 1;
        let refused = if text.is_some() { -1 } else { -2 };
        if state.errors == 1 {
            self.current = Some(match text {
                Some(t) => PErr::Text(t),
                None => self.make_error_message(vm, which)?,
            });
        }
        Ok(refused)
    }

    /// 1: accepted (maybe with a message kept for later); 0: no apply;
    /// -1: refused.
    fn parallel_answer(
        &mut self,
        vm: &mut Vm,
        state: &State,
        answer: Option<Value>,
        which: usize,
    ) -> Result<i32, Unwind> {
        match answer {
            None => Ok(0),
            Some(Value::Int(n)) if n != 0 => Ok(1),
            Some(Value::Int(_) | Value::Undefined) => {
                if state.errors == 0 {
                    self.parallel = Some(self.make_error_message(vm, which)?);
                }
                Ok(-1)
            }
            Some(Value::Str(s)) => {
                // A message starting with '#' refuses; others accept the
                // object but stop the action with the message.
                match s.text.strip_prefix('#') {
                    Some(rest) => {
                        self.parallel = Some(PErr::Text(rest.to_string()));
                        Ok(-1)
                    }
                    None => {
                        self.parallel = Some(PErr::Text(s.text.to_string()));
                        Ok(1)
                    }
                }
            }
            Some(_) => Ok(0),
        }
    }

    /// Asks the `direct_` or `indirect_` applies about one object, in the
    /// object and then in the handler.
    fn parallel_check(
        &mut self,
        vm: &mut Vm,
        state: &State,
        obj: Option<ObjRef>,
        which: usize,
    ) -> Result<bool, Unwind> {
        self.parallel = None;
        let mut ret = 0;
        if let Some(target) = obj {
            if !vm.objects.alive(target) {
                return Ok(false);
            }
            let handler = self.rule.as_ref().map(|r| r.handler);
            let mut ob = target;
            for tryy in 0..8 {
                if ret != 0 {
                    break;
                }
                if tryy == 4 {
                    match handler {
                        Some(h) if vm.objects.alive(h) => ob = h,
                        _ => return Ok(false),
                    }
                }
                let (name, args) = self.call_spec(vm, which, tryy % 4, Some(target))?;
                self.trace(|| format!("Trying {name} ..."));
                let answer = safe_apply(vm, ob, &name, args)?;
                ret = self.parallel_answer(vm, state, answer, which)?;
                if !vm.objects.alive(ob) {
                    return Ok(false);
                }
            }
        }
        if ret == 0 {
            if state.errors == 0 {
                self.parallel = Some(self.make_error_message(vm, 0)?);
            }
            return Ok(false);
        }
        Ok(ret == 1)
    }

    fn use_last_parallel_error(&mut self, state: &mut State) -> bool {
        if self.parallel.is_none() {
            return false;
        }
        state.errors += 1;
        if state.errors == 1 {
            self.current = self.parallel.take();
        }
        true
    }

    fn use_cached_error(&mut self, state: &mut State, err: &mut Option<PErr>) -> bool {
        if err.is_none() {
            return false;
        }
        state.errors += 1;
        if state.errors == 1 {
            self.current = err.take();
        }
        true
    }

    fn cache_parallel_error(&mut self, storage: &mut Option<PErr>) -> bool {
        match self.parallel.take() {
            Some(e) => {
                *storage = Some(e);
                true
            }
            None => false,
        }
    }

    /// A singular object token: one object must accept, or the nth one
    /// that accepts with an ordinal.
    fn singular_check(
        &mut self,
        vm: &mut Vm,
        state: &mut State,
        which: usize,
        m: usize,
    ) -> Result<(), Unwind> {
        let has_ordinal = self.matches[m].ordinal != 0;
        let mut ordinal = self.matches[m].ordinal;
        let mut seen_left = ordinal;
        let mut accepted = 0;
        let mut chosen: Option<usize> = None;
        let mut was_error = false;
        for idx in self.matches[m].obs.members() {
            let ob = self.objects.get(idx).copied();
            if self.parallel_check(vm, state, ob, which)? {
                if has_ordinal {
                    seen_left -= 1;
                    ordinal -= 1;
                    if ordinal == 0 {
                        if self.use_last_parallel_error(state) {
                            self.matches[m].token = MTok::Error;
                        } else {
                            self.matches[m].number = Some(idx);
                        }
                        return Ok(());
                    }
                } else {
                    accepted += 1;
                    if accepted == 1 {
                        if self.use_last_parallel_error(state) {
                            was_error = true;
                            self.matches[m].token = MTok::Error;
                        } else {
                            was_error = false;
                            chosen = Some(idx);
                        }
                        if matches!(self.matches[m].token, MTok::Obj(b) if b & CHOOSE != 0) {
                            if chosen.is_some() {
                                self.matches[m].number = chosen;
                            }
                            return Ok(());
                        }
                    } else {
                        chosen = None;
                    }
                }
            } else {
                if has_ordinal {
                    seen_left -= 1;
                    if seen_left == 0 {
                        self.second_parallel = self.parallel.take();
                    }
                }
                self.matches[m].obs.clear(idx);
            }
        }
        if !has_ordinal {
            if accepted == 1 {
                self.matches[m].number = chosen;
                return Ok(());
            }
            if was_error {
                state.errors -= 1;
            }
            self.matches[m].token = MTok::Error;
            if accepted == 0 && self.use_last_parallel_error(state) {
                return Ok(());
            }
            state.errors += 1;
            if state.errors == 1 {
                self.current = Some(PErr::Ambig(self.matches[m].obs.clone()));
            }
            return Ok(());
        }
        self.matches[m].token = MTok::Error;
        state.errors += 1;
        if state.errors == 1 {
            self.current = if seen_left <= 0 {
                self.second_parallel.take()
            } else {
                Some(PErr::Ordinal(self.matches[m].obs.count() as i64))
            };
        }
        Ok(())
    }

    /// A plural token: keeps the objects that accept; the refusals with a
    /// message go to the `do_` call.
    fn plural_check(
        &mut self,
        vm: &mut Vm,
        state: &mut State,
        which: usize,
        m: usize,
    ) -> Result<(), Unwind> {
        let mut found_one = false;
        for idx in self.matches[m].obs.members() {
            let ob = self.objects.get(idx).copied();
            let ok = self.parallel_check(vm, state, ob, which)?;
            let refused = !ok || {
                match self.parallel.take() {
                    Some(e) => {
                        self.parallel_errors.insert(0, (Some(e), idx));
                        true
                    }
                    None => false,
                }
            };
            if refused {
                self.matches[m].obs.clear(idx);
            } else {
                found_one = true;
            }
        }
        if !found_one && self.use_last_parallel_error(state) {
            self.matches[m].token = MTok::Error;
        }
        Ok(())
    }

    /// One of two singular tokens: keeps every object that accepts; the
    /// pair is settled by [`Parse::check_object_relations`].
    fn dependent_check(
        &mut self,
        vm: &mut Vm,
        state: &mut State,
        which: usize,
        m: usize,
    ) -> Result<(), Unwind> {
        let mut found_one = false;
        let mut err = None;
        for idx in self.matches[m].obs.members() {
            let ob = self.objects.get(idx).copied();
            let ok = self.parallel_check(vm, state, ob, which)?;
            if !ok || self.cache_parallel_error(&mut err) {
                self.matches[m].obs.clear(idx);
            } else {
                if !found_one {
                    self.matches[m].number = Some(idx);
                }
                found_one = true;
            }
        }
        if !found_one
            && (self.use_cached_error(state, &mut err) || self.use_last_parallel_error(state))
        {
            self.matches[m].token = MTok::Error;
        }
        Ok(())
    }

    /// Checks one direct and indirect object together, the unique one
    /// first.
    fn check_one_relation(
        &mut self,
        vm: &mut Vm,
        state: &State,
        direct_first: bool,
        errinfo: &mut Option<PErr>,
    ) -> Result<u8, Unwind> {
        let mut err = None;
        let (first, second, w1, w2) = if direct_first {
            (self.direct, self.indirect, 4, 5)
        } else {
            (self.indirect, self.direct, 5, 4)
        };
        let ob1 = first.and_then(|i| self.objects.get(i).copied());
        if !self.parallel_check(vm, state, ob1, w1)? {
            return Ok(REL_ERROR);
        }
        self.cache_parallel_error(&mut err);
        let ob2 = second.and_then(|i| self.objects.get(i).copied());
        if !self.parallel_check(vm, state, ob2, w2)? {
            if err.is_some() {
                *errinfo = err;
            }
            return Ok(REL_ERROR);
        }
        let mut res = REL_COMPLETE;
        if err.is_none() && self.cache_parallel_error(&mut err) {
            res |= REL_ERROR;
        }
        if err.is_some() {
            *errinfo = err;
        }
        Ok(res)
    }

    /// With two object tokens, finds the pair of objects that accept each
    /// other.
    fn check_object_relations(&mut self, vm: &mut Vm, state: &mut State) -> Result<(), Unwind> {
        let mut direct = None;
        let mut indirect = None;
        for i in 0..state.matches {
            match self.matches[i].token {
                MTok::Obj(_) if direct.is_none() => direct = Some(i),
                MTok::Obj(_) => indirect = Some(i),
                MTok::Error => return Ok(()),
                _ => {}
            }
        }
        let (Some(d), Some(ind)) = (direct, indirect) else {
            return Ok(());
        };
        if self.matches[ind].ordinal != 0 {
            // "from the second cask" means that cask, even if it does not
            // fit: choose it before pairing.
            let mut ord = self.matches[ind].ordinal;
            let mut chosen = None;
            for idx in self.matches[ind].obs.members() {
                ord -= 1;
                if ord == 0 {
                    chosen = Some(idx);
                    break;
                }
            }
            match chosen {
                Some(c) => self.matches[ind].obs = Bits::one(c),
                None => {
                    self.matches[ind].token = MTok::Error;
                    state.errors += 1;
                    if state.errors == 1 {
                        let n = self.matches[ind].obs.count() as i64 + 1;
                        self.current = Some(PErr::Ordinal(n));
                    }
                    return Ok(());
                }
            }
        }
        let dir_objs = self.matches[d].obs.members();
        let indir_objs = self.matches[ind].obs.members();
        let direct_unique = !self.matches[d].token.plural();
        let indirect_unique = !self.matches[ind].token.plural();
        let choose = matches!(self.matches[d].token, MTok::Obj(b) if b & CHOOSE != 0);
        let mut direct_ordinal = match self.matches[d].ordinal {
            0 => -1,
            n => n,
        };
        let mut found_direct: Option<usize> = None;
        let mut found_indirect: Option<usize> = None;
        let mut directs = Bits::default();
        let mut indirects = Bits::default();
        let mut err = None;
        for &dobj in &dir_objs {
            self.direct = Some(dobj);
            for &iobj in &indir_objs {
                self.indirect = Some(iobj);
                let ret = self.check_one_relation(vm, state, indirect_unique, &mut err)?;
                if ret & REL_COMPLETE == 0 {
                    continue;
                }
                if indirect_unique && found_indirect.is_some_and(|f| f != iobj) {
                    self.matches[ind].token = MTok::Error;
                    state.errors += 1;
                    if state.errors == 1 {
                        self.current = Some(PErr::Ambig(self.matches[ind].obs.clone()));
                    }
                    return Ok(());
                }
                if direct_ordinal > 0 {
                    direct_ordinal -= 1;
                }
                if direct_ordinal <= 0 && direct_unique && found_direct.is_some_and(|f| f != dobj) {
                    self.matches[ind].token = MTok::Error;
                    state.errors += 1;
                    if state.errors == 1 {
                        self.current = Some(PErr::Ambig(self.matches[d].obs.clone()));
                    }
                    return Ok(());
                }
                if ret & REL_ERROR == 0 {
                    if direct_ordinal <= 0 {
                        directs.set(dobj);
                    }
                    indirects.set(iobj);
                }
                if direct_ordinal <= 0 {
                    found_direct = Some(dobj);
                }
                found_indirect = Some(iobj);
            }
            // Stop once the wanted direct object is found. The first
            // object of the list never counts as found here.
            if found_direct != Some(0) && (direct_ordinal == 0 || (direct_unique && choose)) {
                break;
            }
        }
        self.matches[d].obs = directs;
        self.matches[ind].obs = indirects;
        self.matches[d].number = if direct_unique { found_direct } else { Some(0) };
        self.matches[ind].number = if indirect_unique {
            found_indirect
        } else {
            Some(0)
        };
        if found_direct.is_none() {
            if self.use_cached_error(state, &mut err) || self.use_last_parallel_error(state) {
                self.matches[d].token = MTok::Error;
            }
        } else if found_indirect.is_none()
            && (self.use_cached_error(state, &mut err) || self.use_last_parallel_error(state))
        {
            self.matches[ind].token = MTok::Error;
        }
        Ok(())
    }

    /// Calls the best rule's `do_` applies, most specific first, until
    /// one exists.
    pub(super) fn do_the_call(&mut self, vm: &mut Vm) -> Result<(), Unwind> {
        let Some(found) = self.found.take() else {
            return Ok(());
        };
        for (name, args) in found.calls {
            if !vm.objects.alive(found.ob) {
                return Ok(());
            }
            let args = args
                .into_iter()
                .map(|v| match v {
                    Value::Object(r) if !vm.objects.alive(r) => Value::Undefined,
                    v => v,
                })
                .collect();
            self.trace(|| format!("Calling {name} ..."));
            if safe_apply(vm, found.ob, &name, args)?.is_some() {
                return Ok(());
            }
        }
        let name = vm.object_name(found.ob).unwrap_or_default();
        Err(error(format!(
            "Parse accepted, but no do_* function found in object {name}!"
        )))
    }
}

fn object_or_zero(ob: Option<ObjRef>) -> Value {
    ob.map_or(Value::Int(0), Value::Object)
}

/// An object's `the_short()`, for error messages.
fn the_short(vm: &mut Vm, ob: Option<ObjRef>) -> Result<String, Unwind> {
    let Some(ob) = ob else {
        return Ok("the thing".to_string());
    };
    match safe_apply(vm, ob, "the_short", Vec::new())? {
        Some(Value::Str(s)) => Ok(s.text.to_string()),
        _ => Ok("the thing".to_string()),
    }
}
