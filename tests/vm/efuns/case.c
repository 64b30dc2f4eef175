// capitalize(), lower_case(), upper_case(): ASCII letters only.
#include "/check.h"

string run() {
  string failures = "";
  CHECK(capitalize("driver") == "Driver");
  CHECK(capitalize("Driver") == "Driver");
  CHECK(capitalize("42driver") == "42driver");
  CHECK(capitalize("") == "");
  CHECK(lower_case("HeLLo 1") == "hello 1");
  CHECK(upper_case("HeLLo é") == "HELLO é");
  return failures;
}
