// call_other() and ->: object and file name targets, arrays of targets,
// missing functions, and calls made by a destructed object.
#include "/check.h"

int twice(int x) { return 2 * x; }

string run() {
  string failures = "";
  mixed *results;
  object doomed, witness;

  CHECK(this_object()->twice(4) == 8);
  CHECK(call_other(this_object(), ({ "twice", 5 })) == 10);
  CHECK(catch(call_other(this_object(), 0)) != 0);
  CHECK(catch(call_other("/no/such/object", "twice")) != 0);

  // An array may hold objects and file names (loaded when needed); any
  // other element gives 0.
  results = ({ this_object(), file_name(this_object()), 7 })->twice(3);
  CHECK(sizeof(results) == 3 && results[0] == 6 && results[1] == 6 && results[2] == 0);
  results = call_other(({ file_name(this_object()), this_object() }), "twice", 1);
  CHECK(results[0] == 2 && results[1] == 2);
  // A function the target lacks gives 0 inside an array result...
  results = ({ this_object() })->no_such_function();
  CHECK(sizeof(results) == 1 && results[0] == 0);
  // ... and undefined for a single target.
  CHECK(undefinedp(this_object()->no_such_function()));
  CHECK(undefinedp(call_other(this_object(), "no_such_function")));

  // Once an object is destructed its calls out reach nothing.
  witness = new("/efuns/obj/doomed");
  doomed = new("/efuns/obj/doomed");
  results = doomed->call_after_destruct(witness);
  CHECK(!objectp(doomed));
  CHECK(undefinedp(results[0]) && undefinedp(results[1]));
  CHECK(witness->mark() == 1);
  destruct(witness);
  return failures;
}
