// set_heart_beat, query_heart_beat and heart_beats within one evaluation.
#include "/check.h"

void heart_beat() { }

string run() {
  string failures = "";

  CHECK(query_heart_beat() == 0);
  CHECK(member_array(this_object(), heart_beats()) == -1);
  set_heart_beat(1);
  CHECK(query_heart_beat() == 1);
  CHECK(query_heart_beat(this_object()) == 1);
  CHECK(member_array(this_object(), heart_beats()) != -1);
  set_heart_beat(3);
  CHECK(query_heart_beat() == 3);
  CHECK(sizeof(filter(heart_beats(), (: $1 == this_object() :))) == 1);
  set_heart_beat(0);
  CHECK(query_heart_beat() == 0);
  CHECK(member_array(this_object(), heart_beats()) == -1);
  return failures;
}
