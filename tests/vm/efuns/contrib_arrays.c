// element_of(), shuffle(), min(), max() and the class helpers.
#include "/check.h"

class pair { int a; string b; }

string run() {
  string failures = "";
  int *a = ({ 1, 2, 3, 4, 5 });
  int *s;
  int i, total;
  mixed c;
  class pair p = new(class pair, a: 1, b: "one");

  for (i = 0; i < 20; i++) CHECK(member_array(element_of(a), a) != -1);
  CHECK(element_of(({ 42 })) == 42);
  CHECK(catch(element_of(({}))));

  // shuffle() reorders the array itself.
  s = shuffle(a);
  CHECK(s == a && sizeof(s) == 5);
  foreach (int x in s) total += x;
  CHECK(total == 15);
  CHECK(sizeof(shuffle(({}))) == 0);

  CHECK(max(({ 3, 1, 2 })) == 3);
  CHECK(min(({ 3, 1, 2 })) == 1);
  CHECK(max(({ 3, 7.5 })) == 7.5);
  CHECK(max(({ "b", "c", "a" })) == "c" && min(({ "b", "c", "a" })) == "a");
  CHECK(max(({ 3, 1, 9 }), 1) == 2 && min(({ 3, 1, 9 }), 1) == 1);
  CHECK(catch(max(({}))));
  CHECK(catch(min(({ 1, "a" }))));
  CHECK(catch(max(({ ({}) }))));

  c = assemble_class(({ 11, "two" }));
  CHECK(classp(c));
  CHECK(fetch_class_member(c, 0) == 11 && fetch_class_member(c, 1) == "two");
  store_class_member(c, 1, "three");
  CHECK(sprintf("%O", disassemble_class(c)) == sprintf("%O", ({ 11, "three" })));
  CHECK(sprintf("%O", disassemble_class(p)) == sprintf("%O", ({ 1, "one" })));
  store_class_member(p, 0, 5);
  CHECK(p->a == 5);
  CHECK(catch(fetch_class_member(c, 2)));
  CHECK(catch(fetch_class_member(({ 1 }), 0)));
  CHECK(catch(store_class_member(c, -1, 0)));
  CHECK(num_classes(this_object()) == 2);
  return failures;
}

// num_classes(): classes declared here, each counted once.
class unused_one { int z; }
