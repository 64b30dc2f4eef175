// async_db_exec on the embedded SQLite database: each statement runs in
// the background and its callback runs in a later backend tick, with the
// handle usable again from there.
void say(string what) { debug_message("ASYNCDB " + what); }

int db;

void finish() {
  mixed row = db_fetch(db, 1);
  say("row " + implode(map(row, (: sprintf("%O", $1) :)), ","));
  async_db_exec(db, "SELECT nope FROM nowhere", function(mixed res) {
    say("bad " + (stringp(res) ? "error" : sprintf("%O", res)));
    say("closed " + db_close(db));
    shutdown(0);
  });
}

void start() {
  // With `this_player in call_out` on, callbacks keep this_player().
  enable_commands();
  db = db_connect("", "/async_test.sqlite");
  say("connected " + (db > 0));
  async_db_exec(db, "CREATE TABLE pets (name TEXT, age INTEGER)", function(mixed res) {
    say("create " + res);
    say("player kept " + (this_player() == this_object()));
    async_db_exec(db, "INSERT INTO pets VALUES ('rex', 4), ('tib', 7)", function(mixed res) {
      say("insert " + res);
      async_db_exec(db, "SELECT name, age FROM pets WHERE age > 5", function(mixed res, string tag) {
        say("select " + res + " " + tag);
        finish();
      }, "tagged");
    });
  });
  say("queued");
}
