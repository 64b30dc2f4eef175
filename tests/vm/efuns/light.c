// set_light(): an object's light, counted in every environment around it.
#include "/check.h"

#define PROBE "/efuns/obj/probe"

string run() {
  string failures = "";
  object room = new(PROBE, 0), lamp = new(PROBE, 3), bag = new(PROBE, 0);

  CHECK(room->add_light(0) == 0);
  CHECK(room->add_light(2) == 2);
  CHECK(lamp->add_light(0) == 3);
  lamp->move_to(bag);
  CHECK(bag->add_light(0) == 3);
  bag->move_to(room);
  CHECK(room->add_light(0) == 5);
  // set_light() inside answers for the outermost environment.
  CHECK(lamp->add_light(1) == 6);
  CHECK(bag->add_light(0) == 6);
  destruct(lamp);
  CHECK(room->add_light(0) == 2);
  CHECK(room->add_light(-2) == 0);
  destruct(bag);
  destruct(room);
  return failures;
}
