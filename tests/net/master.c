// Master of the network test mudlib: each connection gets a clone of
// /user; flag("timers") starts the timer test, which ends the driver.
object connect(int port) {
  object user = clone_object("/user");
  user->set_port(port);
  return user;
}

mixed *epilog(int load_empty) { return ({ }); }

void log_error(string file, string message) {
  debug_message("COMPILE-ERROR " + message);
}

mapping get_mud_stats() {
  return ([ "NAME": "NetTests", "PLAYERS": sizeof(users()), "CODEBASE": ({ "one", "two" }) ]);
}

void flag(string name) {
  if (name == "timers" || name == "sockets") {
    load_object("/" + name)->start();
  }
}
