// replaceable(): whether an object's own program defines nothing but
// create() and the functions named.
#include "/check.h"

int extra() { return 1; }

string run() {
  string failures = "";
  object plain;

  write_file("/gen_plain.c", "inherit \"/std/base\";\nvoid create() { }\n", 1);
  plain = load_object("/gen_plain");
  CHECK(replaceable(plain) == 1);
  CHECK(replaceable(plain, ({})) == 1);
  CHECK(replaceable(this_object()) == 0);
  CHECK(replaceable(this_object(), ({ "run" })) == 0);
  CHECK(replaceable(this_object(), ({ "run", "extra" })) == 1);
  destruct(plain);
  rm("/gen_plain.c");
  return failures;
}
