// sscanf(): %d %x %f %s %(regexp), %* forms and %%.
#include "/check.h"

string run() {
  string failures = "";
  string s, t;
  int n, m;
  float f;

  CHECK(sscanf("123abc", "%d", n) == 1 && n == 123);
  CHECK(sscanf("+29375282", "%d", n) == 1 && n == 29375282);
  CHECK(sscanf("  -19322", "%d", n) == 1 && n == -19322);
  CHECK(sscanf("FFFF", "%x", n) == 1 && n == 65535);
  CHECK(sscanf("0x1293jsf", "%x", n) == 1 && n == 4755);
  CHECK(sscanf("2.5 left", "%f %s", f, s) == 2 && f == 2.5 && s == "left");
  CHECK(sscanf("you%", "%s%%", s) == 1 && s == "you");
  CHECK(sscanf("you%", "%su%%", s) == 1 && s == "yo");
  CHECK(sscanf("abc%abc", "%s%%%s", s, t) == 2 && s == "abc" && t == "abc");
  CHECK(sscanf("look at the sword", "look at %s", s) == 1 && s == "the sword");
  CHECK(sscanf("hp 12/30", "hp %d/%d", n, m) == 2 && n == 12 && m == 30);
  // %s before a number ends where the digits start.
  CHECK(sscanf("room42", "%s%d", s, n) == 2 && s == "room" && n == 42);
  // A skipped conversion still counts.
  CHECK(sscanf("10 20", "%*d %d", n) == 2 && n == 20);
  CHECK(sscanf("abc", "%d", n) == 0);
  CHECK(sscanf("x=5", "y=%d", n) == 0);
  // Trailing literal text must end the input.
  CHECK(sscanf("a.b.c", "%s.c", s) == 1 && s == "a.b");
  // Regular expressions.
  CHECK(sscanf("abc123", "%([a-z]+)%d", s, n) == 2 && s == "abc" && n == 123);
  CHECK(sscanf("key: value", "%s%(: )", s, t) == 2 && s == "key" && t == ": ");
  CHECK(sscanf("123", "%([a-z]+)", s) == 0);
  // %c takes one character as its code.
  CHECK(sscanf("é1", "%c%d", n, m) == 2 && n == 233 && m == 1);
  // An empty %s is a match.
  CHECK(sscanf(" ", "%s %s", s, t) == 2 && s == "" && t == "");
  // A literal that is not found stops the parse before anything is stored.
  s = "unset";
  CHECK(sscanf("give item", "give %s to %s", s, t) == 0 && s == "unset");
  // A malformed format is an error that catch() sees, not a quiet zero.
  CHECK(catch(sscanf("50%", "%d%", n)) != 0);
  CHECK(catch(sscanf("you%", "%su%", s)) != 0);
  CHECK(catch(sscanf("abc", "%q", s)) != 0);
  CHECK(catch(sscanf("1 2", "%d %d", n)) != 0);
  CHECK(catch(sscanf("1", "%d", n)) == 0);
  return failures;
}
