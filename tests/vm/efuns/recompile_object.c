// recompile_object(): a blueprint and its clones take the program of the
// source as it is now, in place, keeping the values of the variables the
// new program still declares.
#include "/check.h"

#define DIR "/recompile_scratch"
#define THING DIR + "/thing"

void write_thing(string body) {
  write_file(THING + ".c", body, 1);
}

string run() {
  string failures = "";
  object ob, clone;
  function f;
  string err;

  mkdir(DIR);
  write_thing("int count;\n"
              "private int secret = 5;\n"
              "int dropped = 1;\n"
              "int bump() { return ++count; }\n"
              "int peek() { return secret; }\n"
              "void set_secret(int s) { secret = s; }\n"
              "string version() { return \"one\"; }\n");
  ob = load_object(THING);
  clone = new(THING);
  ob->bump();
  clone->bump();
  clone->bump();
  ob->set_secret(50);

  write_thing("int count;\n"
              "private int secret = 5;\n"
              "int fresh = 8;\n"
              "int bump() { return ++count; }\n"
              "int peek() { return secret; }\n"
              "int query_fresh() { return fresh; }\n"
              "function counter() { return (: bump :); }\n"
              "int update_self() { return recompile_object(this_object()); }\n"
              "string version() { return \"two\"; }\n");
  CHECK(recompile_object(ob) == 2);
  // The same objects run the new code...
  CHECK(find_object(THING) == ob);
  CHECK(ob->version() == "two" && clone->version() == "two");
  // ... with their own values, private ones too,
  CHECK(ob->bump() == 2 && clone->bump() == 3);
  CHECK(ob->peek() == 50 && clone->peek() == 5);
  // ... new variables from their initializers,
  CHECK(ob->query_fresh() == 8);
  // ... and no trace of the variables that went.
  CHECK(member_array("dropped", variables(ob)) == -1);
  // New clones get the new program as well.
  CHECK(new(THING)->version() == "two");

  // Only the blueprint may be named.
  CHECK(catch(recompile_object(clone)) != 0);
  // An object running now cannot change its program.
  err = catch(ob->update_self());
  CHECK(err && strsrch(err, "currently executing") != -1);

  // A function value made for the old program no longer runs.
  f = ob->counter();
  CHECK(evaluate(f) == 3);
  write_thing("int count;\n"
              "int bump() { return count += 10; }\n"
              "function counter() { return (: bump :); }\n"
              "string version() { return \"three\"; }\n");
  CHECK(recompile_object(ob) == 3);
  err = catch(evaluate(f));
  CHECK(err && strsrch(err, "was recompiled") != -1);
  CHECK(evaluate(ob->counter()) == 13);

  // Without its source file nothing changes.
  rm(THING + ".c");
  CHECK(catch(recompile_object(ob)) != 0);
  CHECK(ob->version() == "three");

  // An initializer that fails leaves the object on the new program with
  // the initializers' values only; it does not count as updated.
  write_thing("int count = 1;\n"
              "int boom = fail();\n"
              "int fail() { error(\"no\\n\"); }\n"
              "int query_count() { return count; }\n"
              "string version() { return \"four\"; }\n");
  CHECK(recompile_object(ob) == 0);
  CHECK(ob->version() == "four");
  CHECK(ob->query_count() == 1);

  foreach (object o in children(THING)) {
    destruct(o);
  }
  rm(THING + ".c");
  rmdir(DIR);
  return failures;
}
