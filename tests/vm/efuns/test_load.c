// test_load(): whether a file compiles and loads, without keeping the object.
#include "/check.h"

#define PROBE "/efuns/obj/probe"

string run() {
  string failures = "";
  object loaded;
  int before;

  if (find_object(PROBE)) destruct(find_object(PROBE));
  before = sizeof(children(PROBE));
  CHECK(test_load(PROBE) == 1);
  CHECK(!find_object(PROBE));
  CHECK(sizeof(children(PROBE)) == before);
  CHECK(test_load("/efuns/obj/no_such_file") == 0);
  CHECK(catch(test_load("/efuns/obj/broken")));

  // A loaded object keeps its name.
  loaded = load_object(PROBE);
  CHECK(test_load(PROBE + ".c") == 1);
  CHECK(find_object(PROBE) == loaded);
  destruct(loaded);
  return failures;
}
