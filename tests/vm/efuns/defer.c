// defer(): functions run when the function that queued them returns, the
// latest first, also when it ends with an error.
#include "/check.h"

string *order;
mixed not_a_function = 5;

void note(string what) { order += ({ what }); }

int queue_two() {
  defer((: note, "first" :));
  defer((: note, "second" :));
  note("body");
  return 5;
}

void queue_and_fail() {
  defer((: note, "after error" :));
  error("boom");
}

// Deferred calls of an inner function run before the outer one's.
void outer() {
  defer((: note, "outer" :));
  queue_two();
  note("outer body");
}

void failing_defer() {
  defer((: note, "still runs" :));
  defer((: error("in defer") :));
}

object player_seen;
void see_player() { player_seen = this_player(); }

// Queues see_player() while `first` is this_player(), then makes
// `second` this_player() before returning.
void defer_with_player(object first, object second) {
  first->live();
  defer((: see_player :));
  second->live();
}

string run() {
  string failures = "";
  mixed err;

  order = ({});
  CHECK(queue_two() == 5);
  CHECK(implode(order, ",") == "body,second,first");

  order = ({});
  err = catch(queue_and_fail());
  CHECK(err && strsrch(err, "boom") >= 0);
  CHECK(implode(order, ",") == "after error");

  order = ({});
  outer();
  CHECK(implode(order, ",") == "body,second,first,outer body,outer");

  // An error in one deferred call does not stop the others or the caller.
  order = ({});
  err = catch(failing_defer());
  CHECK(!err);
  CHECK(implode(order, ",") == "still runs");

  // Nothing is left queued once the functions returned.
  order = ({});
  queue_two();
  queue_two();
  CHECK(sizeof(order) == 6);

  CHECK(catch(defer(not_a_function)));

  // With `reverse defer` on, they run in the order they were queued.
  order = ({});
  set_config(256 + 45, 1);
  queue_two();
  set_config(256 + 45, 0);
  CHECK(implode(order, ",") == "body,first,second");

  // A deferred call sees this_player() as it was when it was queued.
  {
    object p = new("/efuns/obj/thing", "p"), q = new("/efuns/obj/thing", "q");
    defer_with_player(p, q);
    CHECK(player_seen == p);
    CHECK(this_player() == q);
    destruct(p);
    destruct(q);
  }
  return failures;
}
