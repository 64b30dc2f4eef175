#include "check.h"
string failures = "";

string run() {
  int i = 7;
  float f = 1.5;
  CHECK(i + 3 == 10);
  CHECK(i - 10 == -3);
  CHECK(i * 6 == 42);
  CHECK(i / 2 == 3);
  CHECK(i % 4 == 3);
  CHECK((i & 3) == 3 && (i | 8) == 15 && (i ^ 1) == 6);
  CHECK((1 << 40) == 1099511627776 && (i >> 1) == 3);
  CHECK(-i == -7 && ~0 == -1 && !0 == 1);
  CHECK(f * 2 == 3.0 && i + f == 8.5);
  // `+` prints a float with six decimals; a template prints it shortest.
  CHECK("x" + f == "x1.500000" && f + "y" == "1.500000y");
  CHECK(`x${f}` == "x1.5" && `${i}:${f * 2}` == "7:3");
  CHECK("a" + 1 == "a1" && 2 + "b" == "2b");
  CHECK(i++ == 7 && i == 8 && ++i == 9 && i-- == 9 && --i == 7);
  i += 5;
  CHECK(i == 12);
  i -= 2;
  i *= 3;
  CHECK(i == 30);
  CHECK(catch(i = i / 0) != 0);
  return failures;
}
