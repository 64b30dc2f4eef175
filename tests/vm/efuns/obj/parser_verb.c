// A verb handler: rules for several verbs, and applies that note how
// they were called.
mixed *calls = ({});
int can_answer = 1;

void create() { parse_init(); }

void add(string verb, string rule) { parse_add_rule(verb, rule); }
void remove(string verb) { parse_remove(verb); }
void synonym(string a, string b, string rule) {
  if (rule) parse_add_synonym(a, b, rule);
  else parse_add_synonym(a, b);
}
mixed mine(object who, string s, int run) { return parse_my_rules(who, s, run); }
void set_can(int n) { can_answer = n; }
mixed *take() {
  mixed *c = calls;
  calls = ({});
  return c;
}
void note(mixed *c) { calls += ({ c }); }

int can_get_obj(mixed a, string n) { return can_answer; }
int can_get_obs(mixed a, string n) { return can_answer; }
int can_get_obj_under_obj(mixed a, mixed b, string n1, string n2) { return 1; }
void do_get_obj(object ob, string n) { note(({ "get_obj", ob, n })); }
void do_get_obs(object *obs, string n) { note(({ "get_obs", obs, n })); }

int can_put_obj_in_obj(mixed a, mixed b, string n1, string n2) { return 1; }
void do_put_obj_in_obj(object a, object b, string n1, string n2) {
  note(({ "put", a, b, n1, n2 }));
}

int can_give_liv_obj(mixed a, mixed b, string n1, string n2) { return 1; }
void do_give_liv_obj(object a, object b, string n1, string n2) {
  note(({ "give", a, b }));
}

int can_say_str(string s, string n) { return 1; }
void do_say_str(string s, string n) { note(({ "say", s, n })); }

int can_look_wrd(string w, string n) { return 1; }
int can_look_word_obj(string prep, mixed a, string n) { return 1; }
mixed direct_look_word_obj(string prep, object ob, string n) { return 1; }
void do_look_wrd(string w, string n) { note(({ "look_wrd", w })); }
void do_look_in_obj(object ob, string n) { note(({ "look_in", ob })); }

// The general forms: "jump on STR" has only word-for-word applies, and
// "poke OBJ" only the verb_rule ones.
int can_jump_word_str(string on, string s, string n) { return 1; }
void do_jump_word_str(string on, string s, string n) { note(({ "jump", on, s, n })); }
int can_verb_rule(string verb, string rule, mixed a, string typed, string n) {
  return verb == "poke";
}
void do_verb_rule(string verb, string rule, mixed a, string typed, string n) {
  note(({ "verb_rule", verb, rule, a, typed, n }));
}
