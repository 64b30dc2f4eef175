// replace_program(): names an inherited program; the swap happens when
// the running call is over (replace_program_after.c checks it).
#include "/check.h"

string run() {
  string failures = "";
  object ob = load_object("/replace_child");

  // Nothing was replaced yet.
  CHECK(query_replaced_program(ob) == 0);
  CHECK(query_replaced_program() == 0);
  // Only an inherited program can be kept; an extension must match.
  CHECK(ob->replace("/std/extra"));
  CHECK(ob->replace("/std/base.lpc"));
  CHECK(ob->replace("/replace_child"));
  CHECK(ob->replace("/std/base") == 0);
  CHECK(ob->replace("/std/base.c") == 0);
  ob->set_level(9);
  // Nothing changes before this call is over.
  CHECK(ob->child_only() == 3);
  CHECK(query_replaced_program(ob) == 0);
  return failures;
}
