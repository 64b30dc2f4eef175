// has_cycle(), find_cycles(), break_cycles() and refs(): reference loops and counts.
#include "/check.h"

class node { mixed data; mixed next; }

string run() {
  string failures = "";
  mixed *a, *b, *shared, *dag, *r1, *r2, *r3;
  mapping m1, m2;
  class node n1, n2;
  string *paths;

  CHECK(!has_cycle(0) && !has_cycle(({ 1, ({ 2 }), ([ "k": 3 ]) })));
  CHECK(sizeof(find_cycles(({ 1, ({ 2 }) }))) == 0);
  CHECK(break_cycles(42) == 0);

  a = ({ "keep", 0 });
  a[1] = a;
  CHECK(has_cycle(a));
  CHECK(sprintf("%O", find_cycles(a)) == sprintf("%O", ({ "[1]" })));
  CHECK(break_cycles(a) == 1);
  CHECK(a[0] == "keep" && a[1] == 0 && !has_cycle(a));
  // Only the variable holds it now.
  CHECK(refs(a) == 1);

  b = ({ ({ 0 }) });
  b[0][0] = b;
  CHECK(sprintf("%O", find_cycles(b)) == sprintf("%O", ({ "[0][0]" })));
  CHECK(sprintf("%O", find_cycles(({ b, b }))) == sprintf("%O", ({ "[0][0][0]" })));
  b[0][0] = 0;

  // Sharing without a loop is no loop, and is kept.
  shared = ({ 1 });
  dag = ({ shared, shared });
  CHECK(!has_cycle(dag) && break_cycles(dag) == 0 && dag[0] == shared && dag[1] == shared);
  CHECK(refs(shared) == 3 && refs(dag) == 1 && refs(5) == -1);

  // A ring of three: one cut opens it.
  r1 = ({ 0 }); r2 = ({ 0 }); r3 = ({ 0 });
  r1[0] = r2; r2[0] = r3; r3[0] = r1;
  CHECK(break_cycles(r1) == 1 && !has_cycle(r1) && r1[0] == r2 && r3[0] == 0);

  // Classes: member indexes in declaration order.
  n1 = new(class node, data: 1);
  n2 = new(class node, data: 2);
  n1->next = n2;
  n2->next = n1;
  CHECK(sprintf("%O", find_cycles(n1)) == sprintf("%O", ({ ".1.1" })));
  CHECK(break_cycles(n1) == 1 && n1->next == n2 && n2->next == 0);

  // Mappings: values and keys.
  m1 = ([ "name": "m1" ]);
  m1["self"] = m1;
  paths = find_cycles(m1);
  CHECK(sizeof(paths) == 1 && paths[0] == "[\"self\"]");
  CHECK(break_cycles(m1) == 1 && m1["self"] == 0 && m1["name"] == "m1");
  m1 = ([]);
  m2 = ([]);
  m1[m2] = "v1";
  m2[m1] = "v2";
  CHECK(has_cycle(m1));
  CHECK(sprintf("%O", find_cycles(m1)) == sprintf("%O", ({ "[key <mapping>][key <mapping>]" })));
  CHECK(break_cycles(m1) == 1 && !has_cycle(m1) && sizeof(m2) == 0 && sizeof(m1) == 1);
  return failures;
}
