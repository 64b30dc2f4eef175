// typeof() and the type predicates.
#include "/check.h"

string run() {
  string failures = "";
  CHECK(typeof(1) == "int");
  CHECK(typeof(1.5) == "float");
  CHECK(typeof("a") == "string");
  CHECK(typeof(({})) == "array");
  CHECK(typeof(([])) == "mapping");
  CHECK(intp(3) && !intp("3"));
  CHECK(stringp("x") && !stringp(0));
  CHECK(arrayp(({ 1 })) && !arrayp(([])));
  CHECK(mapp(([])) && !mapp(({})));
  CHECK(floatp(2.0) && !floatp(2));
  return failures;
}
