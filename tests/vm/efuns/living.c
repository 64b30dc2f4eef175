// living(), enable_commands(), disable_commands(), set_living_name(),
// find_living(), livings(), this_player() and the wizard flag.
#include "/check.h"

#define THING "/efuns/obj/thing"
#define LOG "/efuns/obj/log"

string run() {
  string failures = "";
  object a = new(THING, "a"), b = new(THING, "b"), room = new(THING, "room");
  object coin = new(THING, "coin");

  CHECK(!living(a));
  CHECK(!living(this_object()));
  CHECK(!living(0));
  a->live();
  CHECK(living(a));
  CHECK(member_array(a, livings()) >= 0);
  CHECK(member_array(b, livings()) < 0);
  CHECK(sizeof(filter(livings(), (: !living($1) :))) == 0);

  // Living names: only living objects are found; the latest name wins.
  CHECK(!find_living("walker"));
  a->call_me("walker");
  CHECK(find_living("walker") == a);
  // Never connected, so no player of that name.
  CHECK(!find_player("walker"));
  CHECK(send_nullbyte(a) == -2);
  CHECK(catch(send_nullbyte(0)));
  CHECK(member_array(a, named_livings()) >= 0);
  b->call_me("walker");
  CHECK(find_living("walker") == a);
  b->live();
  CHECK(find_living("walker") == b);
  b->die();
  CHECK(!living(b));
  CHECK(find_living("walker") == a);
  a->call_me("runner");
  CHECK(find_living("walker") == 0);
  CHECK(find_living("runner") == a);

  // enable_commands() meets the environment and contents at once.
  a->go(room);
  coin->go(a);
  LOG->take();
  b->live_and_meet();
  CHECK(sizeof(LOG->take()) == 0);
  b->go(room);
  LOG->take();
  b->die();
  b->live_and_meet();
  CHECK(implode(LOG->take(), " ") == "room:b b:a a:b");
  a->die();
  LOG->take();
  a->live();
  CHECK(implode(LOG->take(), " ") == "room:a a:b b:a coin:a");

  // The last enable_commands() made a the command giver.
  CHECK(this_player() == a);
  // No user typed a command: there is no interactive player.
  CHECK(this_player(1) == 0);
  CHECK(!interactive(a) && !userp(a));
  // Only interactive users become wizards.
  enable_wizard();
  CHECK(!wizardp(this_object()));
  disable_wizard();
  CHECK(!wizardp(this_object()));

  destruct(room);
  CHECK(!find_living("runner"));
  // The room had no environment, so what it held went with it.
  CHECK(!b);
  return failures;
}
