// regexp() and reg_assoc() in the LPC regular expression dialect.
#include "/check.h"

int same(mixed *a, mixed *b) {
  if (sizeof(a) != sizeof(b)) return 0;
  for (int i = 0; i < sizeof(a); i++) {
    if (arrayp(a[i])) { if (!same(a[i], b[i])) return 0; }
    else if (a[i] != b[i]) return 0;
  }
  return 1;
}

string run() {
  string failures = "";
  CHECK(regexp("tabba", "a*b"));
  CHECK(!regexp("tbba", "a+b"));
  CHECK(same(regexp(({ "foo", "bar", "bazz" }), "b"), ({ "bar", "bazz" })));
  CHECK(same(regexp(({ "foo", "bar", "bazz" }), "^...$"), ({ "foo", "bar" })));
  CHECK(same(regexp(({ "foo", "bar", "bazz" }), "(oo|zz)", 1), ({ "foo", 1, "bazz", 3 })));
  CHECK(same(regexp(({ "foo", "bar", 5 }), "b", 2), ({ "foo" })));
  // Escapes: \< \> word edges, \. a literal dot, \d a literal d.
  CHECK(regexp("the cat", "\\<cat\\>"));
  CHECK(!regexp("concatenate", "\\<cat\\>"));
  CHECK(regexp("a.b", "a\\.b") && !regexp("axb", "a\\.b"));
  CHECK(regexp("d", "^\\d$") && !regexp("5", "^\\d$"));
  CHECK(regexp("a{2}", "a{2}"));
  CHECK(regexp("x]", "[]x]+$"));
  CHECK(regexp("x y", "x[ \t]y") && !regexp("xzy", "x[ \t]y"));
  CHECK(regexp("a-b", "^[a\\-]+") && regexp("^", "[\\^]") && regexp("[", "[[]"));
  CHECK(regexp("b", "^[^a]$") && !regexp("a", "^[^a]$"));
  CHECK(catch(regexp("foo", "+")) != 0);
  CHECK(catch(regexp("foo", "a**")) != 0);
  CHECK(catch(regexp("foo", "bar", 1)) != 0);
  CHECK(same(reg_assoc("testhahatest", ({ "haha", "te" }), ({ 2, 3 }), 4),
             ({ ({ "", "te", "st", "haha", "", "te", "st" }),
                ({ 4, 3, 4, 2, 4, 3, 4 }) })));
  CHECK(same(reg_assoc("abc", ({ "x" }), ({ 1 })), ({ ({ "abc" }), ({ 0 }) })));
  CHECK(catch(reg_assoc("foo", ({ 1, 2 }), ({ 2, 3 }))) != 0);
  CHECK(catch(reg_assoc("foo", ({ "a" }), ({ 2, 3 }))) != 0);
  return failures;
}
