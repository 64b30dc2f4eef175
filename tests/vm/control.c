#include "check.h"
string failures = "";

int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

string kind(int x) {
  switch (x) {
  case 0: return "zero";
  case 1..9: return "small";
  default: return "other";
  }
}

string word(string s) {
  switch (s) {
  case "hi": return "greeting";
  default: return "other";
  }
}

string run() {
  int i, sum;
  int *a = ({ 1, 2, 3 });
  mapping m = ([ "a": 1, "b": 2 ]);
  for (i = 0; i < 10; i++) {
    if (i == 5) continue;
    if (i == 8) break;
    sum += i;
  }
  CHECK(sum == 23);
  while (i > 0) i -= 3;
  CHECK(i == -1);
  do { i++; } while (i < 3);
  CHECK(i == 3);
  sum = 0;
  foreach (int x in a) sum += x;
  CHECK(sum == 6);
  sum = 0;
  foreach (string k, int v in m) sum += v;
  CHECK(sum == 3);
  CHECK(fib(15) == 610);
  CHECK(kind(0) == "zero" && kind(4) == "small" && word("hi") == "greeting" && word("x") == "other" && kind(50) == "other");
  CHECK((0 || 5) == 5 && (3 && 0) == 0);
  return failures;
}
