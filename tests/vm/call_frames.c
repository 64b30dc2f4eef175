// Calls that leave the called object or function value under their
// arguments: results land where the value stood, with the values beneath
// and the locals of the caller untouched, on return and on error.
#include "check.h"
string failures = "";

int twice(int n) { return n * 2; }
int fails(int n) { error("no " + n); }
int depth(int n) { return n ? 1 + depth(n - 1) : 0; }
void end_self() { destruct(this_object()); }

string run() {
  object c = clone_object("/counter", 5);
  function add = (: $1 + $2 :);
  int k = 7;
  function capture = (: $1 * 10 + $(k) :);
  function by_name = (: twice :);
  mixed err;
  int i, sum;

  // A result in the middle of an expression, values on both sides.
  CHECK(100 + c->bump() * 2 + 1000 == 1112);
  CHECK(({ 1, c->bump(), 3 })[1] == 7 && c->bump() == 8);
  CHECK(1 + (*add)(2, 3) + evaluate(add, 4, 5) == 15);
  CHECK((*capture)(4) == 47 && evaluate(capture, 5) == 57);
  CHECK((*by_name)(21) == 42 && evaluate(by_name, 4) == 8);
  CHECK(evaluate(17) == 17 && evaluate("text", 1) == "text");
  // Many calls in a loop leave the stack as it was.
  for (i = 0; i < 1000; i++) sum += c->bump() - (*add)(i, 0) + evaluate(capture, 0);
  CHECK(sum == 508500 - 499500 + 7000 && k == 7);
  // A caught error inside a called function restores the caller's values.
  err = catch((*(: fails :))(3));
  CHECK(stringp(err) && err[0..3] == "*no " && k == 7 && (*add)(1, 1) == 2);
  err = catch(this_object()->fails(4));
  CHECK(stringp(err) && strsrch(err, "no 4") >= 0 && i == 1000);
  // Recursion through a pointer and through call_other.
  CHECK(evaluate((: depth :), 20) == 20 && this_object()->depth(15) == 15);
  // An object that destructs itself mid call still returns to us.
  c->bump();
  CHECK(catch(clone_object("/call_frames")->end_self()) == 0 && k == 7);
  return failures;
}
