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
  // A range replaced by a longer value may not grow past the limit either.
  string s = repeat_string("x", 99999);
  CHECK(!catch(s[0..0] = "ab") && strlen(s) == 100000);
  CHECK(catch(s[0..0] = "ab") == "*Maximum string size exceeded\n");
  int *a = allocate(100000);
  CHECK(catch(a[0..0] = ({ 1, 2 })) == "*Maximum array size exceeded\n");
  CHECK(sizeof(a) == 100000);
  return failures;
}
