// function_exists(), functions() and variables().
#include "/check.h"

mixed *signature_of(int a, string *b, mixed rest...) { return 0; }

string run() {
  string failures = "";
  object top = load_object("/efuns/obj/inh2");
  object mid = load_object("/efuns/obj/inh1");

  // The program that defines the function the object would run.
  CHECK(function_exists("top_fun", top) == "/efuns/obj/inh2");
  CHECK(function_exists("mid_fun", top) == "/efuns/obj/inh1");
  CHECK(function_exists("base_fun", top) == "/efuns/obj/inh2");
  CHECK(function_exists("base_fun", mid) == "/efuns/obj/inh0");
  CHECK(function_exists("nothing", top) == 0);
  CHECK(function_exists("run") == "/efuns/function_exists");
  // Private and protected functions only with the flag.
  CHECK(function_exists("secret", top) == 0);
  CHECK(function_exists("secret", top, 1) == "/efuns/obj/inh2");
  CHECK(function_exists("guarded", top) == 0);
  CHECK(function_exists("guarded", top, 1) == "/efuns/obj/inh0");

  CHECK(implode(sort_array(functions(top), 1), ",")
        == "base_fun,guarded,mid_fun,secret,top_fun");
  CHECK(implode(sort_array(functions(top, 2), 1), ",") == "base_fun,secret,top_fun");
  // Flag 1: name, argument count, return type and argument types.
  CHECK(sprintf("%O", sort_array(functions(top, 3), (: strcmp($1[0], $2[0]) :)))
        == sprintf("%O", ({ ({ "base_fun", 0, "int" }), ({ "secret", 0, "int" }),
                            ({ "top_fun", 0, "int" }) })));
  CHECK(sprintf("%O", sort_array(functions(this_object(), 1), (: strcmp($1[0], $2[0]) :)))
        == sprintf("%O", ({ ({ "run", 0, "string" }),
                            ({ "signature_of", 3, "mixed *", "int", "string *", "mixed" }) })));
  CHECK(sizeof(functions(top, 1)) == 5);

  // Variables: the object's own first, then each inherit's.
  CHECK(implode(variables(top), ",") == "top_var,other_var,mid_var,base_var");
  CHECK(implode(variables(mid), ",") == "mid_var,base_var");
  return failures;
}
