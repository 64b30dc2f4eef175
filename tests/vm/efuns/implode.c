// implode(): joining strings, skipping non-strings, folding with a function.
#include "/check.h"

string run() {
  string failures = "";
  CHECK(implode(({ "a", "b", "c" }), ", ") == "a, b, c");
  CHECK(implode(({ "a", 1, "c" }), "-") == "a-c");
  CHECK(implode(({}), "-") == "");
  CHECK(implode(({ 1, 2, 3 }), (: $1 + $2 :)) == 6);
  CHECK(implode(({ 1, 2, 3 }), (: $1 + $2 :), 10) == 16);
  CHECK(implode(({ "x" }), (: $1 + $2 :)) == "x");
  CHECK(catch(implode(({ "a" }), "-", 1)) != 0);
  return failures;
}
