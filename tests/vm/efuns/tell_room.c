// tell_room(), message() and shout(): who hears what. Living objects and
// interactive users listen; the rest of a room does not.
#include "/check.h"

#define LISTENER "/efuns/obj/listener"

string run() {
  string failures = "";
  object room = new(LISTENER, 0);
  object a = new(LISTENER, 1), b = new(LISTENER, 1), rock = new(LISTENER, 0);
  object away = new(LISTENER, 1), far = new(LISTENER, 0);
  mixed bad = ({ "no" });

  a->move_to(room);
  b->move_to(room);
  rock->move_to(room);
  away->move_to(far);

  // tell_room: everyone living in the room but the excluded.
  tell_room(room, "hello", ({ b }));
  CHECK(a->query_heard() == "hello");
  CHECK(b->query_heard() == "");
  CHECK(rock->query_heard() == "");
  CHECK(room->query_heard() == "");
  tell_room(room, 42);
  CHECK(a->query_heard() == "hello|42" && b->query_heard() == "42");
  // An object is told by its name, without the leading slash.
  tell_room(room, rock, ({ a }));
  CHECK(b->query_heard() == "42|" + file_name(rock)[1..]);
  CHECK(catch(tell_room(room, bad)));
  a->forget();
  b->forget();

  // message: a living target hears it itself; a non-living target passes
  // it to the living things inside it.
  message("say", "hi", a);
  CHECK(a->query_heard() == "say:hi" && b->query_heard() == "");
  message("combat", "bang", room, b);
  CHECK(a->query_heard() == "say:hi|combat:bang" && b->query_heard() == "");
  CHECK(rock->query_heard() == "" && room->query_heard() == "");
  message("tell", "both", ({ a, b, a }));
  CHECK(a->query_heard() == "say:hi|combat:bang|tell:both" && b->query_heard() == "tell:both");
  message("room", "there", ({ room, far }), ({ a }));
  CHECK(b->query_heard() == "tell:both|room:there" && away->query_heard() == "room:there");
  CHECK(catch(message("say", bad, a)));
  a->forget();
  b->forget();
  away->forget();

  // shout: every living thing somewhere, but the one shouting.
  evaluate(bind((: enable_commands :), a));
  evaluate(bind((: shout, "fire" :), a));
  CHECK(a->query_heard() == "");
  CHECK(b->query_heard() == "fire" && away->query_heard() == "fire");
  CHECK(rock->query_heard() == "");

  foreach (object ob in ({ a, b, rock, away, room, far })) destruct(ob);
  return failures;
}
