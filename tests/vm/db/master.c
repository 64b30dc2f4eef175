// Master of the database tests: the VM test master plus valid_database,
// which records each call, refuses the user "intruder" and any SQL that
// mentions "forbidden_table", and gives the test server's password (or a
// wrong one, when asked); valid_write refuses files named "readonly".
// driver/tests/db.rs writes /db/connection.h before each run.
inherit "/master";

#include "/db/connection.h"

mixed *calls = ({ });
int wrong_password;

// Makes the next connections get a wrong password.
void set_wrong_password(int on) {
  wrong_password = on;
}

mixed valid_database(object caller, string action, mixed *info) {
  calls += ({ ({ caller, action, info }) });
  if (action == "connect" && info[2] == "intruder") {
    return 0;
  }
  if (action == "exec" && strsrch(info[0], "forbidden_table") >= 0) {
    return 0;
  }
  if (action == "connect" && wrong_password) {
    return "not the password";
  }
  if (action == "connect") {
    return DB_PASSWORD;
  }
  return 1;
}

// SQLite files whose name has "readonly" in it may not be written.
int valid_write(string path, mixed who, string func) {
  return strsrch(path, "readonly") < 0;
}

// The valid_database calls since the last query, oldest first.
mixed *take_calls() {
  mixed *out = calls;
  calls = ({ });
  return out;
}
