// save_variable and restore_variable: one value in the save format.
#include "/check.h"

class pair {
  mixed left;
  mixed right;
}

string run() {
  string failures = "";
  mixed v, deep;
  int i;

  CHECK(save_variable(0) == "0");
  CHECK(save_variable(-12) == "-12");
  CHECK(save_variable(9223372036854775807) == "9223372036854775807");
  CHECK(save_variable(1.2) == "1.200000");
  CHECK(save_variable(-0.5) == "-0.500000");
  CHECK(save_variable("a\nb") == "\"a\rb\"");
  CHECK(save_variable("q\"b\\s\rx") == "\"q\\\"b\\\\s\\\rx\"");
  CHECK(save_variable(({})) == "({})");
  CHECK(save_variable(({ 1, ({ "x" }) })) == "({1,({\"x\",}),})");
  CHECK(save_variable(([ 1: "a" ])) == "([1:\"a\",])");
  CHECK(save_variable(([])) == "([])");
  CHECK(save_variable(this_object()) == "");
  CHECK(save_variable(({ this_object(), (: 1 :) })) == "({,,})");
  CHECK(save_variable(new(class pair, left: 1, right: "r")) == "(/1,\"r\",/)");

  CHECK(restore_variable("-12") == -12);
  CHECK(restore_variable("1.200000") == 1.2);
  CHECK(floatp(restore_variable("2e+3")) && restore_variable("2e+3") == 2000.0);
  CHECK(restore_variable("\"a\rb\"") == "a\nb");
  CHECK(restore_variable("\"q\\\"b\\\\s\\\rx\"") == "q\"b\\s\rx");
  CHECK(restore_variable("") == 0);
  CHECK(restore_variable("junk") == 0);
  v = restore_variable("({1,,\"x\",({2,}),})");
  CHECK(sizeof(v) == 4 && v[0] == 1 && v[1] == 0 && v[2] == "x" && v[3][0] == 2);
  v = restore_variable("([1:\"a\",\"k\":({}),:3,4:,])");
  CHECK(sizeof(v) == 4 && v[1] == "a" && sizeof(v["k"]) == 0 && v[0] == 3 && v[4] == 0);
  v = restore_variable("(/1,\"r\",/)");
  CHECK(classp(v) && v->left == 1 && v->right == "r");

  // Round trips.
  v = ({ 1, -2.25, "s\n\"\\", ({ ([ "k": ({ 1 }) ]) }) });
  CHECK(save_variable(restore_variable(save_variable(v))) == save_variable(v));

  // Bad text is an error, never a crash.
  foreach (string bad in ({ "\"\"x", "\"\\", "\"\\x\\", "\"", "-x", "({1", "({1,}", "([1:2])",
                             "(x", "(/(/9", "([:0{({,])", "([0a\"\\:])" })) {
    CHECK(catch(restore_variable(bad)) != 0);
  }
  CHECK(catch(restore_variable("({1")) == "*restore_object(): Illegal array format.\n");
  CHECK(catch(restore_variable("-x")) == "*restore_object(): Illegal numeric format.\n");

  // Nesting is capped both ways; a reference loop cannot be saved.
  deep = "0";
  for (i = 0; i < 200; i++) deep = "({" + deep + ",})";
  CHECK(catch(restore_variable(deep)) != 0);
  v = ({ 0 });
  v[0] = v;
  CHECK(catch(save_variable(v)) != 0);
  v[0] = 0;
  deep = "0";
  for (i = 0; i < 50; i++) deep = "({" + deep + ",})";
  CHECK(save_variable(restore_variable(deep)) == deep);
  return failures;
}
