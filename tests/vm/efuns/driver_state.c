// query_host_name(), memory_summary(), get_garbage() and reclaim_objects().
#include "/check.h"

#define PROBE "/efuns/obj/probe"

object kept;

string run() {
  string failures = "";
  mapping m;
  object lost, held;

  CHECK(stringp(query_host_name()) && strlen(query_host_name()) > 0);

  kept = new(PROBE, 0);
  m = memory_summary();
  CHECK(mapp(m) && mapp(m["/efuns/obj/probe.c"]));
  CHECK(m["/efuns/obj/probe.c"]["counter"] > 0);
  CHECK(!undefinedp(m["/efuns/obj/probe.c"]["last_event"]));

  // A clone nobody holds and that is nowhere is garbage; one in a
  // variable or in an environment is not.
  lost = new(PROBE, 0);
  held = new(PROBE, 0);
  held->move_to(kept);
  call_other(lost, "query_counter");
  {
    string name = file_name(lost);
    lost = 0;
    CHECK(sizeof(filter(get_garbage(), (: file_name($1) == $(name) :))) == 1);
  }
  CHECK(member_array(kept, get_garbage()) < 0);
  CHECK(member_array(held, get_garbage()) < 0);

  CHECK(reclaim_objects() >= 0);
  foreach (object ob in children(PROBE)) if (ob) destruct(ob);
  return failures;
}
