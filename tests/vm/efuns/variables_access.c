// fetch_variable() and store_variable(): globals by name.
#include "/check.h"

#define PROBE "/efuns/obj/probe"

mixed mine = 1;
private int hidden = 2;
mixed not_an_object = 5;

string run() {
  string failures = "";
  object probe = new(PROBE, 0);
  mixed *values = ({ 0, 42, 1.5, "text", ({ 1, 2 }), ([ "a": 1 ]), probe });

  CHECK(fetch_variable("mine") == 1);
  CHECK(fetch_variable("hidden") == 2);
  foreach (mixed v in values) {
    store_variable("mine", v);
    CHECK(mine == v);
    CHECK(fetch_variable("mine", this_object()) == v);
  }

  CHECK(fetch_variable("counter", probe) == 7);
  store_variable("counter", 9, probe);
  CHECK(probe->query_counter() == 9);
  CHECK(fetch_variable("counter", probe) == 9);

  // Private globals of another object are not visible.
  CHECK(catch(fetch_variable("secret", probe)));
  CHECK(catch(store_variable("secret", 1, probe)));
  CHECK(catch(fetch_variable("no_such_variable")));
  CHECK(catch(store_variable("no_such_variable", 1)));
  CHECK(catch(fetch_variable("counter", not_an_object)));
  destruct(probe);
  return failures;
}
