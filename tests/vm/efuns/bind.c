// bind(), function_owner() and evaluate().
#include "/check.h"

#define PROBE "/efuns/obj/probe"

int glob = 3;

int twice(int x) { return 2 * x; }

string run() {
  string failures = "";
  object probe = new(PROBE, 0);
  object other = new(PROBE, 0);
  function f, g;
  mixed err;

  // Pointers to local functions and closures that use globals or local
  // functions cannot be rebound.
  err = catch(bind((: twice :), probe));
  CHECK(err && strsrch(err, "local function") >= 0);
  err = catch(bind((: glob :), probe));
  CHECK(err && strsrch(err, "references globals") >= 0);
  CHECK(catch(bind((: glob + 1 :), probe)));
  CHECK(catch(bind((: twice(2) :), probe)));
  CHECK(catch(bind(probe->reader(), this_object())));
  CHECK(catch(bind(probe->caller(), this_object())));

  // A closure that uses only its arguments can, and keeps working.
  f = bind((: $1 + $2 :), probe);
  CHECK(functionp(f));
  CHECK(evaluate(f, 3, 4) == 7);
  CHECK(function_owner(f) == probe);
  CHECK(function_owner((: $1 :)) == this_object());
  // Binding to the current owner changes nothing.
  g = (: $1 * 10 :);
  CHECK(bind(g, this_object()) == g);

  // A closure rebound here runs as this object.
  f = bind(probe->adder(), this_object());
  CHECK(function_owner(f) == this_object());
  CHECK(evaluate(f, 20, 22) == 42);
  CHECK(evaluate(bind((: this_object() :), probe)) == probe);

  // An efun pointer bound to another object runs there.
  f = bind((: this_object :), probe);
  CHECK(evaluate(f) == probe);
  CHECK(function_owner(f) == probe);
  // Rebinding a bound pointer moves it again.
  CHECK(evaluate(bind(f, other)) == other);
  CHECK(function_owner(bind(f, other)) == other);
  // Bound arguments stay.
  f = bind((: sprintf, "%s-%d" :), probe);
  CHECK(evaluate(f, "a", 1) == "a-1");
  CHECK(probe->run_fn(probe->take((: file_name :))) == file_name(probe));

  // It prints as the function it wraps.
  CHECK(sprintf("%O", bind((: file_name :), probe)) == sprintf("%O", (: file_name :)));

  // A bound closure survives its first owner.
  f = bind(probe->adder(), other);
  destruct(probe);
  CHECK(evaluate(f, 1, 2) == 3);
  // ... but not its new owner.
  destruct(other);
  CHECK(catch(evaluate(f, 1, 2)));
  CHECK(catch(bind((: $1 :), other)));

  // The master's valid_bind() may refuse.
  probe = new(PROBE, 0);
  probe->refuse_bind(1);
  err = catch(bind((: $1 :), probe));
  CHECK(err && strsrch(err, "denied") >= 0);
  destruct(probe);

  // evaluate() of a value that is not a function gives the value.
  CHECK(evaluate(5) == 5);
  CHECK(evaluate("s", 1, 2) == "s");
  CHECK(evaluate((: twice :), 4) == 8);
  f = (: $1 + $2 :);
  CHECK(evaluate(f, 1, 2) == 3);
  return failures;
}
