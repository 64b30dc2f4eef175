// set_notify_destruct(), query_notify_destruct() and the on_destruct() call.
#include "/check.h"

#define PROBE "/efuns/obj/probe"
#define LOG "/efuns/obj/log"

string run() {
  string failures = "";
  object a = new(PROBE, 0), b = new(PROBE, 0);
  string name = file_name(a);

  LOG->take();
  CHECK(query_notify_destruct() == 0);
  CHECK(query_notify_destruct(a) == 0);
  set_notify_destruct(1);
  CHECK(query_notify_destruct() == 1);
  set_notify_destruct(0);
  CHECK(query_notify_destruct(this_object()) == 0);
  CHECK(catch(set_notify_destruct(2)));

  a->notify(1);
  CHECK(query_notify_destruct(a) == 1);
  destruct(a);
  CHECK(implode(LOG->take(), ";") == "on_destruct " + name);
  CHECK(!objectp(a));

  // Turned off again: no call.
  b->notify(1);
  b->notify(0);
  destruct(b);
  CHECK(sizeof(LOG->take()) == 0);
  return failures;
}
