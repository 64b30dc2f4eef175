// typeof() and the type predicates.
#include "/check.h"

mixed never_set;

varargs int missing(mixed a, mixed b) { return nullp(b); }

string run() {
  string failures = "";
  mixed *empty = ({ });
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
  // pointerp is the old name of arrayp.
  CHECK(pointerp(({ 1 })) && pointerp(empty) && !pointerp(([])) && !pointerp("ab") && !pointerp(0));
  // nullp is undefinedp: unset variables and missing arguments, not 0.
  CHECK(nullp(never_set) && !nullp(0) && !nullp(""));
  CHECK(missing(1) == 1 && missing(1, 0) == 0);
  CHECK(nullp(([])["nothing"]) && !nullp(([ "a": 0 ])["a"]));
  return failures;
}
