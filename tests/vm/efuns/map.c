// map() on arrays, mappings and strings, by function or by name.
#include "/check.h"

int twice(int x) { return 2 * x; }
int add(int x, int y) { return x + y; }

string run() {
  string failures = "";
  mapping m;

  CHECK(sprintf("%O", map(({ 1, 2, 3 }), (: $1 * $1 :))) == sprintf("%O", ({ 1, 4, 9 })));
  CHECK(sprintf("%O", map(({ 1, 2 }), (: $1 + $2 :), 10)) == sprintf("%O", ({ 11, 12 })));
  CHECK(sprintf("%O", map(({ 1, 2 }), "twice")) == sprintf("%O", ({ 2, 4 })));
  CHECK(sprintf("%O", map(({ 1, 2 }), "add", this_object(), 5)) == sprintf("%O", ({ 6, 7 })));
  CHECK(sprintf("%O", map_array(({ 3 }), "twice", "/efuns/map")) == sprintf("%O", ({ 6 })));
  // A missing function maps to 0.
  CHECK(sprintf("%O", map(({ 1, 2 }), "nothing_here")) == sprintf("%O", ({ 0, 0 })));

  // Mappings: values replaced by f(key, value).
  m = map(([ "a": 1, "b": 2 ]), (: $1 + $2 :));
  CHECK(sizeof(m) == 2 && m["a"] == "a1" && m["b"] == "b2");
  m = map_mapping(([ 1: 10 ]), (: $2 / 2 :));
  CHECK(m[1] == 5);

  // Strings: a nonzero int replaces the character, anything else keeps it.
  CHECK(map("abc", (: $1 == 'b' ? 'B' : 0 :)) == "aBc");
  CHECK(map("abc", (: $1 + 1 :)) == "bcd");
  CHECK(map("abc", (: "x" :)) == "abc");
  CHECK(catch(map(({ 1 }), (: error("bad") :))));
  return failures;
}
