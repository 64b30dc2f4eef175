// A simul_efun declared to return float has its result truncated on the
// way into an int, as a function's or an efun's has. Runs with
// /sefun_float as the simul_efun object.
#include "check.h"

int from_init = third(8);

string run() {
  string failures = "";
  int i = third(10);
  mixed m = third(9);

  CHECK(intp(i) && i == 3);
  CHECK(floatp(m) && m == 3.0);
  i = third(-7);
  CHECK(intp(i) && i == -2);
  CHECK(intp(from_init) && from_init == 2);
  i = 1;
  i += third(4);
  CHECK(intp(i) && i == 2);
  i = twice(4);
  CHECK(i == 8);
  return failures;
}
