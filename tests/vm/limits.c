#include "check.h"
string failures = "";

string grow_string() {
  string s = "x";
  while (1) s += s;
  return s;
}

mixed *grow_array() {
  int *a = ({ 1 });
  while (1) a += a;
  return a;
}

string run() {
  // config.test allows strings and arrays of 100000.
  CHECK(catch(grow_string()) == "*Maximum string size exceeded\n");
  CHECK(catch(grow_array()) == "*Maximum array size exceeded\n");
  CHECK(catch(allocate(100001)) != 0);
  return failures;
}
