// set_hide(): hidden objects are left out of what objects the master's
// valid_hide() does not approve see; master() is the master object.
#include "/check.h"

#define THING "/efuns/obj/thing"

string run() {
  string failures = "";
  object box = new(THING, "box"), a = new(THING, "a"), b = new(THING, "b");
  object seer = new(THING, "seer"), blind = new(THING, "blind");
  mixed *seen;

  CHECK(master() == find_object("/master"));
  a->go(box);
  b->go(box);
  // Without the master's approval, set_hide() does nothing.
  b->hide(1);
  seen = blind->look(box, "b");
  CHECK(sizeof(seen[0]) == 2 && seen[1] == b && seen[2] == b);
  b->allow_hide(1);
  b->hide(1);
  seen = blind->look(box, "b");
  CHECK(sizeof(seen[0]) == 1 && seen[0][0] == a);
  CHECK(seen[1] == a && seen[2] == 0 && sizeof(seen[3]) == 1);
  seer->allow_hide(1);
  seen = seer->look(box, "b");
  CHECK(sizeof(seen[0]) == 2 && seen[1] == b && seen[2] == b && sizeof(seen[3]) == 2);
  b->hide(0);
  seen = blind->look(box, "b");
  CHECK(sizeof(seen[0]) == 2 && seen[2] == b);

  CHECK(catch(environment(box)) == 0);
  destruct(box);
  CHECK(catch(environment(box)) != 0 || !objectp(box));
  destruct(seer);
  destruct(blind);
  return failures;
}
