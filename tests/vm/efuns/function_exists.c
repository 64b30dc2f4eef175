// function_exists(), functions() and variables().
#include "/check.h"

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
  CHECK(catch(functions(top, 1)) != 0);

  // Variables: the object's own first, then each inherit's.
  CHECK(implode(variables(top), ",") == "top_var,other_var,mid_var,base_var");
  CHECK(implode(variables(mid), ",") == "mid_var,base_var");
  return failures;
}
