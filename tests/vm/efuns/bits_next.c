// set_bit(), clear_bit(), test_bit(), next_bit(): six bits per character.
#include "/check.h"

string run() {
  string failures = "";
  string s = set_bit("", 7);
  CHECK(s == " \"");
  CHECK(test_bit(s, 7) && !test_bit(s, 6) && !test_bit(s, 100));
  s = set_bit(s, 2);
  CHECK(next_bit(s, 0) == 2);
  CHECK(next_bit(s, 2) == 7);
  CHECK(next_bit(s, 7) == -1);
  s = clear_bit(s, 7);
  CHECK(!test_bit(s, 7));
  CHECK(clear_bit("", 40) == "");
  CHECK(catch(set_bit("", -1)) != 0);
  CHECK(catch(set_bit("", 5000)) != 0);
  return failures;
}
