// strcmp(): byte order, 0 when equal.
#include "/check.h"

string run() {
  string failures = "";
  CHECK(strcmp("abc", "abc") == 0);
  CHECK(strcmp("abc", "abd") < 0);
  CHECK(strcmp("b", "a") > 0);
  CHECK(strcmp("ab", "a") > 0);
  CHECK(strcmp("", "测") < 0);
  return failures;
}
