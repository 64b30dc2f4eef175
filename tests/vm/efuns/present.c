// present(): by id with the "name N" form, by object, inside a given
// object only or around the current one.
#include "/check.h"

#define THING "/efuns/obj/thing"

object make(string name) { return new(THING, name); }

string run() {
  string failures = "";
  object room = make("room"), s1 = make("sword"), s2 = make("sword");
  object shield = make("shield"), coin = make("coin"), gem = make("gem");

  s1->go(room);
  s2->go(room);
  shield->go(room);
  coin->go(this_object());
  move_object(room);
  gem->go(this_object());

  // Inside a given object: the most recently arrived match first.
  CHECK(present("sword", room) == s2);
  CHECK(present("sword 1", room) == s2);
  CHECK(present("sword 2", room) == s1);
  CHECK(present("sword 3", room) == 0);
  CHECK(present("sword ", room) == 0);
  CHECK(present("sword x1", room) == 0);
  CHECK(present("shield", room) == shield);
  CHECK(present("", room) == 0);
  CHECK(present("coin", room) == 0);
  // Without a place: the current object's inventory, then its
  // environment itself, then the environment's inventory.
  CHECK(present("coin") == coin);
  CHECK(present("room") == room);
  CHECK(present("shield") == shield);
  CHECK(present("nothing") == 0);
  // By object: that object if it is in the given one ...
  CHECK(present(s1, room) == s1);
  CHECK(present(coin, room) == 0);
  // ... or else the container holding it, here or around here.
  CHECK(present(coin) == this_object());
  CHECK(present(s1) == room);
  CHECK(present(room) == 0);
  move_object(make("elsewhere"));
  destruct(room);
  CHECK(!objectp(s1) && !objectp(shield));
  return failures;
}
