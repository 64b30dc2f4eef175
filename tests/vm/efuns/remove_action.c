// remove_action(): takes back a verb the object added, matched by verb and
// function; 1 when one was removed, else 0.
#include "/check.h"

string run() {
  string failures = "";
  object actor = new("/efuns/obj/actor");
  mixed *answers = actor->add_and_remove();

  CHECK(answers[0] == 1);
  CHECK(answers[1] == 0);
  CHECK(answers[2] == 0);
  CHECK(answers[3] == "fiddle");
  CHECK(answers[4] == 1);
  CHECK(answers[5] == 0);
  // Nothing to remove outside any command giver's verbs.
  CHECK(remove_action("run", "run") == 0);
  destruct(actor);
  return failures;
}
