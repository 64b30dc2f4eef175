// sprintf table mode ("%#") with columns narrower than a wide character:
// each item keeps its first character whole instead of vanishing.
#include "/check.h"

string run() {
  string failures = "";
  string items = "甲\n乙\n丙\n丁";

  // Two columns of two cells fit exactly in a field of four.
  CHECK(sprintf("%#4.2s", items) == "甲丙\n乙丁");
  // A field of two gives each column one cell; the characters stay.
  CHECK(sprintf("%#2.2s", items) == "甲丙\n乙丁");
  CHECK(sprintf("%#*.2s", 1, items) == "甲丙\n乙丁");
  // Longer items are still cut to what fits, at least one character.
  CHECK(sprintf("%#2.2s", "甲甲\n乙乙") == "甲乙");
  return failures;
}
