#include "check.h"
inherit "/std/shape";

class pair {
  string name;
  mixed value;
}

string failures = "";

string run() {
  class pair p = new(class pair, name: "a", value: 3);
  class pair q = new(class pair);
  class point pt = new(class point, y: 2);
  CHECK(p.name == "a" && p->value == 3);
  CHECK(q.name == 0 && q.value == 0);
  p.value += 4;
  CHECK(p.value == 7);
  q->name = "b";
  CHECK(q.name == "b" && classp(q) && sizeof(q) == 2);
  CHECK(pt.x == 0 && pt.y == 2);
  CHECK(p != q && p == p);
  return failures;
}
