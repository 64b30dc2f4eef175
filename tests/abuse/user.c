// A user of the abuse mudlib: `echo` answers at once, `abuse NAME` runs
// one of the abusive functions of /abuse, `serve PORT [LIMIT]` starts an
// HTTP server on the port whose handler answers "pong" at once (LIMIT:
// connections per address, or `default` for the config's), `flood tcp
// PORT`, `flood udp PORT` and `flood count` drive the sockets of /flood;
// `graphql PORT LIMIT` starts the GraphQL endpoint of /gql; `stall start
// KIND PORT`, `stall state`, `stall stop` and `stall close` drive the
// sender of /stall.
void logon() {
  write("Welcome.\n");
  add_action("do_echo", "echo");
  add_action("do_abuse", "abuse");
  add_action("do_serve", "serve");
  add_action("do_flood", "flood");
  add_action("do_graphql", "graphql");
  add_action("do_stall", "stall");
}

// A user that leaves takes its object along, as a real mudlib's would.
void net_dead() {
  destruct(this_object());
}

int do_flood(string arg) {
  string what;
  int port;
  if (sscanf(arg, "%s %d", what, port) != 2) {
    what = arg;
  }
  write(call_other("/flood", what, port) + "\n");
  return 1;
}

// "pong", or for /big 150,000 bytes: a client that asks for it many times
// and reads nothing leaves the server more to write than sockets hold.
mapping answer(mapping request) {
  if (request["path"] == "/big") {
    return ([ "status": 200, "body": repeat_string("x", 150000) ]);
  }
  return ([ "status": 200, "body": "pong" ]);
}

int do_serve(string arg) {
  mapping options = ([ "host": "127.0.0.1", "header_timeout": 2 ]);
  int port, server;
  string limit;
  if (sscanf(arg, "%d %s", port, limit) == 2) {
    // A server for the per-address tests: idle connections stay open,
    // and the limit is the config's or the one given.
    options["header_timeout"] = 60;
    if (limit != "default") {
      options["connections_per_address"] = to_int(limit);
    }
  } else {
    port = to_int(arg);
  }
  server = http_serve(port, (: answer :), options);
  write(server ? "SERVING\n" : "NOT SERVING\n");
  return 1;
}

int do_stall(string arg) {
  string kind;
  int port;
  if (sscanf(arg, "start %s %d", kind, port) == 2) {
    write(call_other("/stall", "start", kind, port) + "\n");
  } else {
    write(call_other("/stall", arg) + "\n");
  }
  return 1;
}

int do_graphql(string arg) {
  int port, limit;
  sscanf(arg, "%d %d", port, limit);
  write(load_object("/gql")->serve(port, limit) ? "SERVING\n" : "NOT SERVING\n");
  return 1;
}

int do_echo(string arg) {
  write("ECHO: " + arg + "\n");
  return 1;
}

int do_abuse(string arg) {
  write("ABUSING " + arg + "\n");
  call_other("/abuse", arg);
  write("SURVIVED " + arg + "\n");
  return 1;
}
