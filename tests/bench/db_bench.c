// Round trips of the db efuns per second: run_sqlite() on an SQLite file
// in the mudlib, run_postgres(host, database, user) on a PostgreSQL server
// (the master gives the password). Each measurement is a loop of db_exec
// calls, with db_fetch where the statement returns a row, for a fixed time.

// How long each measurement runs, in nanoseconds.
#define WINDOW 2000000000
// Rows in the table that the point queries read and update.
#define ROWS 1000

void report(string line) {
  debug_message(line);
}

// Runs f(0) untimed, then f(1), f(2), ... until WINDOW has passed;
// ({ calls, ns }).
mixed *measure(function f) {
  int calls = 0;
  int start, now;

  // One call first, so that statement preparation is not timed alone.
  evaluate(f, 0);
  start = perf_counter_ns();
  now = start;
  while (now - start < WINDOW) {
    calls++;
    evaluate(f, calls);
    now = perf_counter_ns();
  }
  return ({ calls, now - start });
}

string rate(string what, mixed *m) {
  int per_second = m[0] * 1000000000 / m[1];
  int us = m[1] / 1000 / (m[0] || 1);
  return sprintf("%-34s %8d round trips/s  (%d us each, %d calls)", what, per_second, us, m[0]);
}

// Fails loudly: a benchmark of failing statements measures nothing.
mixed exec(int db, string sql) {
  mixed r = db_exec(db, sql);
  if (stringp(r)) error("db_exec(" + sql + "): " + r);
  return r;
}

// The handle that the timed statements use.
int handle;

mixed select_one(int i) { return exec(handle, "SELECT 1"); }

mixed select_by_key(int i) {
  exec(handle, "SELECT v FROM bench_kv WHERE k = " + (i % ROWS));
  return db_fetch(handle, 1);
}

mixed update_by_key(int i) {
  return exec(handle, "UPDATE bench_kv SET v = 'updated " + i + "' WHERE k = " + (i % ROWS));
}

mixed insert_row(int i) {
  return exec(handle, "INSERT INTO bench_kv (k, v) VALUES (" + (ROWS + i) + ", 'new')");
}

void bench(string name, int db) {
  mixed row;

  handle = db;
  exec(db, "DROP TABLE IF EXISTS bench_kv");
  exec(db, "CREATE TABLE bench_kv (k integer PRIMARY KEY, v varchar(64))");
  exec(db, "BEGIN");
  for (int i = 0; i < ROWS; i++) {
    exec(db, "INSERT INTO bench_kv (k, v) VALUES (" + i + ", 'value " + i + "')");
  }
  exec(db, "COMMIT");
  // The point query must really find its row before it is timed.
  if (exec(db, "SELECT v FROM bench_kv WHERE k = 7") != 1) error("no row 7");
  row = db_fetch(db, 1);
  if (sizeof(row) != 1 || row[0] != "value 7") error(sprintf("row 7 is %O", row));

  report(name + ":");
  report(rate("  SELECT 1", measure((: select_one :))));
  report(rate("  SELECT by key + db_fetch", measure((: select_by_key :))));
  report(rate("  UPDATE by key (autocommit)", measure((: update_by_key :))));
  report(rate("  INSERT (autocommit)", measure((: insert_row :))));
  exec(db, "DROP TABLE bench_kv");
  db_close(db);
}

void run_sqlite() {
  mixed db = db_connect("", "/bench.sqlite", "", __USE_SQLITE3__);
  if (!intp(db) || db <= 0) error(sprintf("db_connect: %O", db));
  bench("SQLite (file /bench.sqlite)", db);
  rm("/bench.sqlite");
}

void run_postgres(string host, string database, string user) {
  mixed db = db_connect(host, database, user, __USE_POSTGRES__);
  if (!intp(db) || db <= 0) error(sprintf("db_connect: %O", db));
  bench("PostgreSQL (" + host + ")", db);
}
