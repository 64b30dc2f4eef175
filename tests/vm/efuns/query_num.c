// query_num(): numbers in English words, "many" out of range.
#include "/check.h"

string run() {
  string failures = "";
  CHECK(query_num(0) == "zero");
  CHECK(query_num(1) == "one");
  CHECK(query_num(12) == "twelve");
  CHECK(query_num(21) == "twenty-one");
  CHECK(query_num(40) == "forty");
  CHECK(query_num(300) == "three hundred");
  CHECK(query_num(305) == "three hundred and five");
  CHECK(query_num(2000) == "two thousand");
  CHECK(query_num(2300) == "two thousand and three hundred");
  CHECK(query_num(2007) == "two thousand and seven");
  CHECK(query_num(99999) == "ninety-nine thousand, nine hundred and ninety-nine");
  CHECK(query_num(99999, 50) == "many");
  CHECK(query_num(-10) == "many");
  CHECK(query_num(100000) == "many");
  return failures;
}
