#include "check.h"
string failures = "";
int level = 7;

string run() {
  function f = (: level :);
  CHECK(evaluate(f) == 7);
  level = 9;
  CHECK(evaluate(f) == 9);
  return failures;
}
