// move_object(), environment(), the inventory efuns, the init() calls a
// move makes, and what destruct() does with an object's contents.
#include "/check.h"

#define THING "/efuns/obj/thing"
#define LOG "/efuns/obj/log"

object make(string name) { return new(THING, name); }

string names(object *obs) {
  return implode(map(obs, (: $1->query_name() :)), ",");
}

string run() {
  string failures = "";
  object room = make("room"), a = make("a"), b = make("b"), c = make("c");
  object hero, other, box;
  string err;

  LOG->take();
  a->go(room);
  b->go(room);
  CHECK(environment(a) == room);
  CHECK(environment(room) == 0);
  CHECK(environment() == 0);
  // The last object moved in comes first.
  CHECK(names(all_inventory(room)) == "b,a");
  CHECK(first_inventory(room) == b);
  CHECK(next_inventory(b) == a);
  CHECK(next_inventory(a) == 0);
  CHECK(first_inventory(c) == 0);
  CHECK(sizeof(all_inventory(c)) == 0);
  // Nothing living: no init() ran.
  CHECK(sizeof(LOG->take()) == 0);

  // Moving again takes the object out of its old place.
  a->go(c);
  CHECK(names(all_inventory(room)) == "b");
  CHECK(environment(a) == c);
  a->go(room);
  CHECK(names(all_inventory(room)) == "a,b");

  // A living object arriving: the room's init() with it as this_player,
  // then for each object there, the object's own (when it is living)
  // and the object's init() with the newcomer as this_player.
  other = make("other");
  other->go(c);
  // Becoming living meets the environment at once.
  other->live();
  CHECK(implode(LOG->take(), " ") == "c:other");
  other->go(room);
  CHECK(implode(LOG->take(), " ") == "room:other a:other b:other");
  hero = make("hero");
  hero->live();
  hero->go(room);
  CHECK(implode(LOG->take(), " ") == "room:hero hero:other other:hero a:hero b:hero");
  // A thing arriving where someone living is: its init() once per
  // living object, with that one as this_player.
  c->go(room);
  CHECK(implode(LOG->take(), " ") == "c:hero c:other");
  // enable_commands() made hero the command giver; init() calls set
  // this_player() only while they run.
  CHECK(this_player() == hero);

  // Moves into oneself, directly or through contents, are refused.
  err = catch(room->go(room));
  CHECK(err == "*Can't move object inside itself.\n");
  box = make("box");
  box->go(a);
  err = catch(a->go(box));
  CHECK(err == "*Can't move object inside itself.\n");
  CHECK(environment(a) == room);
  err = catch(a->go("/efuns/obj/no_such_file"));
  CHECK(err == "*move_object failed: could not find destination\n");

  // deep_inventory: each object followed by what is inside it.
  CHECK(names(deep_inventory(room)) == "c,hero,other,a,box,b");
  CHECK(names(deep_inventory(({ a, b }))) == "a,box,b");
  // A filter answers 1 (take, look inside), 2 (take only), 3 (look inside only).
  CHECK(names(deep_inventory(room, (: $1->query_name() == "a" ? 3 : 1 :))) == "c,hero,other,box,b");
  CHECK(names(deep_inventory(room, (: $1->query_name() == "a" ? 2 : 1 :))) == "c,hero,other,a,b");
  CHECK(names(deep_inventory(room, (: $1->query_name() == "a" ? 0 : 1 :))) == "c,hero,other,b");

  // Destructing a container moves its contents to its environment
  // through their move_or_destruct(); what stays behind is destructed.
  box->go(room);
  a->go(box);
  b->go(box);
  b->set_stay(1);
  destruct(box);
  CHECK(environment(a) == room);
  CHECK(!objectp(b));
  CHECK(member_array(a, all_inventory(room)) >= 0);
  // While its container is destructed, an object may destruct only itself.
  box = make("box2");
  b = make("b2");
  b->go(box);
  b->set_victim(a);
  CHECK(catch(destruct(box)) == "*Only this_object() can be destructed from move_or_destruct.\n");
  CHECK(objectp(a) && objectp(box));
  b->set_victim(0);
  destruct(box);
  CHECK(!objectp(b));
  // Without an environment, the contents go with it.
  a->go(c);
  c->go(this_object());
  destruct(room);
  CHECK(!objectp(hero) && !objectp(other));
  CHECK(environment(c) == this_object());
  CHECK(environment(a) == c);
  a->set_stay(1);
  destruct(c);
  CHECK(!objectp(a));
  CHECK(sizeof(all_inventory()) == 0);
  return failures;
}
