// trim(), ltrim(), rtrim(): whitespace or a set of characters.
#include "/check.h"

string run() {
  string failures = "";
  string target = " \t\nabc\t\n ";
  CHECK(trim(target) == "abc");
  CHECK(ltrim(target) == "abc\t\n ");
  CHECK(rtrim(target) == " \t\nabc");
  CHECK(trim("12345 abc 12345", "5544332211") == " abc ");
  CHECK(ltrim("12345 abc 12345", "12345") == " abc 12345");
  CHECK(rtrim("12345 abc 12345", "12345") == "12345 abc ");
  CHECK(trim(" abc ", "abc ") == "");
  CHECK(trim("xxbxx", "x") == "b");
  CHECK(trim("") == "");
  return failures;
}
