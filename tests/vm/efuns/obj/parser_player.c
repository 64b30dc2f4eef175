// The object that types commands: parse_sentence() works for the object
// that calls it.
void create() { parse_init(); }
string *parse_command_id_list() { return ({ "player" }); }
int is_living() { return 1; }
void go(object dest) { move_object(dest); }
mixed cmd(string s) { return parse_sentence(s); }
mixed cmd_in(string s, object *env) { return parse_sentence(s, 0, env); }
mixed cmd_nick(string s, mapping nicks) { return parse_sentence(s, 0, 0, nicks); }
