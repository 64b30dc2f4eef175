// A destructed object held in an array or mapping reads as 0, however
// the element is reached.
#include "/check.h"

string run() {
  string failures = "";
  object a = new("/counter", 1), b = new("/counter", 2);
  mapping held = ([ "a": a ]);
  object *list = ({ b });

  destruct(a);
  destruct(b);
  CHECK(!held["a"]);
  CHECK(held["a"] == 0);
  CHECK(!list[0]);
  CHECK(intp(list[0]));
  return failures;
}
