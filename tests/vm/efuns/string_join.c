// `+` and `+=` with a string on one side and an object, number or float on
// the other: the other side is written out as text.
#include "/check.h"

mapping holder = ([]);

// Hands back the held object, leaving the mapping without it.
object release() {
  object r = holder["it"];
  map_delete(holder, "it");
  return r;
}

string run() {
  string failures = "";
  object ob = clone_object("/efuns/obj/item");
  string name = file_name(ob);
  string s, t;
  mixed u;
  int before = 7, after = 8;
  int n = 12;

  CHECK(name[0] == '/');
  CHECK("at " + ob == "at " + name);
  CHECK(ob + "!" == name + "!");
  s = "at ";
  s += ob;
  CHECK(s == "at " + name);
  t = "at ";
  u = (t += ob);
  CHECK(t == "at " + name && u == t);
  // Neighbouring locals are untouched by the compound store.
  CHECK(before == 7 && after == 8);
  CHECK(n + "abc" == "12abc" && "abc" + n == "abc12");
  CHECK(1.5 + "x" == "1.500000x");
  // Objects and strings do not mix under other operators.
  u = ob;
  CHECK(catch(u = "x" - u) != 0);
  // Without a string beside it, an object is no text.
  u = ob;
  CHECK(catch(u = u + 1) != 0);

  // A destructed object read back from a container is 0.
  holder["it"] = ob;
  destruct(ob);
  CHECK("x" + release() == "x0");
  CHECK(holder["it"] == 0);
  return failures;
}
