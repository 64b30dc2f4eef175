#include "check.h"
string failures = "";

void twice(int ref x) { x = x * 2; }
void grow(int ref x) { twice(ref x); x++; }
void fill(string ref s, mixed ref a) { s += "!"; a += ({ 4 }); }

string run() {
  int n = 5;
  string s = "hi";
  int *a = ({ 1, 2, 3 });
  twice(ref n);
  CHECK(n == 10);
  grow(ref n);
  CHECK(n == 21);
  fill(ref s, ref a);
  CHECK(s == "hi!" && sizeof(a) == 4);
  a[1..2] = ({ 9 });
  CHECK(sizeof(a) == 3 && a[1] == 9 && a[2] == 4);
  s[0] = 'H';
  CHECK(s == "Hi!");
  s[1..] = "ey";
  CHECK(s == "Hey");
  return failures;
}
