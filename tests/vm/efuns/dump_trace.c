// dump_trace(): the call stack, outermost first, one mapping per frame.
#include "/check.h"

mixed *inner(int a, string b) {
  int local = a * 2;
  return dump_trace();
}

string run() {
  string failures = "";
  mixed *trace = inner(3, "x");
  mapping last = trace[<1], caller = trace[<2];

  CHECK(sizeof(trace) >= 2);
  CHECK(last["function"] == "inner");
  CHECK(last["object"] == this_object());
  CHECK(last["program"] == "/efuns/dump_trace.c");
  CHECK(last["file"] == "/efuns/dump_trace.c");
  CHECK(last["line"] == 6);
  CHECK(sizeof(last["arguments"]) == 2 && last["arguments"][0] == 3 && last["arguments"][1] == "x");
  CHECK(sizeof(last["locals"]) == 1 && last["locals"][0] == 6);
  CHECK(caller["function"] == "run");
  CHECK(caller["line"] == 11);
  CHECK(sizeof(caller["arguments"]) == 0);
  return failures;
}
