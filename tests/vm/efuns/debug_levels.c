// set_debug_level(), clear_debug_level() and debug_levels().
#include "/check.h"

string run() {
  string failures = "";
  mapping m;

  set_debug_level(0);
  m = debug_levels();
  CHECK(mapp(m) && sizeof(m) == 15);
  CHECK(m["d_flag"] == 0 && m["call_out"] == 0);
  set_debug_level("d_flag");
  CHECK(debug_levels()["d_flag"] == 4);
  set_debug_level("connections");
  CHECK(debug_levels()["connections"] == 8 && debug_levels()["d_flag"] == 4);
  clear_debug_level("d_flag");
  CHECK(debug_levels()["d_flag"] == 0 && debug_levels()["connections"] == 8);
  set_debug_level(1 | 2);
  m = debug_levels();
  CHECK(m["call_out"] == 1 && m["unknown"] == 2 && m["connections"] == 0);
  set_debug_level("no such level");
  CHECK(debug_levels()["call_out"] == 1);
  set_debug_level(0);
  CHECK(!debug_levels()["unknown"]);
  return failures;
}
