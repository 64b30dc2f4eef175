// this_player() across loads and clones, efun pointers bound to another
// object, and the aliases this_interactive() and this_user().
#include "/check.h"

#define ENABLER "/efuns/obj/self_enabler"
#define THING "/efuns/obj/thing"

string run() {
  string failures = "";
  object before = this_player();
  object other, thing;

  // create() may call enable_commands(); the caller's this_player() stays.
  other = new(ENABLER);
  CHECK(this_player() == before);
  CHECK(living(other));
  destruct(other);
  CHECK(this_player() == before);

  // An efun pointer bound to another object runs as that object.
  thing = new(THING, "bound");
  evaluate(bind((: enable_commands :), thing));
  CHECK(living(thing));
  CHECK(this_player() == thing);
  destruct(thing);
  CHECK(!this_player());

  // The aliases.
  thing = new(THING, "alias");
  evaluate(bind((: enable_commands :), thing));
  CHECK(this_user() == thing);
  CHECK(this_interactive() == this_player(1));
  CHECK(!this_interactive());
  destruct(thing);
  return failures;
}
