// function_exists(), functions() and variables().
#include "/check.h"

class spot { int x; }

private string *kept;
nosave mapping loose;
protected class spot pt;
class spot *pts;
public float ratio;

class spot class_user(class spot *all, int i) { return all[i]; }
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
  // Flag 1: name, argument count, return type and argument types. Class
  // types are "class " and "class  *", without the class's name.
  CHECK(sprintf("%O", sort_array(functions(top, 3), (: strcmp($1[0], $2[0]) :)))
        == sprintf("%O", ({ ({ "base_fun", 0, "int" }), ({ "secret", 0, "int" }),
                            ({ "top_fun", 0, "int" }) })));
  CHECK(sprintf("%O", sort_array(functions(this_object(), 1), (: strcmp($1[0], $2[0]) :)))
        == sprintf("%O", ({ ({ "class_user", 2, "class ", "class  *", "int" }),
                            ({ "run", 0, "string" }),
                            ({ "signature_of", 3, "mixed *", "int", "string *", "mixed" }) })));
  CHECK(sizeof(functions(top, 1)) == 5);

  // Variables: each inherit's first, depth first, then the object's own.
  CHECK(implode(variables(top), ",") == "base_var,mid_var,top_var,other_var");
  CHECK(implode(variables(mid), ",") == "base_var,mid_var");
  // Flag 1: name and type, the type led by its modifiers; no access
  // modifier means public.
  CHECK(sprintf("%O", variables(top, 1))
        == sprintf("%O", ({ ({ "base_var", "public int" }), ({ "mid_var", "public int" }),
                            ({ "top_var", "public int" }), ({ "other_var", "public int" }) })));
  CHECK(sprintf("%O", variables(this_object(), 1))
        == sprintf("%O", ({ ({ "kept", "private string *" }), ({ "loose", "public nosave mapping" }),
                            ({ "pt", "protected class " }), ({ "pts", "public class  *" }),
                            ({ "ratio", "public float" }) })));
  CHECK(catch(variables(0)));
  return failures;
}
