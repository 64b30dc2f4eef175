#include "check.h"
inherit "/std/base";
inherit "/std/extra";

string failures = "";
int own = 40;

string name() { return "child"; }
void hit() { ::hit(); base::hit(); }

string run() {
  CHECK(query_level() == 1 && level == 1 && own == 40 && query_extra() == 5);
  CHECK(name() == "child");
  CHECK(describe() == "I am child");
  CHECK(base::name() == "base" && extra::name() == "extra");
  hit();
  CHECK(query_base_hits() == 2 && base_hits == 2);
  level = 7;
  CHECK(query_level() == 7);
  CHECK(this_object()->name() == "child");
  return failures;
}
