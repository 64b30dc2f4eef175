#include "check.h"
string failures = "";
string global_text;

void twice(int ref x) { x = x * 2; }
void upper(int ref c) { c -= 32; }
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
  a = ({ 1, 2, 3 });
  twice(ref a[1]);
  CHECK(a[1] == 4);
  mapping m = ([ "k": 5 ]);
  twice(ref m["k"]);
  CHECK(m["k"] == 10);
  // A character of a string variable changes through the variable.
  string word = "abc";
  upper(ref word[0]);
  upper(ref word[<1]);
  CHECK(word == "AbC");
  m["new"] ??= 7;
  m["k"] ??= 99;
  CHECK(m["new"] == 7 && m["k"] == 10);
  CHECK((a[0] ||= 8) == 1 && (a[2] &&= 0) == 0 && a[2] == 0);
  s = "abc";
  CHECK(s[0]++ == 'a' && s == "bbc" && ++s[2] == 'd' && s == "bbd");
  s[<1] += 1;
  CHECK(s == "bbe");
  global_text = "xy";
  global_text[1] = 'z';
  CHECK(global_text == "xz");
  return failures;
}
