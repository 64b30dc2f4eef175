// The db efuns on a PostgreSQL server; the checks are in /db/server.h.
#define BACKEND __USE_POSTGRES__
#define STATUS_NAME "Postgres"

mapping dialect = ([
  "wrong password": "password authentication failed",
  "create": "CREATE TABLE players (id serial PRIMARY KEY, name varchar(20) UNIQUE, "
            "level int, gold bigint, born timestamp, portrait bytea)",
  "portrait": "'\\x00ff41'",
  "syntax error": "syntax error",
  "no table": "does not exist",
  "duplicate": "duplicate key",
]);

int socket_connect();
void check_types(int db);

#include "/db/server.h"

// Through the unix socket directory; the port names the socket file.
int socket_connect() {
  return db_connect(DB_SOCKET + ":" + DB_PORT, DB_NAME, DB_USER, BACKEND);
}

void check_types(int db) {
  mixed res;

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
}
