// event(): event_NAME(caller, args...) in a target and its contents, or
// in each object of an array.
#include "/check.h"

#define PROBE "/efuns/obj/probe"

string run() {
  string failures = "";
  object room = new(PROBE, 0), a = new(PROBE, 0), b = new(PROBE, 0);

  a->move_to(room);
  event(room, "ping", 41);
  CHECK(room->query_event() == 41);
  CHECK(room->query_event_from() == this_object());
  CHECK(a->query_event() == 41);
  CHECK(b->query_event() == 0);

  event(({ b, 0, "x" }), "ping", 99);
  CHECK(b->query_event() == 99);
  CHECK(a->query_event() == 41);

  // Objects without the handler are skipped.
  event(room, "nothing", 1);
  event(({ a, b }), "ping");
  CHECK(undefinedp(a->query_event()) && undefinedp(b->query_event()));
  CHECK(catch(event(1, "ping")));
  destruct(a);
  destruct(b);
  destruct(room);
  return failures;
}
