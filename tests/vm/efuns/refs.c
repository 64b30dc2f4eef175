// refs(), program_info(), memory_info() and debug_info().
#include "/check.h"

int *kept;

string run() {
  string failures = "";
  int *list = ({ 1, 2, 3 });
  int *other = ({ 4 });
  mapping info, all;
  object top = load_object("/efuns/obj/inh2");

  // The variable holds the array once; a second holder adds one.
  CHECK(refs(list) == 1);
  kept = list;
  CHECK(refs(list) == 2);
  kept = 0;
  CHECK(refs(list) == 1 && refs(other) == 1);
  CHECK(refs(1) == -1);
  CHECK(catch(refs(this_object())) != 0);

  info = program_info(top);
  all = program_info();
  CHECK(info["code size"] > 0 && info["function size"] > 0);
  CHECK(info["total size"] == info["header size"] + info["code size"] + info["function size"]
        + info["string size"] + info["var size"] + info["class size"] + info["inherit size"]);
  CHECK(all["total size"] > info["total size"]);

  CHECK(memory_info(top) > 0);
  CHECK(memory_info() > memory_info(top));
  // A bigger variable makes a bigger object.
  kept = allocate(1000);
  CHECK(memory_info(this_object()) > 1000 * 16);
  kept = 0;

  // debug_info(): flags and links, program figures, variables.
  CHECK(strsrch(debug_info(0, top), "name        : '/efuns/obj/inh2'") >= 0);
  CHECK(strsrch(debug_info(0, top), "O_CLONE           : FALSE") >= 0);
  CHECK(strsrch(debug_info(1, top), "Name /efuns/obj/inh2.c") >= 0);
  CHECK(strsrch(debug_info(1, top), "num vars 2") >= 0);
  kept = ({ 7 });
  CHECK(strsrch(debug_info(2, this_object()), "kept: ({") >= 0);
  CHECK(catch(debug_info(3, top)) != 0);
  return failures;
}
