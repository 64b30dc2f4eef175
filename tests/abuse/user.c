// A user of the abuse mudlib: `echo` answers at once, `abuse NAME` runs
// one of the abusive functions of /abuse, `serve PORT` starts an HTTP
// server on the port whose handler answers "pong" at once, `flood tcp
// PORT`, `flood udp PORT` and `flood count` drive the sockets of /flood.
void logon() {
  write("Welcome.\n");
  add_action("do_echo", "echo");
  add_action("do_abuse", "abuse");
  add_action("do_serve", "serve");
  add_action("do_flood", "flood");
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

int do_serve(string arg) {
  mapping options = ([ "host": "127.0.0.1", "header_timeout": 2 ]);
  int server = http_serve(to_int(arg), (: ([ "status": 200, "body": "pong" ]) :), options);
  write(server ? "SERVING\n" : "NOT SERVING\n");
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
