// filter() on arrays, mappings and strings, by function or by name.
#include "/check.h"

int big(int x, int limit) { return x > limit; }

string run() {
  string failures = "";
  mapping m;

  CHECK(sprintf("%O", filter(({ 1, 5, 2, 8 }), (: $1 > 2 :))) == sprintf("%O", ({ 5, 8 })));
  // Extra arguments follow the element.
  CHECK(sprintf("%O", filter(({ 1, 5, 2, 8 }), (: $1 > $2 :), 4)) == sprintf("%O", ({ 5, 8 })));
  // A name, called in this object by default or in a given one.
  CHECK(sprintf("%O", filter(({ 1, 5, 2, 8 }), "big", this_object(), 1))
        == sprintf("%O", ({ 5, 2, 8 })));
  CHECK(sizeof(filter(({ 0, 1, 5 }), "big")) == 2);
  // A name no object defines keeps nothing.
  CHECK(sizeof(filter(({ 1, 2 }), "no_such_function")) == 0);
  CHECK(sizeof(filter_array(({ 1, 0, 3 }), (: $1 :))) == 2);

  // Mappings: the test sees key and value.
  m = filter(([ "a": 1, "b": 2, "c": 3 ]), (: $2 != 2 :));
  CHECK(sizeof(m) == 2 && m["a"] == 1 && m["c"] == 3 && undefinedp(m["b"]));
  m = filter_mapping(([ 1: "x", 2: "y" ]), (: $1 == 2 :));
  CHECK(sizeof(m) == 1 && m[2] == "y");

  // Strings: the characters kept.
  CHECK(filter("a1b2c3", (: $1 >= '0' && $1 <= '9' :)) == "123");
  CHECK(catch(filter(({ 1 }), 5)));
  return failures;
}
