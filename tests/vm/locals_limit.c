// A function may have at most 255 named locals in scope at once.
#include "/check.h"

string source(int n) {
  string s = "int probe() {\n";
  for (int i = 0; i < n; i++) {
    s += "  int v" + i + " = " + i + ";\n";
  }
  return s + "  return v" + (n - 1) + ";\n}\n";
}

string run() {
  string failures = "";
  object ob;

  rm("/gen_locals.c");
  write_file("/gen_locals.c", source(255));
  ob = load_object("/gen_locals");
  CHECK(ob && ob->probe() == 254);
  if (ob) destruct(ob);
  write_file("/gen_locals.c", source(256), 1);
  CHECK(catch(load_object("/gen_locals")));
  rm("/gen_locals.c");
  return failures;
}
