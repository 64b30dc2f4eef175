// classes(): the class names of an object's program.
#include "/check.h"

class pair {
  int a;
  int b;
}

class triple {
  mixed x, y, z;
}

string run() {
  string failures = "";
  object probe = new("/efuns/obj/probe", 0);

  CHECK(sizeof(classes(this_object())) == 2);
  CHECK(member_array("pair", classes(this_object())) >= 0);
  CHECK(member_array("triple", classes(this_object())) >= 0);
  CHECK(sizeof(classes(probe)) == 1 && classes(probe)[0] == "point");
  CHECK(catch(classes(0)));
  destruct(probe);
  return failures;
}
