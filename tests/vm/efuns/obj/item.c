// An object with the name lists parse_command() asks for; a plural list
// of 0 lets the driver make the plurals from the ids.
mixed ids, plurals, adjectives;

void create(mixed i, mixed p, mixed a) {
  ids = i;
  plurals = p;
  adjectives = a;
}

mixed parse_command_id_list() { return ids; }
mixed parse_command_plural_id_list() { return plurals; }
mixed parse_command_adjectiv_id_list() { return adjectives; }

void go(object dest) { move_object(dest); }

void live(string name) {
  enable_commands();
  if (name) set_living_name(name);
}
