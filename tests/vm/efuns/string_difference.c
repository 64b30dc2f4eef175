// string_difference(): Levenshtein edit distance.
#include "/check.h"

string run() {
  string failures = "";
  CHECK(string_difference("abc", "abc") == 0);
  CHECK(string_difference("abc", "abd") == 1);
  CHECK(string_difference("kitten", "sitting") == 3);
  CHECK(string_difference("", "abc") == 3);
  return failures;
}
