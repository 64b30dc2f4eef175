// inherits(), inherit_list(), shallow_inherit_list() and deep_inherit_list().
#include "/check.h"

string run() {
  string failures = "";
  object top = load_object("/efuns/obj/inh2");
  object mid = load_object("/efuns/obj/inh1");
  object bottom = load_object("/efuns/obj/inh0");

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
  return failures;
}
