// The checks the db efuns must pass on every database server that
// driver/tests/db.rs starts. A backend's test file defines, before it
// includes this one:
//   BACKEND           the __USE_*__ value of the server
//   STATUS_NAME       how db_status() names a handle of it
//   socket_connect()  a connection through the server's unix socket
//   dialect           a mapping of the SQL and messages that differ
//   check_types(db)   the server's own column types, read back
#include "/check.h"
#include "/db/connection.h"

string failures = "";

int contains(mixed text, string part) {
  return stringp(text) && strsrch(text, part) >= 0;
}

int connect() {
  return db_connect(DB_HOST, DB_NAME, DB_USER, BACKEND);
}

void test_connect() {
  object master = find_object("/db/master");
  mixed db;

  db = connect();
  CHECK(intp(db) && db > 0);
  CHECK(contains(db_status(), sprintf("Handle: %d (%s)\n", db, STATUS_NAME)));
  CHECK(db_close(db) == 1);

  db = socket_connect();
  CHECK(intp(db) && db > 0);
  if (intp(db) && db > 0) {
    CHECK(db_exec(db, "SELECT 1") == 1);
    CHECK(db_close(db) == 1);
  }

  master->set_wrong_password(1);
  db = connect();
  master->set_wrong_password(0);
  CHECK(contains(db, dialect["wrong password"]));
  db = db_connect(DB_HOST, "no_such_database", DB_USER, BACKEND);
  CHECK(contains(db, "no_such_database"));
  CHECK(contains(catch(db_connect(DB_HOST, DB_NAME, "intruder", BACKEND)),
                 "Database security violation attempted"));
}

void test_queries() {
  int db = connect();
  mixed res;

  CHECK(db_exec(db, "DROP TABLE IF EXISTS players") == 0);
  CHECK(db_exec(db, dialect["create"]) == 0);
  CHECK(db_exec(db, "INSERT INTO players (name, level, gold, born, portrait) "
                    "VALUES ('alice', 3, 9223372036854775807, '2021-05-01 11:11:11', " +
                    dialect["portrait"] + ")") == 0);
  CHECK(db_exec(db, "INSERT INTO players (name, level) VALUES ('bob', 7), ('小泥巴', 1)") == 0);
  CHECK(db_exec(db, "SELECT id, name, level, gold, born, portrait FROM players ORDER BY id") == 3);
  res = db_fetch(db, 0);
  CHECK(sizeof(res) == 6 && res[0] == "id" && res[1] == "name" && res[5] == "portrait");
  res = db_fetch(db, 1);
  CHECK(sizeof(res) == 6);
  CHECK(res[0] == 1 && res[1] == "alice" && res[2] == 3 && res[3] == MAX_INT);
  CHECK(res[4] == "2021-05-01 11:11:11");
  CHECK(bufferp(res[5]) && sizeof(res[5]) == 3 && res[5][1] == 255);
  res = db_fetch(db, 2);
  CHECK(res[1] == "bob" && res[2] == 7 && undefinedp(res[3]) && res[3] == 0 && res[5] == 0);
  CHECK(db_fetch(db, 3)[1] == "小泥巴");
  CHECK(sizeof(db_fetch(db, 4)) == 0);

  check_types(db);

  CHECK(db_exec(db, "SELECT name FROM players WHERE level > 100") == 0);
  res = db_fetch(db, 0);
  CHECK(sizeof(res) == 1 && res[0] == "name");

  CHECK(contains(db_exec(db, "SELEC 1"), dialect["syntax error"]));
  CHECK(contains(db_exec(db, "SELECT * FROM no_such_table"), dialect["no table"]));
  CHECK(contains(db_exec(db, "INSERT INTO players (name) VALUES ('bob')"), dialect["duplicate"]));
  CHECK(contains(catch(db_exec(db, "SELECT * FROM forbidden_table")),
                 "Database security violation attempted"));

  CHECK(db_exec(db, "BEGIN") == 0);
  CHECK(db_exec(db, "DELETE FROM players WHERE name = 'bob'") == 0);
  CHECK(db_exec(db, "SELECT count(*) FROM players") == 1 && db_fetch(db, 1)[0] == 2);
  CHECK(db_rollback(db) == 1);
  CHECK(db_exec(db, "SELECT count(*) FROM players") == 1 && db_fetch(db, 1)[0] == 3);
  CHECK(db_exec(db, "BEGIN") == 0);
  CHECK(db_exec(db, "UPDATE players SET level = 50 WHERE name = 'bob'") == 0);
  CHECK(db_commit(db) == 1);
  CHECK(db_exec(db, "SELECT level FROM players WHERE name = 'bob'") == 1 && db_fetch(db, 1)[0] == 50);

  CHECK(db_exec(db, "DROP TABLE players") == 0);
  CHECK(db_close(db) == 1);
  CHECK(contains(catch(db_exec(db, "SELECT 1")), "invalid database handle"));
}

string run() {
  test_connect();
  test_queries();
  return failures;
}
