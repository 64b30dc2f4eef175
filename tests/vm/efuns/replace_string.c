// replace_string(): all occurrences, a maximum, or a first..last range.
#include "/check.h"

string run() {
  string failures = "";
  string src = "This is a test";
  CHECK(replace_string(src, "", "bar") == src);
  CHECK(replace_string(src, "is", "x") == "Thx x a test");
  CHECK(replace_string(src, "is", "x", 1) == "Thx is a test");
  CHECK(replace_string(src, "is", "x", 0, 1) == "Thx is a test");
  CHECK(replace_string(src, "is", "x", 2, 2) == "This x a test");
  CHECK(replace_string(src, "s", "", 1, 3) == "Thi i a tet");
  CHECK(replace_string(src, "s", "foo", 2) == "Thifoo ifoo a test");
  CHECK(replace_string(src, "foo", "bar", 5, 4) == src);
  CHECK(replace_string("xyxxy", "x", "z", 2, 3) == "xyzzy");
  CHECK(replace_string("  1  2  3   ", " ", "") == "123");
  CHECK(replace_string("aé字é", "é", "e") == "ae字e");
  return failures;
}
