#include "check.h"
string failures = "";
int level = 7;
// A variable and a function may share a name; a call reaches the function.
string query = "the variable";

string query() { return "the function"; }

string run() {
  function f = (: level :);
  function twice = (: $1 * 2 :);
  function sizeof = (: 99 :);
  CHECK(evaluate(f) == 7);
  level = 9;
  CHECK(evaluate(f) == 9);
  CHECK(query() == "the function");
  CHECK(query == "the variable");
  // A variable holding a function is called when nothing else has the name.
  CHECK(twice(21) == 42);
  // An efun of the name wins over the variable.
  CHECK(sizeof(({ 1, 2 })) == 2);
  CHECK(evaluate(sizeof) == 99);
  return failures;
}
