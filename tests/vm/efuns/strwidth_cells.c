// strwidth(): terminal columns, wide characters counting two.
#include "/check.h"

string run() {
  string failures = "";
  CHECK(strwidth("abc") == 3);
  CHECK(strwidth("") == 0);
  CHECK(strwidth("你好") == 4);
  CHECK(strwidth("a\tb") == 2);
  CHECK(strwidth("é") == 1);
  CHECK(strwidth("😀") == 2);
  return failures;
}
