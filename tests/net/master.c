// Master of the network test mudlib: each connection gets a clone of
// /user (of /mud_user on the MUD port); flag("timers") starts the timer
// test, which ends the driver.
object connect(int port) {
  object user;
  foreach (mixed *p in sys_network_ports()) {
    if (p[2] == port && p[1] == "mud") {
      return clone_object("/mud_user");
    }
  }
  user = clone_object("/user");
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
  if (member_array(name, ({ "timers", "sockets", "tls_sockets", "mud_sockets" })) >= 0) {
    load_object("/" + name)->start();
  }
}
