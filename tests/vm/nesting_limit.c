// Expressions may nest 500 deep, as FluffOS's code generator allows.
#include "/check.h"

string chain(int n) {
  string s = "int f() { return ";
  for (int i = 0; i < n; i++) {
    s += "1?";
  }
  s += "7";
  for (int i = 0; i < n; i++) {
    s += ":0";
  }
  return s + "; }\n";
}

string run() {
  string failures = "";
  object ob;

  write_file("/gen_nesting.c", chain(400), 1);
  ob = load_object("/gen_nesting");
  CHECK(ob && ob->f() == 7);
  if (ob) destruct(ob);
  write_file("/gen_nesting.c", chain(3000), 1);
  CHECK(catch(load_object("/gen_nesting")));
  rm("/gen_nesting.c");
  return failures;
}
