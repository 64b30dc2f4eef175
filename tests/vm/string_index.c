#include "check.h"
string failures = "";

int at(string s, int i) { return s[i]; }
int from_end(string s, int i) { return s[<i]; }

string run() {
  string s = "hello";
  CHECK(at(s, 0) == 'h' && at(s, 4) == 'o');
  CHECK(at(s, 5) == 0);
  CHECK(catch(at(s, 6)) == "*String index out of bounds.\n");
  CHECK(catch(at(s, -1)) == "*String index out of bounds.\n");
  CHECK(at("", 0) == 0);
  CHECK(from_end(s, 1) == 'o' && from_end(s, 5) == 'h');
  CHECK(from_end(s, 0) == 0);
  CHECK(catch(from_end(s, 6)) == "*String rindex out of bounds.\n");
  CHECK(catch(s[5] = 'x') == "*Index out of bounds in string index lvalue.\n");
  CHECK(catch(s[-1] = 'x') == "*Index out of bounds in string index lvalue.\n");
  CHECK(catch(s[5..5] = "") && catch(s[<0..<1] = ""));
  CHECK(!catch(s[4..4] = "O") && s == "hellO");
  // A range assignment's value is what was assigned, as for any store.
  string part = (s[0..1] = "\xc3\xa9");
  CHECK(part == "\xc3\xa9" && s == "\xc3\xa9llO" && strlen(s) == 4);
  mixed *list = ({ 1, 2, 3 });
  mixed piece = (list[1..2] = ({ 9 }));
  CHECK(sizeof(piece) == 1 && piece[0] == 9 && sizeof(list) == 2);
  // CR LF is one cluster: it counts, indexes and matches as one.
  CHECK(strlen("\r\nab") == 3 && strlen("\n\rab") == 4);
  CHECK(at("\r\n", 0) == '\r' && at("\r\n", 1) == 0);
  CHECK(strsrch("\r\nab", "\n") == -1 && strsrch("\r\nab", "b") == 2);
  CHECK(strsrch("\r\nab", "\r\n") == 0);
  // A cluster of up to four bytes is its first code point; a wider one
  // (an emoji with a modifier) is no single character.
  string wide = "x👍🏽";
  CHECK(at(sprintf("a%c%cb", 'e', 769), 1) == 'e');
  CHECK(catch(at(wide, 1)) == "*Indexed character is multi-codepoint.\n");
  CHECK(catch(wide[1] = 'a') == "*Indexed character is multi-codepoint.\n");
  CHECK(wide == "x👍🏽" && wide[1..1] == "👍🏽");
  CHECK(catch(wide[0] = 0) == "*Strings cannot contain 0 byte.\n");
  return failures;
}
