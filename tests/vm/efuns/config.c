// get_config() and set_config(): settings of the config file by the
// indexes of runtime_config.h; the limits the VM enforces follow set_config().
#include "/check.h"

#define RC_MUD_NAME 0
#define RC_MUD_LIB_DIR 2
#define RC_MASTER_FILE 7
#define RC_DEFAULT_FAIL_MESSAGE 12
#define RC_MUD_IP 14
#define RC_TIME_TO_RESET 259
#define RC_MAX_EVAL_COST 264
#define RC_MAX_CALL_DEPTH 266
#define RC_MAX_ARRAY_SIZE 267
#define RC_MAX_MAPPING_SIZE 269
#define RC_SANE_EXPLODE 282
#define RC_REVERSE_DEFER 301

string run() {
  string failures = "";
  int old;

  CHECK(get_config(RC_MUD_NAME) == "VmTests");
  CHECK(get_config(RC_MUD_NAME) == MUD_NAME);
  CHECK(get_config(RC_MUD_LIB_DIR) == "./");
  CHECK(get_config(RC_MASTER_FILE) == "/master");
  CHECK(get_config(RC_DEFAULT_FAIL_MESSAGE) == "What?\n");
  // Unset and unknown string settings are empty.
  CHECK(get_config(RC_MUD_IP) == "");
  CHECK(get_config(200) == "");
  // Integer settings: from the file, else the defaults.
  CHECK(get_config(RC_MAX_CALL_DEPTH) == 200);
  CHECK(get_config(RC_MAX_ARRAY_SIZE) == 100000);
  CHECK(get_config(RC_MAX_EVAL_COST) == 1000000);
  CHECK(get_config(RC_TIME_TO_RESET) == 900);
  CHECK(get_config(RC_SANE_EXPLODE) == 1);
  CHECK(get_config(RC_REVERSE_DEFER) == 0);
  CHECK(get_config(500) == 0);
  CHECK(catch(get_config(-1)));
  CHECK(catch(get_config(512)));

  CHECK(catch(set_config(99999, 0)));
  CHECK(catch(set_config(-1, 0)));
  CHECK(catch(set_config(RC_MUD_NAME, 1)));
  CHECK(catch(set_config(RC_TIME_TO_RESET, "x")));
  set_config(RC_TIME_TO_RESET, 60);
  CHECK(get_config(RC_TIME_TO_RESET) == 60);
  set_config(RC_TIME_TO_RESET, 900);

  // The mapping size limit is the one the VM uses.
  old = get_config(RC_MAX_MAPPING_SIZE);
  set_config(RC_MAX_MAPPING_SIZE, 1);
  CHECK(get_config(RC_MAX_MAPPING_SIZE) == 1);
  mixed err = catch(copy(([ "x": 1, "y": 2 ])));
  CHECK(([ "x": 1, "x": 2 ])["x"] == 2);
  set_config(RC_MAX_MAPPING_SIZE, old);
  CHECK(err);
  CHECK(sizeof(([ "x": 1, "y": 2 ])) == 2);
  CHECK(get_config(RC_MAX_MAPPING_SIZE) == 100000);

  old = get_config(RC_MAX_ARRAY_SIZE);
  set_config(RC_MAX_ARRAY_SIZE, 2);
  CHECK(catch(allocate(3)));
  set_config(RC_MAX_ARRAY_SIZE, old);
  CHECK(sizeof(allocate(3)) == 3);
  return failures;
}
