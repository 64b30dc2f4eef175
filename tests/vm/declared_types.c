#include "check.h"
string failures = "";
float total;
float seeded = 2;
int counter;

int truncated() { return 2.5 * 3; }
float promoted() { return 4; }
float zero() { return 0; }
mixed untouched() { return 1.5; }

string run() {
  float f;
  int i;
  int *ints = ({ 5 });
  mixed *any = ({ 5 });
  mixed m = 1;
  CHECK(undefinedp(f) && undefinedp(total));
  f += 1;
  CHECK(floatp(f) && f == 1.0);
  total += 2;
  CHECK(floatp(total) && total == 2.0);
  CHECK(floatp(seeded));
  f = 3;
  CHECK(floatp(f));
  f *= 2;
  CHECK(floatp(f) && f == 6.0);
  float g = 7;
  CHECK(floatp(g));
  i = 10;
  i += 1.5;
  CHECK(intp(i) && i == 11);
  i = 3;
  i *= 1.5;
  CHECK(intp(i) && i == 3);
  int j = 2.75;
  CHECK(intp(j) && j == 2);
  counter = 1;
  counter -= 0.5;
  CHECK(intp(counter) && counter == 1);
  ints[0] += 1.5;
  CHECK(intp(ints[0]) && ints[0] == 6);
  any[0] += 1.5;
  CHECK(floatp(any[0]) && any[0] == 6.5);
  m += 0.5;
  CHECK(floatp(m) && m == 1.5);
  CHECK(intp(truncated()) && truncated() == 7);
  CHECK(floatp(promoted()) && promoted() == 4.0);
  CHECK(floatp(zero()));
  CHECK(floatp(untouched()));
  CHECK(sqrt(16) == 4.0 && sqrt(2.25) == 1.5);
  return failures;
}
