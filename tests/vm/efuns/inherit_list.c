// inherits(), inherit_list(), shallow_inherit_list(), deep_inherit_list()
// and dump_prog().
#include "/check.h"

string run() {
  string failures = "";
  object top = load_object("/efuns/obj/inh2");
  object mid = load_object("/efuns/obj/inh1");
  object bottom = load_object("/efuns/obj/inh0");
  string listing;

  CHECK(inherits("/efuns/obj/inh1", top));
  CHECK(inherits("/efuns/obj/inh0.c", top));
  CHECK(inherits("/efuns/obj/inh0", mid));
  CHECK(!inherits("/efuns/obj/inh2", mid));
  CHECK(!inherits("/efuns/obj/inh1", bottom));
  CHECK(!inherits("/efuns/obj/inh2", top));
  CHECK(!inherits("/nothing", top));

  CHECK(sizeof(inherit_list(bottom)) == 0);
  CHECK(sizeof(inherit_list()) == 0);
  CHECK(implode(inherit_list(top), ",") == "/efuns/obj/inh1.c");
  CHECK(implode(shallow_inherit_list(mid), ",") == "/efuns/obj/inh0.c");
  CHECK(implode(deep_inherit_list(top), ",") == "/efuns/obj/inh1.c,/efuns/obj/inh0.c");
  CHECK(sizeof(deep_inherit_list(bottom)) == 0);

  // dump_prog() writes the listing of a program and its inherits.
  dump_prog(top, 0, "/efuns/obj/dump.txt");
  listing = read_file("/efuns/obj/dump.txt");
  CHECK(strsrch(listing, "program /efuns/obj/inh2.c") >= 0);
  CHECK(strsrch(listing, "program /efuns/obj/inh0.c") >= 0);
  CHECK(strsrch(listing, "top_fun") >= 0);
  rm("/efuns/obj/dump.txt");
  return failures;
}
