// The master's compile-time applies include_file() and inherit_program():
// for each #include and inherit the master may name another file, hand
// over the text itself, or refuse, and the compile follows its answer.
#include "/check.h"

string run() {
  string failures = "";
  object m = master(), ob;
  mixed *calls;

  // #include: a new name, supplied text, a refusal, a bad answer.
  write_file("/mc_real.h", "#define MC_VALUE 31\n", 1);
  write_file("/mc_outer.h", "#include \"mc_ghost.h\"\n", 1);
  write_file("/mc_renamed.c",
    "#include \"mc_outer.h\"\nint value() { return MC_VALUE; }\n", 1);
  m->set_include_rule("mc_ghost.h", "/mc_real.h");
  CHECK(load_object("/mc_renamed")->value() == 31);
  calls = filter(m->query_compile_calls(),
    (: $1[0] == "include" && $1[3] == "mc_ghost.h" :));
  CHECK(sizeof(calls) == 1);
  CHECK(calls[0][1] == "/mc_renamed.c");
  CHECK(calls[0][2] == "/mc_outer.h");

  m->set_include_rule("mc_made.h", ({ "#define ONE 1\n#define TWO (ONE + ONE)", "#define SIX (TWO * 3)" }));
  write_file("/mc_made.c", "#include \"mc_made.h\"\nint value() { return SIX; }\n", 1);
  CHECK(load_object("/mc_made")->value() == 6);

  m->set_include_rule("mc_real.h", 0);
  write_file("/mc_refused.c", "#include \"mc_real.h\"\nint value() { return MC_VALUE; }\n", 1);
  CHECK(catch(load_object("/mc_refused")));
  CHECK(!find_object("/mc_refused"));

  m->set_include_rule("mc_bad.h", ({ "int x;", 7 }));
  write_file("/mc_bad.c", "#include \"mc_bad.h\"\n", 1);
  CHECK(catch(load_object("/mc_bad")));

  // inherit: a new name; the parent becomes a loaded object of its own.
  write_file("/mc_parent.c", "int parent() { return 5; }\n", 1);
  write_file("/mc_heir.c",
    "inherit \"/mc_nowhere\";\nint value() { return parent() * 2; }\n", 1);
  m->set_inherit_rule("/mc_nowhere", "/mc_parent");
  ob = load_object("/mc_heir");
  CHECK(ob->value() == 10);
  CHECK(find_object("/mc_parent"));
  CHECK(function_exists("parent", ob) == "/mc_parent");

  // Supplied source materializes under the inherit's name.
  m->set_inherit_rule("/mc_made_parent", ({ "int made() {", "  return 8;", "}" }));
  write_file("/mc_heir2.c",
    "private inherit \"/mc_made_parent\";\nint value() { return made() + 1; }\n", 1);
  CHECK(load_object("/mc_heir2")->value() == 9);
  CHECK(find_object("/mc_made_parent"));
  CHECK("/mc_made_parent"->made() == 8);
  calls = filter(m->query_compile_calls(),
    (: $1[0] == "inherit" && $1[2] == "/mc_made_parent" :));
  CHECK(sizeof(calls) == 1 && calls[0][1] == "/mc_heir2.c" && calls[0][3] == 1);

  // Refusals, bad answers and a redirection back to the heir itself fail
  // the compile cleanly.
  m->set_inherit_rule("/mc_parent", 0);
  write_file("/mc_heir3.c", "inherit \"/mc_parent\";\n", 1);
  CHECK(catch(load_object("/mc_heir3")));
  CHECK(!find_object("/mc_heir3"));
  m->set_inherit_rule("/mc_parent", ({ 0 }));
  CHECK(catch(load_object("/mc_heir3")));
  m->set_inherit_rule("/mc_loop", "/mc_self");
  write_file("/mc_self.c", "inherit \"/mc_loop\";\n", 1);
  CHECK(catch(load_object("/mc_self")));

  m->clear_compile_rules();
  foreach (string f in ({ "real.h", "outer.h", "renamed.c", "made.c", "refused.c",
      "bad.c", "parent.c", "heir.c", "heir2.c", "heir3.c", "self.c" })) {
    rm("/mc_" + f);
  }
  return failures;
}
