#include "check.h"
string failures = "";

string run() {
  object a = clone_object("/counter", 10);
  object b = new("/counter");
  object *all;
  CHECK(objectp(a) && a != b);
  CHECK(a->bump() == 11 && a->bump() == 12 && b->bump() == 1);
  CHECK(a->query_creator() == this_object());
  CHECK(file_name(a)[0..7] == "/counter" && strsrch(file_name(a), "#") == 8);
  CHECK(a->no_such_function() == 0);
  CHECK(a->hidden() == 0);
  CHECK(call_other(a, "bump") == 13);
  CHECK("/counter"->bump() == 1);
  CHECK(find_object("/counter") == load_object("/counter"));
  all = ({ a, b });
  CHECK(sizeof(all->bump()) == 2);
  destruct(a);
  CHECK(!objectp(a) && objectp(b));
  CHECK(catch(a->bump()) != 0);
  return failures;
}
