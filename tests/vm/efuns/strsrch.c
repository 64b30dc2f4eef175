// strsrch(): offsets in grapheme clusters, forwards and backwards.
#include "/check.h"

string run() {
  string failures = "";
  string txt = "Every day is a new day. 不过话得说回来 luck";
  CHECK(strsrch(txt, ' ') == 5);
  CHECK(strsrch(txt, "day") == 6);
  CHECK(strsrch(txt, "day", -1) == 19);
  CHECK(strsrch(txt, "不过"[1]) == 25);
  CHECK(strsrch(txt, "说回") == 28);
  CHECK(strsrch(txt, "luck") == 32);
  // A code point that exists but is absent is not found; one that cannot
  // exist is an error.
  CHECK(strsrch(txt, 0x1F600) == -1);
  CHECK(catch(strsrch(txt, 0x110000)));
  CHECK(catch(strsrch(txt, 0xD800)));
  CHECK(catch(strsrch(txt, -5, 1)));
  CHECK(strsrch(txt, 'z') == -1);
  CHECK(strsrch(txt, "") == -1);
  CHECK(strsrch(txt, 0) == strlen(txt));
  // A match inside one cluster does not count.
  CHECK(strsrch("e\u0301x", "e") == -1);
  CHECK(strsrch("e\u0301xe", "e", -1) == 2);
  return failures;
}
