// reload_object(): variables back to their initial values, create() run
// again, shadows gone; the object stays the same object.
#include "/check.h"

string run() {
  string failures = "";
  object ob = clone_object("/counter", 5);
  object s = clone_object("/shadow_helper");

  ob->bump();
  CHECK(ob->bump() == 7);
  s->start(ob);
  CHECK(shadow(ob, 0) == s);
  reload_object(ob);
  CHECK(objectp(ob) && objectp(s));
  CHECK(shadow(ob, 0) == 0);
  CHECK(query_shadowing(s) == 0);
  // create() ran again without arguments.
  CHECK(ob->bump() == 1);
  CHECK(ob->query_creator() == this_object());
  destruct(s);
  destruct(ob);
  return failures;
}
