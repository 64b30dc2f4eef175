// enable_commands() and disable_commands(): verbs come from init() and go
// with disable_commands(); whether enable_commands() meets what is already
// around follows its argument or the "enable_commands call init" setting.
#include "/check.h"

#define RC_ENABLE_COMMANDS_CALL_INIT 309

string run() {
  string failures = "";
  object actor = new("/efuns/obj/actor");
  object giver = new("/efuns/obj/verb_giver");
  int saved = get_config(RC_ENABLE_COMMANDS_CALL_INIT);
  object tp = this_player();

  CHECK(saved == 1);
  set_config(RC_ENABLE_COMMANDS_CALL_INIT, 0);

  // Enabling alone meets nothing: nothing is around yet either.
  actor->on(0);
  CHECK(sizeof(actor->verbs()) == 0);
  // Moving in meets the living actor.
  giver->move_to(actor);
  CHECK(sizeof(actor->verbs()) == 1);
  CHECK(actor->verbs()[0][0] == "frob");
  // Disabling drops the verbs.
  actor->off();
  CHECK(sizeof(actor->verbs()) == 0);

  // A newcomer does not meet an actor whose commands are off.
  destruct(giver);
  giver = new("/efuns/obj/verb_giver");
  giver->move_to(actor);
  CHECK(sizeof(actor->verbs()) == 0);
  // With the setting off, only an argument makes enabling meet it.
  actor->on(0);
  CHECK(sizeof(actor->verbs()) == 0);
  actor->off();
  actor->on(1);
  CHECK(sizeof(actor->verbs()) == 1);

  // With the setting on, enabling always meets.
  set_config(RC_ENABLE_COMMANDS_CALL_INIT, 1);
  actor->off();
  CHECK(sizeof(actor->verbs()) == 0);
  actor->on(0);
  CHECK(sizeof(actor->verbs()) == 1);

  set_config(RC_ENABLE_COMMANDS_CALL_INIT, saved);
  destruct(giver);
  actor->off();
  CHECK(actor->keep_own_verb() == 1);
  destruct(actor);
  if (tp) evaluate(bind((: enable_commands :), tp));
  return failures;
}
