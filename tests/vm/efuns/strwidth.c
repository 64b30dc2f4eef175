// strwidth(): terminal cells; wide characters two, controls none.
#include "/check.h"

string run() {
  string failures = "";
  CHECK(strwidth("abc") == 3);
  CHECK(strwidth("what e\nver") == 9);
  CHECK(strwidth("欲穷千里目") == 10);
  CHECK(strwidth("") == 0);
  return failures;
}
