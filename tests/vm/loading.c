// Loading objects: virtual objects from master compile_object(), sources
// that changed since they were compiled, and files the compiler refuses.
#include "/check.h"

string run() {
  string failures = "";
  object v, again, ob;
  string err;

  // A missing file asks the master for a virtual object, which takes the
  // name that was asked for.
  v = load_object("/virtual/abc");
  CHECK(objectp(v));
  CHECK(file_name(v) == "/virtual/abc");
  CHECK(v->bump() == 4);
  again = load_object("/virtual/abc");
  CHECK(again == v);
  CHECK(find_object("/virtual/abc") == v);
  CHECK(("/virtual/abc")->bump() == 5);
  // When the master gives nothing, load_object() gives 0 and a call errors.
  CHECK(load_object("/virtual/none") == 0);
  CHECK(load_object("/no/such/file") == 0);
  CHECK(catch(call_other("/virtual/none", "bump")));
  destruct(v);

  // A source changed after it was compiled is compiled again when its
  // object is loaded anew.
  rm("/gen_reload.c");
  write_file("/gen_reload.c", "int value() { return 1; }\n");
  ob = load_object("/gen_reload");
  CHECK(ob->value() == 1);
  destruct(ob);
  write_file("/gen_reload.c", "int value() { return 22; }\n", 1);
  ob = load_object("/gen_reload");
  CHECK(ob->value() == 22);
  destruct(ob);

  // An inherit that changed makes its heirs compile again too.
  rm("/gen_base.c");
  rm("/gen_heir.c");
  write_file("/gen_base.c", "int base() { return 1; }\n");
  write_file("/gen_heir.c", "inherit \"/gen_base\";\nint heir() { return base() * 10; }\n");
  ob = load_object("/gen_heir");
  CHECK(ob->heir() == 10);
  destruct(ob);
  write_file("/gen_base.c", "int base() { return 3; }\n", 1);
  ob = load_object("/gen_heir");
  CHECK(ob->heir() == 30);
  destruct(ob);
  rm("/gen_base.c");
  rm("/gen_heir.c");

  // A NUL byte anywhere in a source is refused, even inside a string.
  rm("/gen_reload.c");
  write_buffer("/gen_reload.c", 0, "string s = \"a");
  write_buffer("/gen_reload.c", 13, allocate_buffer(1));
  write_buffer("/gen_reload.c", 14, "b\";\n");
  err = catch(load_object("/gen_reload"));
  CHECK(err != 0);
  CHECK(find_object("/gen_reload") == 0);
  rm("/gen_reload.c");

  // The master's valid_object() may refuse an object before it runs.
  write_file("/refused.c", "int x; void create() { x = 1; }\n", 1);
  CHECK(catch(load_object("/refused")));
  CHECK(find_object("/refused") == 0);
  rm("/refused.c");

  // A default argument may not declare a variable.
  write_file("/gen_default.c",
    "int f(int a, int b: (: catch { int q = 1; } ? 7 : 5 :)) { return b; }\n");
  CHECK(catch(load_object("/gen_default")));
  rm("/gen_default.c");
  write_file("/gen_default.c", "int f(int a, int b: (: a + 4 :)) { return b; }\n");
  ob = load_object("/gen_default");
  CHECK(ob->f(1) == 5);
  CHECK(ob->f(1, 2) == 2);
  destruct(ob);
  rm("/gen_default.c");
  return failures;
}
