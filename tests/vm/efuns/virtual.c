// Virtual objects: virtualp(), the virtual_start() apply, and clones of a
// virtual object, which the master's compile_object() makes too.
#include "/check.h"

string run() {
  string failures = "";
  object v, c;

  CHECK(virtualp(this_object()) == 0);
  v = load_object("/virtual/efun_test");
  CHECK(objectp(v));
  CHECK(virtualp(v) == 1);
  CHECK(clonep(v) == 0);
  CHECK(v->query_started() == 1);
  // The counter starts at the length of the name after /virtual/.
  CHECK(v->bump() == 10);

  c = new("/virtual/efun_test");
  CHECK(objectp(c) && c != v);
  CHECK(virtualp(c) == 1);
  CHECK(clonep(c) == 1);
  CHECK(base_name(c) == "/virtual/efun_test");
  CHECK(c->query_started() == 1);
  CHECK(c->bump() == 10);
  // The blueprint was not asked again.
  CHECK(v->query_started() == 1);
  destruct(c);
  destruct(v);

  // A virtual object's owners are those of the name it stands for, not of
  // the file it was made from: the test master gives u/NAME/ paths to
  // NAME and privileges "privs:" + that uid.
  v = load_object("/virtual/u/zed/room");
  CHECK(getuid(v) == "zed");
  CHECK(geteuid(v) == "zed");
  CHECK(query_privs(v) == "privs:zed");
  c = new("/virtual/u/zed/room");
  CHECK(getuid(c) == "zed");
  CHECK(geteuid(c) == "zed");
  CHECK(query_privs(c) == "privs:zed");
  destruct(c);
  destruct(v);
  // Named for the loader's own uid, it shares the loader's euid.
  v = load_object("/virtual/plain");
  CHECK(getuid(v) == getuid(this_object()));
  CHECK(geteuid(v) == geteuid(this_object()));
  destruct(v);
  return failures;
}
