#include "check.h"
string failures = "";

int pairs(mixed c) {
  int n;
  foreach (mixed x, mixed y in c) n++;
  return n;
}

string run() {
  int *a = ({ 1, 2, 3, 4 });
  mapping m = ([ "x": 1, "y": 2 ]);
  foreach (int ref x in a) x *= 10;
  CHECK(a[0] == 10 && a[3] == 40);
  foreach (int ref x in a) {
    if (x == 20) continue;
    if (x == 30) { x = 0; break; }
    x++;
  }
  CHECK(a[0] == 11 && a[1] == 20 && a[2] == 0 && a[3] == 40);
  foreach (string k, int ref v in m) v += 100;
  CHECK(m["x"] == 101 && m["y"] == 102);
  // A key deleted in the body is not brought back by the store.
  foreach (string k, int ref v in m) {
    map_delete(m, k);
    v = 7;
  }
  CHECK(sizeof(m) == 0);
  // Over a string the loop reads each character; writes change nothing.
  string s = "abc";
  int sum = 0;
  foreach (int ref c in s) {
    sum = sum * 1000 + c;
    c++;
  }
  CHECK(sum == 97098099 && s == "abc");
  // Two variables need a mapping.
  CHECK(catch(pairs(a)) && catch(pairs(s)) && !catch(pairs(([ 1: 2 ]))));
  return failures;
}
