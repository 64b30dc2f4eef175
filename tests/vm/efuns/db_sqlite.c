// The db efuns on the embedded SQLite database, a file in the mudlib.
#include "/check.h"

#define FILE "/db_sqlite_test.sqlite"

string failures = "";

int contains(mixed text, string part) {
  return stringp(text) && strsrch(text, part) >= 0;
}

void test_constants() {
  CHECK(__USE_MYSQL__ == 1);
  CHECK(__USE_SQLITE3__ == 2);
  CHECK(__USE_POSTGRES__ == 3);
  CHECK(__DEFAULT_DB__ == __USE_SQLITE3__);
}

void test_connections() {
  mixed a, b, c;

  a = db_connect("", FILE);
  CHECK(intp(a) && a > 0);
  b = db_connect("ignored.host", FILE, "", __USE_SQLITE3__);
  CHECK(intp(b) && b == a + 1);
  CHECK(contains(db_status(), sprintf("Handle: %d (SQLite3)\n", a)));
  CHECK(contains(db_status(), sprintf("Handle: %d (SQLite3)\n", b)));
  CHECK(file_size(FILE) >= 0);

  CHECK(db_close(a) == 1);
  CHECK(!contains(db_status(), sprintf("Handle: %d (", a)));
  // The lowest free handle is given out again.
  c = db_connect("", FILE);
  CHECK(c == a);
  CHECK(db_close(c) == 1);
  CHECK(db_close(b) == 1);

  CHECK(contains(catch(db_close(b)), "Attempt to close an invalid database handle"));
  CHECK(contains(catch(db_exec(b, "SELECT 1")), "Attempt to exec on an invalid database handle"));
  CHECK(contains(catch(db_fetch(b, 1)), "Attempt to fetch from an invalid database handle"));
  CHECK(contains(catch(db_commit(b)), "Attempt to commit an invalid database handle"));
  CHECK(contains(catch(db_rollback(b)), "Attempt to rollback an invalid database handle"));
  CHECK(contains(catch(db_exec(0, "SELECT 1")), "invalid database handle"));
  CHECK(contains(catch(db_exec(-3, "SELECT 1")), "invalid database handle"));

  CHECK(contains(catch(db_connect("", FILE, "", 42)), "unknown database type 42"));

  // The file stays inside the mudlib: `..` stops at its root, and a
  // directory the mudlib lacks cannot be used.
  a = db_connect("", "/no_such_dir/x.sqlite");
  CHECK(stringp(a));
  a = db_connect("", "/../../../../no_such_dir/x.sqlite");
  CHECK(stringp(a));
  a = db_connect("", "/");
  CHECK(contains(a, "empty"));
}

void test_queries() {
  int db = db_connect("", FILE);
  mixed rows, res;

  CHECK(db_exec(db, "DROP TABLE IF EXISTS tbl1") == 0);
  CHECK(db_exec(db, "CREATE TABLE tbl1(one varchar(10), two bigint)") == 0);
  CHECK(db_exec(db, "INSERT INTO tbl1 VALUES('hello!', 10)") == 0);
  CHECK(db_exec(db, "INSERT INTO tbl1 VALUES('goodbye', 20)") == 0);
  CHECK(db_exec(db, "INSERT INTO tbl1 VALUES('largeint', 9223372036854775807)") == 0);
  rows = db_exec(db, "SELECT * FROM tbl1");
  CHECK(rows == 3);
  res = db_fetch(db, 1);
  CHECK(sizeof(res) == 2 && res[0] == "hello!" && res[1] == 10);
  // Rows can be fetched in any order, more than once.
  res = db_fetch(db, 3);
  CHECK(sizeof(res) == 2 && res[0] == "largeint" && res[1] == MAX_INT);
  res = db_fetch(db, 2);
  CHECK(res[0] == "goodbye" && res[1] == 20);
  res = db_fetch(db, 1);
  CHECK(res[0] == "hello!");
  // Each fetch makes a new array.
  res = db_fetch(db, 1);
  res[0] = "changed";
  CHECK(db_fetch(db, 1)[0] == "hello!");
  res = db_fetch(db, 0);
  CHECK(sizeof(res) == 2 && res[0] == "one" && res[1] == "two");
  CHECK(sizeof(db_fetch(db, 4)) == 0);
  CHECK(sizeof(db_fetch(db, -1)) == 0);

  // Value types: the storage class of each value decides.
  rows = db_exec(db, "SELECT 1.5, NULL, x'00ff41', 'héllo ✓', -7, 2.0");
  CHECK(rows == 1);
  res = db_fetch(db, 1);
  CHECK(sizeof(res) == 6);
  CHECK(floatp(res[0]) && res[0] == 1.5);
  CHECK(res[1] == 0 && undefinedp(res[1]));
  CHECK(bufferp(res[2]) && sizeof(res[2]) == 3 && res[2][0] == 0 && res[2][1] == 255 && res[2][2] == 65);
  CHECK(res[3] == "héllo ✓");
  CHECK(intp(res[4]) && res[4] == -7);
  CHECK(floatp(res[5]) && res[5] == 2.0);

  // A result without rows still names its columns.
  rows = db_exec(db, "SELECT one AS first_col, two FROM tbl1 WHERE two > 100 AND two < 1000");
  CHECK(rows == 0);
  CHECK(sizeof(db_fetch(db, 1)) == 0);
  res = db_fetch(db, 0);
  CHECK(sizeof(res) == 2 && res[0] == "first_col" && res[1] == "two");

  // Several statements: the rows of the last one that returned rows.
  rows = db_exec(db, "INSERT INTO tbl1 VALUES('fourth', 40); SELECT two FROM tbl1 WHERE two >= 20 ORDER BY two");
  CHECK(rows == 3);
  CHECK(db_fetch(db, 1)[0] == 20 && db_fetch(db, 2)[0] == 40);

  // Errors come back as the database's text, and the handle keeps working.
  rows = db_exec(db, "SELEC nothing");
  CHECK(contains(rows, "syntax error"));
  CHECK(sizeof(db_fetch(db, 1)) == 0);
  rows = db_exec(db, "SELECT * FROM no_such_table");
  CHECK(contains(rows, "no such table: no_such_table"));
  CHECK(db_exec(db, "CREATE TABLE tbl2(one varchar(10) UNIQUE)") == 0);
  CHECK(db_exec(db, "INSERT INTO tbl2 VALUES('dup')") == 0);
  rows = db_exec(db, "INSERT INTO tbl2 VALUES('dup')");
  CHECK(contains(rows, "UNIQUE constraint failed"));
  CHECK(db_exec(db, "SELECT * FROM tbl2") == 1);
  CHECK(db_fetch(db, 1)[0] == "dup");

  // Transactions.
  CHECK(db_exec(db, "BEGIN") == 0);
  CHECK(db_exec(db, "INSERT INTO tbl2 VALUES('undone')") == 0);
  CHECK(db_exec(db, "SELECT * FROM tbl2") == 2);
  CHECK(db_rollback(db) == 1);
  CHECK(sizeof(db_fetch(db, 1)) == 0);
  CHECK(db_exec(db, "SELECT * FROM tbl2") == 1);
  CHECK(db_exec(db, "BEGIN") == 0);
  CHECK(db_exec(db, "INSERT INTO tbl2 VALUES('kept')") == 0);
  CHECK(db_commit(db) == 1);
  // Nothing to commit or roll back: SQLite refuses.
  CHECK(db_commit(db) == 0);
  CHECK(db_rollback(db) == 0);
  CHECK(db_close(db) == 1);

  // Another connection sees what was committed to the file.
  db = db_connect("", FILE);
  CHECK(db_exec(db, "SELECT one FROM tbl2 ORDER BY one") == 2);
  CHECK(db_fetch(db, 1)[0] == "dup" && db_fetch(db, 2)[0] == "kept");
  CHECK(db_exec(db, "DROP TABLE tbl1; DROP TABLE tbl2") == 0);
  CHECK(db_close(db) == 1);
}

void test_memory() {
  int db = db_connect("", ":memory:");
  CHECK(db > 0);
  CHECK(db_exec(db, "CREATE TABLE t(x)") == 0);
  CHECK(db_exec(db, "INSERT INTO t VALUES (1), (2), (3)") == 0);
  CHECK(db_exec(db, "SELECT sum(x) FROM t") == 1);
  CHECK(db_fetch(db, 1)[0] == 6);
  CHECK(db_close(db) == 1);
  CHECK(file_size("/:memory:") == -1);
}

string run() {
  rm(FILE);
  test_constants();
  test_connections();
  test_queries();
  test_memory();
  rm(FILE);
  return failures;
}
