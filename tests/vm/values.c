#include "check.h"
string failures = "";

string run() {
  int *a = ({ 3, 1, 2 });
  mapping m = ([ ]);
  function f = (: $1 * $2 :);
  int k = 10;
  function g = (: $1 + $(k) :);
  string err;
  CHECK(sizeof(a) == 3 && a[0] == 3 && a[<1] == 2);
  CHECK(sizeof(a[0..1]) == 2 && a[1..][0] == 1);
  CHECK(implode(map(sort_array(a, 1), (: "" + $1 :)), ",") == "1,2,3");
  CHECK(sizeof(filter(a, (: $1 > 1 :))) == 2);
  CHECK(member_array(2, a) == 2 && member_array(9, a) == -1);
  m["x"] = 1;
  m[5] = "five";
  CHECK(m["x"] == 1 && m[5] == "five" && undefinedp(m["none"]));
  CHECK(sizeof(keys(m)) == 2);
  map_delete(m, "x");
  CHECK(sizeof(m) == 1);
  CHECK(evaluate(f, 6, 7) == 42 && (*g)(1) == 11);
  CHECK(({ 1 }) != ({ 1 }) && a == a);
  CHECK(strlen("héllo") == 5 && "héllo"[1] == 233);
  CHECK(explode("a,b,c", ",")[2] == "c" && replace_string("aXbX", "X", "-") == "a-b-");
  CHECK(sprintf("%5d|%-3s|%O", 42, "a", ({ 1 })) == "   42|a  |({ /* sizeof() == 1 */\n  1\n})");
  err = catch(error("boom"));
  CHECK(err == "*boom\n");
  CHECK(catch(throw(5)) == 5);
  return failures;
}
