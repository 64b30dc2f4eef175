// origin() and call_stack(3): how each running function was entered.
#include "/check.h"

string seen;

string local_origin() { return origin(); }
int by_efun(int x) { seen = origin(); return 1; }
string *origins() { return call_stack(3); }
string called_other() { return origin(); }

string run() {
  string failures = "";
  string *stack;

  // The test runner reaches run() with a call_other.
  CHECK(origin() == "call_other");
  CHECK(local_origin() == "local");
  CHECK(this_object()->called_other() == "call_other");
  CHECK(call_other(this_object(), "called_other") == "call_other");

  // An efun calling a function it was given by name.
  seen = 0;
  filter(({ 1 }), "by_efun");
  CHECK(seen == "efun");
  seen = 0;
  sort_array(({ 2, 1 }), "by_efun");
  CHECK(seen == "efun");

  // An efun through a function pointer, and a closure.
  CHECK(evaluate((: origin :)) == "function pointer");
  CHECK(evaluate((: origin() :)) == "functional");
  // A pointer to a named function is a local call.
  CHECK(evaluate((: local_origin :)) == "local");

  // call_stack(3) names the origin of every frame, innermost first.
  stack = origins();
  CHECK(stack[0] == "local");
  CHECK(stack[1] == "call_other");
  CHECK(sizeof(stack) == sizeof(call_stack(0)) + 1);
  stack = evaluate((: origins() :));
  CHECK(stack[0] == "local" && stack[1] == "functional");
  return failures;
}
