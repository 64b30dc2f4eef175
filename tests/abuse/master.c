// Master of the abuse test mudlib: every connection gets a clone of
// /user, and every uncaught error is written to the debug log, where the
// tests look for it.
object connect(int port) {
  return clone_object("/user");
}

mixed *epilog(int load_empty) { return ({ }); }

void log_error(string file, string message) {
  debug_message("COMPILE-ERROR " + message);
}

void error_handler(mapping info, int caught) {
  debug_message("ERROR " + info["error"]);
}
