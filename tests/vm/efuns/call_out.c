// call_out, call_out_walltime and their family, as seen within one evaluation: handles, the
// time left, call_out_info and removal. Firing is tested by the network
// test mudlib, which keeps the driver running.
#include "/check.h"

void later(int a, int b) { }
void other() { }
int probe(int handle) { return find_call_out(handle); }

string run() {
  string failures = "";
  int h1, h2, h3, h4;
  mixed info;

  h1 = call_out("later", 10, 1, 2);
  h2 = call_out("other", 5);
  h3 = call_out((: other :), 3);
  h4 = call_out("later", 2.5);
  CHECK(h1 > 0);
  CHECK(h2 > h1 && h3 > h2 && h4 > h3);

  // The time left is the delay itself while the clock stands still.
  CHECK(find_call_out(h1) == 10);
  CHECK(find_call_out("other") == 5);
  // 2.5 seconds round up to whole game ticks of one second.
  CHECK(find_call_out(h4) == 3);
  // By name: the first one due.
  CHECK(find_call_out("later") == 3);
  CHECK(find_call_out("nothing") == -1);
  CHECK(find_call_out(0) == -1);

  info = filter(call_out_info(), (: $1[0] == this_object() :));
  CHECK(sizeof(info) == 4);
  // Each entry is ({ object, function, seconds left }); a function
  // pointer shows as text.
  CHECK(sizeof(filter(info, (: sizeof($1) == 3 :))) == 4);
  CHECK(sizeof(filter(info, (: $1[1] == "later" && $1[2] == 10 :))) == 1);
  CHECK(sizeof(filter(info, (: stringp($1[1]) && $1[1] != "later" && $1[1] != "other" && $1[2] == 3 :))) == 1);

  CHECK(remove_call_out(h1) == 10);
  CHECK(remove_call_out(h1) == -1);
  CHECK(find_call_out(h1) == -1);
  CHECK(remove_call_out("other") == 5);
  // A function pointer has no name to be found by.
  CHECK(find_call_out("other") == -1);
  CHECK(find_call_out(h3) == 3);
  CHECK(remove_call_out("nothing") == -1);
  // A handle finds only this object's call_outs.
  CHECK(clone_object("/efuns/call_out")->probe(h4) == -1);
  CHECK(remove_call_out(0) == -1);
  // call_out_walltime schedules in real seconds, with the same handles.
  h1 = call_out_walltime("later", 4, 1, 2);
  CHECK(h1 > h4);
  CHECK(find_call_out(h1) == 4);
  CHECK(sizeof(filter(call_out_info(), (: $1[0] == this_object() && $1[1] == "later" && $1[2] == 4 :))) == 1);
  CHECK(remove_call_out(h1) == 4);
  CHECK(find_call_out(h1) == -1);
  CHECK(call_out_walltime((: other :), 1) > h1);
  // No argument: every call_out of this object goes.
  CHECK(remove_call_out() == 0);
  CHECK(find_call_out(h3) == -1 && find_call_out(h4) == -1);
  CHECK(sizeof(filter(call_out_info(), (: $1[0] == this_object() :))) == 0);
  return failures;
}
