// explode() and explode_reversible(): separators at the ends, grapheme
// splitting for an empty separator.
#include "/check.h"

int same(string *a, string *b) {
  if (sizeof(a) != sizeof(b)) return 0;
  for (int i = 0; i < sizeof(a); i++) if (a[i] != b[i]) return 0;
  return 1;
}

string run() {
  string failures = "";
  CHECK(same(explode("this is a test", " "), ({ "this", "is", "a", "test" })));
  CHECK(same(explode("abcd", " and "), ({ "abcd" })));
  CHECK(sizeof(explode("", " ")) == 0);
  CHECK(same(explode("abc", ""), ({ "a", "b", "c" })));
  CHECK(same(explode("né字", ""), ({ "n", "é", "字" })));
  // One leading separator goes; of several, one goes with `sane explode
  // string` and all go without it.
  CHECK(same(explode(" a b", " "), ({ "a", "b" })));
#ifdef __SANE_EXPLODE_STRING__
  CHECK(same(explode("   a", " "), ({ "", "", "a" })));
#else
  CHECK(same(explode("   a", " "), ({ "a" })));
#endif
  // One trailing separator leaves nothing; more leave empty pieces.
  CHECK(same(explode("a b ", " "), ({ "a", "b" })));
  CHECK(same(explode("..x.y..z..", "."), ({ "", "x", "y", "", "z", "" })));
  CHECK(same(explode("lh1║ab║we", "║"), ({ "lh1", "ab", "we" })));
  CHECK(same(explode_reversible("..x.y..z..", "."),
             ({ "", "", "x", "y", "", "z", "", "" })));
  CHECK(implode(explode_reversible(" a  b ", " "), " ") == " a  b ");
  CHECK(sizeof(explode("...", ".")) == 0);
  return failures;
}
