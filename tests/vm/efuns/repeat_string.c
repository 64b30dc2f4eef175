// repeat_string().
#include "/check.h"

string run() {
  string failures = "";
  CHECK(repeat_string("ab", 3) == "ababab");
  CHECK(repeat_string("ab", 0) == "");
  CHECK(repeat_string("ab", -1) == "");
  CHECK(repeat_string("x", 1) == "x");
  return failures;
}
