// call_stack(), previous_object() and the evaluation limit efuns.
#include "/check.h"

mixed *stack(int what) { return call_stack(what); }
object *chain() { return all_previous_objects(); }
object caller() { return previous_object(); }

string run() {
  string failures = "";
  mixed *programs = stack(0), *obs = stack(1), *fns = stack(2), *lines = stack(4);
  object *prev, *via;
  object relay;

  CHECK(programs[0] == "/efuns/call_stack.c" && programs[1] == "/efuns/call_stack.c");
  CHECK(programs[sizeof(programs) - 1] == "/master.c");
  CHECK(obs[0] == this_object() && obs[sizeof(obs) - 1] == find_object("/master"));
  CHECK(fns[0] == "stack" && fns[1] == "run");
  CHECK(lines[0] == "/efuns/call_stack.c:4");
  CHECK(sizeof(programs) == sizeof(obs) && sizeof(fns) == sizeof(lines));
  CHECK(catch(call_stack(5)) != 0 && catch(call_stack(-1)) != 0);

  prev = previous_object(-1);
  CHECK(sizeof(prev) >= 1 && prev[0] == previous_object());
  CHECK(previous_object() == find_object("/master"));
  CHECK(previous_object(5) == 0);
  // all_previous_objects() is previous_object(-1): a local call adds no
  // object, a call from another object adds each caller, innermost first.
  CHECK(sizeof(chain()) == sizeof(prev) && chain()[0] == find_object("/master"));
  relay = new("/efuns/obj/relay");
  via = relay->relay(this_object(), "chain");
  CHECK(sizeof(via) == sizeof(prev) + 2);
  CHECK(via[0] == relay && via[1] == this_object() && via[2] == find_object("/master"));
  destruct(relay);
  // A call_other into the calling object itself counts too.
  via = this_object()->chain();
  CHECK(sizeof(via) == sizeof(prev) + 1 && via[0] == this_object() && via[1] == find_object("/master"));
  CHECK(this_object()->caller() == this_object());
  CHECK(caller() == find_object("/master"));
  // A call through a function pointer counts as a change of object too,
  // with the object that made the call before it, even when that is the
  // pointer's own object; so does an efun called through a pointer.
  via = evaluate((: chain :));
  CHECK(sizeof(via) == sizeof(prev) + 1 && via[0] == this_object() && via[1] == find_object("/master"));
  CHECK(evaluate((: caller :)) == this_object());
  CHECK(map(({ 1 }), (: caller :))[0] == this_object());
  CHECK(evaluate((: previous_object() :)) == this_object());
  CHECK(evaluate(function() { return previous_object(); }) == this_object());
  CHECK(evaluate((: previous_object :)) == this_object());
  CHECK(evaluate((: previous_object :), 1) == find_object("/master"));
  relay = new("/efuns/obj/relay");
  via = relay->relay_value((: chain :));
  CHECK(sizeof(via) == sizeof(prev) + 2);
  CHECK(via[0] == relay && via[1] == this_object() && via[2] == find_object("/master"));
  destruct(relay);

  // The limit is in microseconds: 0 restarts the budget, -1 tells what
  // is left, 1 tells the limit.
  CHECK(set_eval_limit(1) == 1000000);
  CHECK(max_eval_cost() == 1000000);
  CHECK(reset_eval_cost() == 1000000);
  CHECK(eval_cost() > 0 && eval_cost() <= 1000000);
  CHECK(catch(set_eval_limit(-2)) != 0);
  CHECK(set_eval_limit(2000000) == 2000000 && max_eval_cost() == 2000000);
  set_eval_limit(1000000);
  return failures;
}
