// Master of the web test mudlib. Each flag is NAME=ARGUMENT and runs
// NAME(ARGUMENT) in /web; valid_http refuses the port given by "refuse".
int refused;

mixed *epilog(int load_empty) { return ({ }); }

void log_error(string file, string message) {
  debug_message("COMPILE-ERROR " + message);
}

object connect(int port) {
  return clone_object("/user");
}

int valid_http(int port, object caller) {
  return port != refused;
}

void flag(string arg) {
  int at = strsrch(arg, "=");
  string name = arg[0..at - 1];
  string value = arg[at + 1..];
  if (name == "refuse") {
    refused = to_int(value);
  }
  call_other(load_object("/web"), name, value);
}
