// classes(): the classes of an object's program, with member types on request.
#include "/check.h"

class pair {
  int a;
  int b;
}

class triple {
  mixed x, y, z;
}

class holder {
  string *names;
  class pair p;
  float f;
}

string run() {
  string failures = "";
  object probe = new("/efuns/obj/probe", 0);

  CHECK(sizeof(classes(this_object())) == 3);
  CHECK(member_array("pair", classes(this_object())) >= 0);
  CHECK(member_array("triple", classes(this_object())) >= 0);
  CHECK(sizeof(classes(probe)) == 1 && classes(probe)[0] == "point");
  CHECK(sizeof(classes(this_object(), 1)) == 3);
  foreach (mixed *c in classes(this_object(), 1)) {
    if (c[0] == "pair") {
      CHECK(sizeof(c) == 3 && c[1][0] == "a" && c[1][1] == "int" && c[2][0] == "b");
    } else if (c[0] == "triple") {
      CHECK(sizeof(c) == 4 && c[3][0] == "z" && c[3][1] == "mixed");
    } else {
      CHECK(c[0] == "holder" && c[1][1] == "string *" && c[2][1] == "class " && c[3][1] == "float");
    }
  }
  CHECK(classes(probe, 1)[0][1][1] == "int");
  CHECK(catch(classes(0)));
  destruct(probe);
  return failures;
}
