// A test object: answers id() to its name, records init() calls in the
// log object, and can be told to move, become living or destruct.
string name;
int stay;
// Destructed by move_or_destruct(): only allowed when it is this object.
object victim;

void create(string n) { name = n; }

string query_name() { return name; }

int id(string s) { return s == name; }

void set_stay(int s) { stay = s; }

void set_victim(object v) { victim = v; }

int may_hide;
void allow_hide(int f) { may_hide = f; }
int query_may_hide() { return may_hide; }
void hide(int f) { set_hide(f); }

// What this object sees with the inventory efuns.
mixed *look(object where, string id) {
  return ({ all_inventory(where), first_inventory(where), present(id, where),
            deep_inventory(where) });
}

// Called when the object holding this one is destructed.
void move_or_destruct(mixed dest) {
  if (victim) destruct(victim);
  if (dest && !stay) move_object(dest);
}

void go(mixed dest) { move_object(dest); }

void live() { enable_commands(); }

void live_and_meet() { enable_commands(1); }

void die() { disable_commands(); }

void call_me(string living_name) { set_living_name(living_name); }

string tp_name() {
  object tp = this_player();
  return tp ? tp->query_name() : "0";
}

void init() {
  "/efuns/obj/log"->add(name + ":" + tp_name());
}
