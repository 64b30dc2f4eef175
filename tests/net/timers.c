// Timers over time: call_outs fire in order with their arguments and
// this_player, heart beats beat, and the driver ends with shutdown().
#define CHECK(c) if (!(c)) failures += sprintf("line %d: %s; ", __LINE__, #c)

string failures = "";
string *order = ({ });
int beats;
int removed_fired;
int resets, clean_ups;

// Called after "time to reset" (one second here, randomized down to half).
void reset() { resets++; }

// Called after "time to clean up"; 1 asks to be called again.
int clean_up(int inherited) {
  clean_ups++;
  CHECK(inherited == 1);
  return 1;
}


void record(string what) { order += ({ what }); }

void removed() { removed_fired = 1; }

void two(int a, int b) { record("a:" + a + ":" + b); }

void heart_beat() {
  beats++;
  if (beats == 3) set_heart_beat(0);
}

void chain(int n) {
  record("chain" + n);
  if (n < 3) call_out("chain", 0, n + 1);
}

void finish() {
  CHECK(implode(order, ",") == "zero,chain1,chain2,chain3,fn:5,a:1:2,b");
  CHECK(!removed_fired);
  CHECK(beats == 3);
  CHECK(query_heart_beat() == 0);
  CHECK(find_call_out("finish") == -1);
  CHECK(resets >= 1);
  CHECK(clean_ups >= 2);
  if (failures == "") {
    debug_message("PASS timers");
  } else {
    debug_message("FAIL timers: " + failures);
  }
  shutdown(0);
}

void start() {
  int h;
  call_out("record", 0.3, "b");
  call_out("two", 0.2, 1, 2);
  call_out((: record, "fn:" + 5 :), 0.1);
  call_out("record", 0, "zero");
  call_out("chain", 0, 1);
  h = call_out("removed", 0.1);
  remove_call_out(h);
  set_heart_beat(1);
  call_out("finish", 2.5);
}
