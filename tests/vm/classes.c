#include "check.h"
inherit "/std/shape";

class pair {
  string name;
  mixed value;
}

string failures = "";
string more();

string run() {
  class pair p = new(class pair, name: "a", value: 3);
  class pair q = new(class pair);
  class point pt = new(class point, y: 2);
  CHECK(p.name == "a" && p->value == 3);
  CHECK(undefinedp(q.name) && q.value == 0);
  p.value += 4;
  CHECK(p.value == 7);
  q->name = "b";
  CHECK(q.name == "b" && classp(q) && sizeof(q) == 2);
  CHECK(pt.x == 0 && pt.y == 2);
  CHECK(p != q && p == p);
  return more();
}

int twice(int x) { return 2 * x; }

// Functions named as values, member ++ and time_expression.
string more() {
  class pair p = new(class pair, value: 1);
  function f = twice;
  function g = sizeof;
  int t;
  p.value++;
  ++p.value;
  CHECK(p.value == 3 && p.value-- == 3 && p.value == 2);
  CHECK((*f)(4) == 8 && evaluate(g, ({ 1, 2 })) == 2);
  t = time_expression { int i; for (i = 0; i < 10; i++) ; };
  CHECK(intp(t) && t >= 0);
  return failures;
}
