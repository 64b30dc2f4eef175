// Runs after replace_program.c: the object now has only /std/base's
// program and the variables it declares, with their values.
#include "/check.h"

string run() {
  string failures = "";
  object ob = find_object("/replace_child");

  CHECK(objectp(ob));
  CHECK(file_name(ob) == "/replace_child");
  CHECK(ob->child_only() == 0);
  // The file of the program it keeps.
  CHECK(query_replaced_program(ob) == "/std/base.c");
  CHECK(query_replaced_program() == 0);
  CHECK(ob->query_level() == 9);
  CHECK(ob->name() == "base");
  ob->hit();
  CHECK(ob->query_base_hits() == 1);
  return failures;
}
