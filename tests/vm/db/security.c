// Master valid_database guards the db efuns (run with /db/master.c).
#include "/check.h"

string failures = "";

int contains(mixed text, string part) {
  return stringp(text) && strsrch(text, part) >= 0;
}

string run() {
  object master = find_object("/db/master");
  mixed *calls;
  mixed db, err;

  CHECK(objectp(master));
  master->take_calls();

  db = db_connect("", "/db_security.sqlite", "someone");
  CHECK(intp(db) && db > 0);
  calls = master->take_calls();
  CHECK(sizeof(calls) == 1);
  CHECK(calls[0][0] == this_object());
  CHECK(calls[0][1] == "connect");
  // ({ database, host (0 when empty), user })
  CHECK(sizeof(calls[0][2]) == 3 && calls[0][2][0] == "/db_security.sqlite");
  CHECK(calls[0][2][1] == 0 && calls[0][2][2] == "someone");

  CHECK(db_exec(db, "CREATE TABLE t(x)") == 0);
  calls = master->take_calls();
  CHECK(sizeof(calls) == 1 && calls[0][1] == "exec" && calls[0][2][0] == "CREATE TABLE t(x)");
  db_fetch(db, 1);
  db_commit(db);
  db_rollback(db);
  calls = master->take_calls();
  CHECK(sizeof(calls) == 3);
  CHECK(calls[0][1] == "fetch" && sizeof(calls[0][2]) == 0);
  CHECK(calls[1][1] == "commit" && calls[2][1] == "rollback");
  db_status();
  CHECK(sizeof(master->take_calls()) == 0);

  err = catch(db_exec(db, "SELECT * FROM forbidden_table"));
  CHECK(contains(err, "Database security violation attempted"));
  err = catch(db_connect("", "/db_security.sqlite", "intruder"));
  CHECK(contains(err, "Database security violation attempted"));
  // The refused connection took no handle.
  CHECK(strsrch(db_status(), sprintf("Handle: %d ", db + 1)) < 0);

  master->take_calls();
  db = db_connect("db.example.com", "/db_security.sqlite", "someone");
  calls = master->take_calls();
  CHECK(calls[0][2][1] == "db.example.com");
  CHECK(db_close(db) == 1);
  calls = master->take_calls();
  CHECK(sizeof(calls) == 1 && calls[0][1] == "close");

  // Master valid_write decides whether the SQLite file may be used.
  db = db_connect("", "/readonly.sqlite");
  CHECK(contains(db, "permission denied: cannot write /readonly.sqlite"));
  CHECK(file_size("/readonly.sqlite") == -1);
  return failures;
}
