// Bit strings: six bits per character, starting at ' '.
#include "/check.h"

string run() {
  string failures = "";
  string s = set_bit("", 3);

  CHECK(s == "(");  // ' ' + 8
  s = set_bit(s, 10);
  CHECK(s == "(0");  // ' ' + 16 in the second character
  CHECK(test_bit(s, 3) && test_bit(s, 10) && !test_bit(s, 4) && !test_bit(s, 100));
  CHECK(next_bit(s, -1) == 3 && next_bit(s, 3) == 10 && next_bit(s, 10) == -1);
  CHECK(next_bit(set_bit("", 0), 0) == 0);
  CHECK(next_bit("", 0) == -1);
  s = set_bit(s, 20);
  CHECK(sizeof(s) == 4 && s[2] == ' ');
  s = clear_bit(s, 10);
  CHECK(!test_bit(s, 10) && test_bit(s, 3) && test_bit(s, 20));
  CHECK(clear_bit("(", 100) == "(");
  CHECK(catch(set_bit("", -1)) && catch(clear_bit("", -1)) && catch(test_bit("", -1)));
  CHECK(catch(set_bit("", 5000)));
  CHECK(catch(set_bit("~", 1)));
  return failures;
}
