// unique_array() and unique_mapping(): grouping by a computed value.
#include "/check.h"

string run() {
  string failures = "";
  mixed *groups;
  mapping m;

  // Groups in order of first appearance, members in their order; 0 is skipped.
  groups = unique_array(({ 1, 2, 3, 4, 5, 6 }), (: $1 % 3 :));
  CHECK(sizeof(groups) == 2);
  CHECK(sprintf("%O", groups[0]) == sprintf("%O", ({ 1, 4 })));
  CHECK(sprintf("%O", groups[1]) == sprintf("%O", ({ 2, 5 })));
  // A different skip value.
  groups = unique_array(({ 1, 2, 3, 4, 5, 6 }), (: $1 % 3 :), 1);
  CHECK(sizeof(groups) == 2);
  CHECK(sprintf("%O", groups[0]) == sprintf("%O", ({ 2, 5 })));
  CHECK(sprintf("%O", groups[1]) == sprintf("%O", ({ 3, 6 })));
  groups = unique_array(({ "ant", "bee", "ape" }), (: $1[0..0] :));
  CHECK(sizeof(groups) == 2 && sizeof(groups[0]) == 2 && groups[0][1] == "ape");
  // By name: only objects answer.
  groups = unique_array(({ this_object(), 7, this_object() }), "tag");
  CHECK(sizeof(groups) == 1 && sizeof(groups[0]) == 2);
  CHECK(sizeof(unique_array(({}), (: $1 :))) == 0);

  // unique_mapping: members last first.
  m = unique_mapping(({ 1, 2, 3, 4, 5 }), (: $1 % 2 :));
  CHECK(sizeof(m) == 2);
  CHECK(sprintf("%O", m[1]) == sprintf("%O", ({ 5, 3, 1 })));
  CHECK(sprintf("%O", m[0]) == sprintf("%O", ({ 4, 2 })));
  m = unique_mapping(({ "x", "yy", "zz" }), (: sizeof($1) :));
  CHECK(sprintf("%O", m[2]) == sprintf("%O", ({ "zz", "yy" })));
  // A missing function groups everything under 0.
  m = unique_mapping(({ 1, 2 }), "no_such_function");
  CHECK(sizeof(m) == 1 && sizeof(m[0]) == 2);
  CHECK(sizeof(unique_mapping(({}), (: $1 :))) == 0);
  CHECK(catch(unique_mapping(({ 1 }), (: error("x") :))));
  return failures;
}

string tag() { return "me"; }
