// repeat_string(): whole copies, capped by the maximum string length.
#include "/check.h"

string run() {
  string failures = "";
  CHECK(repeat_string("ab", 3) == "ababab");
  CHECK(repeat_string("ab", 1) == "ab");
  CHECK(repeat_string("ab", 0) == "");
  CHECK(repeat_string("ab", -4) == "");
  CHECK(repeat_string("", 50) == "");
  // The test config allows 100000 bytes: 33333 copies of three bytes fit.
  CHECK(strlen(repeat_string("abc", 1000000)) == 99999);
  return failures;
}
