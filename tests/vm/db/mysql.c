// The db efuns on a MySQL or MariaDB server; the checks are in /db/server.h.
#define BACKEND __USE_MYSQL__
#define STATUS_NAME "MySQL"

mapping dialect = ([
  "wrong password": "Access denied",
  "create": "CREATE TABLE players (id int AUTO_INCREMENT PRIMARY KEY, "
            "name varchar(20) UNIQUE, level int, gold bigint, born datetime, "
            "portrait blob) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
  "portrait": "x'00ff41'",
  "syntax error": "You have an error in your SQL syntax",
  "no table": "doesn't exist",
  "duplicate": "Duplicate entry",
]);

int socket_connect();
void check_types(int db);

#include "/db/server.h"

// Through the unix socket file.
int socket_connect() {
  return db_connect(DB_SOCKET, DB_NAME, DB_USER, BACKEND);
}

void check_types(int db) {
  mixed res;

  CHECK(db_exec(db, "SELECT CAST(1 AS SIGNED), 1.5e0, CAST(10.00 AS DECIMAL(6,2)), "
                    "CAST(2.5 AS DECIMAL(6,2)), 'text', NULL, SUM(level) FROM players") == 1);
  res = db_fetch(db, 1);
  CHECK(sizeof(res) == 7);
  CHECK(intp(res[0]) && res[0] == 1);
  CHECK(floatp(res[1]) && res[1] == 1.5);
  CHECK(intp(res[2]) && res[2] == 10 && floatp(res[3]) && res[3] == 2.5);
  CHECK(res[4] == "text" && undefinedp(res[5]));
  // SUM of ints is a DECIMAL: a whole one comes back as an int.
  CHECK(intp(res[6]) && res[6] == 11);
}
