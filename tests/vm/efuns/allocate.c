// allocate() and allocate_mapping() in all their forms.
#include "/check.h"

string run() {
  string failures = "";
  mixed *a;
  mapping m;

  a = allocate(3);
  CHECK(sizeof(a) == 3 && a[0] == 0 && a[2] == 0);
  a = allocate(2, "x");
  CHECK(a[0] == "x" && a[1] == "x");
  // A fill function is called with each index.
  a = allocate(4, (: $1 * 10 :));
  CHECK(sprintf("%O", a) == sprintf("%O", ({ 0, 10, 20, 30 })));
  CHECK(sizeof(allocate(0)) == 0);
  CHECK(catch(allocate(-1)));

  m = allocate_mapping(10);
  CHECK(mapp(m) && sizeof(m) == 0);
  m = allocate_mapping(({ "a", "b" }), ({ 1, 2 }));
  CHECK(sizeof(m) == 2 && m["a"] == 1 && m["b"] == 2);
  m = allocate_mapping(({ "a", "b" }), 7);
  CHECK(m["a"] == 7 && m["b"] == 7);
  m = allocate_mapping(({ 2, 3 }), (: $1 * $1 :));
  CHECK(m[2] == 4 && m[3] == 9);
  CHECK(catch(allocate_mapping(({ 1 }), ({ 1, 2 }))));
  CHECK(catch(allocate_mapping(({ 1 }), (: error("no") :))));
  return failures;
}
