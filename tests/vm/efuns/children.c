// children(), objects(), clonep(), base_name(), file_name(),
// find_object() and load_object().
#include "/check.h"

#define THING "/efuns/obj/thing"

int is_thing(object ob) { return base_name(ob) == THING; }

string run() {
  string failures = "";
  object *before = children(THING);
  object one = new(THING, "one"), two = clone_object(THING + ".c", "two");
  object blueprint = load_object(THING);
  object *kids = children(THING);

  CHECK(sizeof(kids) == sizeof(before) + 2 + (member_array(blueprint, before) < 0));
  CHECK(member_array(one, kids) >= 0 && member_array(two, kids) >= 0);
  CHECK(member_array(blueprint, kids) >= 0);
  CHECK(sizeof(children(THING + ".c")) == sizeof(kids));
  CHECK(sizeof(children("/efuns/obj/nothing_here")) == 0);

  CHECK(clonep(one) && !clonep(blueprint));
  CHECK(!clonep() && !clonep(1) && !clonep(({ one })));
  CHECK(base_name(one) == THING);
  CHECK(base_name(file_name(two)) == THING);
  CHECK(base_name() == "/efuns/children");
  CHECK(file_name() == "/efuns/children");
  CHECK(file_name(one)[0..sizeof(THING)] == THING + "#");

  // objects(): every object, or those a function or a named function of
  // the caller accepts.
  CHECK(member_array(one, objects()) >= 0);
  CHECK(member_array(this_object(), objects()) >= 0);
  CHECK(sizeof(objects((: is_thing :))) == sizeof(kids));
  CHECK(sizeof(objects("is_thing")) == sizeof(kids));

  // find_object() finds loaded objects only, unless told to load.
  CHECK(find_object(THING) == blueprint);
  CHECK(find_object(THING + ".c") == blueprint);
  CHECK(find_object("/efuns/obj/log2") == 0);
  CHECK(find_object("/efuns/obj/nothing_here", 1) == 0);
  CHECK(load_object("/efuns/obj/nothing_here") == 0);
  destruct(blueprint);
  CHECK(find_object(THING) == 0);
  blueprint = find_object(THING, 1);
  CHECK(objectp(blueprint) && file_name(blueprint) == THING);
  CHECK(load_object(THING) == blueprint);

  destruct(one);
  CHECK(sizeof(children(THING)) == sizeof(kids) - 1);
  destruct(two);
  return failures;
}
