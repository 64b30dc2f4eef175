// Master error_handler(info, caught): every error goes to it, with where
// it happened and the call trace; a caught one says so.
#include "/check.h"

int fails(int x) {
  return x / (x - x);
}

string run() {
  string failures = "";
  mixed *seen;
  mapping info;

  master()->clear_errors();
  CHECK(catch(error("boom")) == "*boom\n");
  seen = master()->query_errors();
  CHECK(sizeof(seen) == 1);
  info = seen[0][0];
  CHECK(seen[0][1] == 1);
  CHECK(info["error"] == "*boom\n");
  CHECK(info["object"] == this_object());
  CHECK(info["program"] == "/error_handler.c");
  CHECK(info["file"] == "/error_handler.c");
  CHECK(info["line"] == 15);
  CHECK(info["trace"][<1]["function"] == "run");
  CHECK(info["trace"][<1]["object"] == this_object());

  // The trace runs outermost first, down to where the error happened.
  master()->clear_errors();
  catch(fails(2));
  info = master()->query_errors()[0][0];
  CHECK(info["line"] == 6);
  CHECK(info["trace"][<1]["function"] == "fails");
  CHECK(info["trace"][<2]["function"] == "run");
  CHECK(info["error"] == "*Division by zero\n");

  // throw() is not an error: the handler does not hear of it.
  master()->clear_errors();
  catch(throw("x"));
  CHECK(sizeof(master()->query_errors()) == 0);
  return failures;
}
