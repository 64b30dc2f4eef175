// set_reset(), set_clean_up() and request_clean_up().
#include "/check.h"

#define PROBE "/efuns/obj/probe"

mixed soon = "soon";

string run() {
  string failures = "";
  object probe = new(PROBE, 0);
  object dead = new(PROBE, 0);

  destruct(dead);
  CHECK(!catch(set_reset(probe)));
  CHECK(!catch(set_reset(probe, 3600)));
  CHECK(catch(set_reset(dead, 10)));
  CHECK(catch(set_reset(probe, soon)));

  CHECK(!catch(set_clean_up(probe, 60)));
  CHECK(!catch(set_clean_up(probe)));
  CHECK(!catch(set_clean_up(this_object(), 60)));
  CHECK(catch(set_clean_up(dead, 10)));

  // Only objects that define clean_up() take the request.
  CHECK(request_clean_up(probe) == 1);
  CHECK(request_clean_up() == 0);
  CHECK(request_clean_up(this_object()) == 0);
  CHECK(catch(request_clean_up(dead)));  // A destructed object reads as 0.
  destruct(probe);
  return failures;
}
