// A thing the parser knows: names, plurals and adjectives from create(),
// a short name for error messages, and answers to direct_ and indirect_
// applies that the test can change.
string short_name;
string *ids, *plurals, *adjs;
int living_flag, open_flag;
mixed answer = 1;

void create(string s, string *i, string *p, string *a) {
  short_name = s;
  ids = i;
  plurals = p;
  adjs = a;
  parse_init();
}

string *parse_command_id_list() { return ids; }
string *parse_command_plural_id_list() { return plurals; }
string *parse_command_adjectiv_id_list() { return adjs; }
int is_living() { return living_flag; }
int inventory_visible() { return open_flag; }
int inventory_accessible() { return open_flag; }
string the_short() { return "the " + short_name; }
string query_short() { return short_name; }

void go(object dest) { move_object(dest); }
void set_living(int n) { living_flag = n; }
void set_open(int n) { open_flag = n; }
void set_answer(mixed a) { answer = a; }
void rename(string *i) { ids = i; }
void refresh() { parse_refresh(); }

mixed direct_get_obj(object ob, string name) { return answer; }
mixed direct_put_obj_in_obj(object a, object b, string n1, string n2) { return answer; }
mixed indirect_put_obj_in_obj(object a, object b, string n1, string n2) {
  return open_flag ? 1 : "#The " + short_name + " is closed.";
}
mixed direct_give_liv_obj(object a, object b, string n1, string n2) { return living_flag; }
mixed indirect_give_liv_obj(object a, object b, string n1, string n2) { return 1; }
// Rules without a specific apply fall back to this one.
mixed direct_verb_rule(string verb, string rule, mixed a, mixed b, mixed c) {
  return verb == "poke" || verb == "look";
}
