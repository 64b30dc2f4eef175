// The db efuns on a PostgreSQL server that driver/tests/db.rs starts;
// /db/connection.h says where it is, and /db/master.c gives the password.
#include "/check.h"
#include "/db/connection.h"

string failures = "";

int contains(mixed text, string part) {
  return stringp(text) && strsrch(text, part) >= 0;
}

int connect() {
  return db_connect(DB_HOST, DB_NAME, DB_USER, __USE_POSTGRES__);
}

void test_connect() {
  object master = find_object("/db/master");
  mixed db;

  db = connect();
  CHECK(intp(db) && db > 0);
  CHECK(contains(db_status(), sprintf("Handle: %d (Postgres)\n", db)));
  CHECK(db_close(db) == 1);

  // Through the unix socket directory; the port names the socket file.
  db = db_connect(DB_SOCKET + ":" + DB_PORT, DB_NAME, DB_USER, __USE_POSTGRES__);
  CHECK(intp(db) && db > 0);
  if (intp(db) && db > 0) {
    CHECK(db_exec(db, "SELECT 1") == 1);
    CHECK(db_close(db) == 1);
  }

  master->set_wrong_password(1);
  db = connect();
  master->set_wrong_password(0);
  CHECK(contains(db, "password authentication failed"));
  db = db_connect(DB_HOST, "no_such_database", DB_USER, __USE_POSTGRES__);
  CHECK(contains(db, "no_such_database"));
  CHECK(contains(catch(db_connect(DB_HOST, DB_NAME, "intruder", __USE_POSTGRES__)),
                 "Database security violation attempted"));
}

void test_queries() {
  int db = connect();
  mixed res;

  CHECK(db_exec(db, "DROP TABLE IF EXISTS players") == 0);
  CHECK(db_exec(db, "CREATE TABLE players (id serial PRIMARY KEY, name varchar(20) UNIQUE, "
                    "level int, gold bigint, born timestamp, portrait bytea)") == 0);
  CHECK(db_exec(db, "INSERT INTO players (name, level, gold, born, portrait) "
                    "VALUES ('alice', 3, 9223372036854775807, '2021-05-01 11:11:11', '\\x00ff41')") == 0);
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

  CHECK(db_exec(db, "SELECT 1::int2, 2::int4, 1.5::float4, 2.25::float8, 10.00::numeric, "
                    "2.5::numeric, true, false, 'text'::text, NULL, sum(level) FROM players") == 1);
  res = db_fetch(db, 1);
  CHECK(sizeof(res) == 11);
  CHECK(intp(res[0]) && res[0] == 1 && intp(res[1]) && res[1] == 2);
  CHECK(floatp(res[2]) && res[2] == 1.5 && floatp(res[3]) && res[3] == 2.25);
  CHECK(intp(res[4]) && res[4] == 10 && floatp(res[5]) && res[5] == 2.5);
  CHECK(res[6] == 1 && res[7] == 0 && intp(res[7]));
  CHECK(res[8] == "text" && undefinedp(res[9]));
  // The sum of ints is a bigint; of bigints a numeric: both come back as ints.
  CHECK(intp(res[10]) && res[10] == 11);

  CHECK(db_exec(db, "SELECT name FROM players WHERE level > 100") == 0);
  res = db_fetch(db, 0);
  CHECK(sizeof(res) == 1 && res[0] == "name");

  CHECK(contains(db_exec(db, "SELEC 1"), "syntax error"));
  CHECK(contains(db_exec(db, "SELECT * FROM no_such_table"), "does not exist"));
  CHECK(contains(db_exec(db, "INSERT INTO players (name) VALUES ('bob')"), "duplicate key"));
  CHECK(contains(catch(db_exec(db, "SELECT * FROM forbidden_table")),
                 "Database security violation attempted"));

  CHECK(db_exec(db, "BEGIN") == 0);
  CHECK(db_exec(db, "DELETE FROM players WHERE name = 'bob'") == 0);
  CHECK(db_exec(db, "SELECT count(*) FROM players") == 1 && db_fetch(db, 1)[0] == 2);
  CHECK(db_rollback(db) == 1);
  CHECK(db_exec(db, "SELECT count(*) FROM players") == 1 && db_fetch(db, 1)[0] == 3);
  CHECK(db_exec(db, "BEGIN; UPDATE players SET level = 50 WHERE name = 'bob'") == 0);
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
