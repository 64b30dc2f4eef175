// sort_array(): built-in orders, comparators by function and by name, stability.
#include "/check.h"

int by_first(mixed *a, mixed *b) { return a[0] - b[0]; }
int desc(int a, int b, int sign) { return sign * (b - a); }

string run() {
  string failures = "";
  int *orig = ({ 4, 3, 2, 1 });
  mixed *pairs;
  string err;

  CHECK(sprintf("%O", sort_array(orig, 1)) == sprintf("%O", ({ 1, 2, 3, 4 })));
  CHECK(sprintf("%O", sort_array(({ 2, 9, 4 }), -1)) == sprintf("%O", ({ 9, 4, 2 })));
  // A copy is sorted: the argument is left alone.
  CHECK(orig[0] == 4);
  CHECK(sprintf("%O", sort_array(({ "pear", "apple", "fig" }), 1))
        == sprintf("%O", ({ "apple", "fig", "pear" })));
  CHECK(sprintf("%O", sort_array(({ 2.5, -1.0, 0.5 }), 0))
        == sprintf("%O", ({ -1.0, 0.5, 2.5 })));
  // Arrays sort by their first elements.
  pairs = sort_array(({ ({ 3, "c" }), ({ 1, "a" }), ({ 2, "b" }) }), 1);
  CHECK(pairs[0][1] == "a" && pairs[1][1] == "b" && pairs[2][1] == "c");
  // Mixed kinds cannot be sorted by the built-in order.
  err = catch(sort_array(({ 1, "a" }), 1));
  CHECK(err && strsrch(err, "homogeneous") != -1);
  CHECK(catch(sort_array(({ ({}), ({ 1 }) }), 1)));

  // A comparator function; equal elements keep their order (stable).
  pairs = sort_array(({ ({ 2, "x" }), ({ 1, "y" }), ({ 2, "z" }), ({ 1, "w" }) }),
                     (: $1[0] - $2[0] :));
  CHECK(pairs[0][1] == "y" && pairs[1][1] == "w" && pairs[2][1] == "x" && pairs[3][1] == "z");
  // By name in this object, and with extra arguments after the object.
  pairs = sort_array(({ ({ 5 }), ({ 2 }) }), "by_first");
  CHECK(pairs[0][0] == 2);
  CHECK(sprintf("%O", sort_array(({ 1, 3, 2 }), "desc", this_object(), 1))
        == sprintf("%O", ({ 3, 2, 1 })));
  CHECK(sprintf("%O", sort_array(({ 1, 3, 2 }), (: desc :), -1))
        == sprintf("%O", ({ 1, 2, 3 })));
  // A comparator error reaches the caller.
  CHECK(catch(sort_array(({ 1, 2 }), (: error("no") :))));
  CHECK(sizeof(sort_array(({}), 1)) == 0);
  return failures;
}
