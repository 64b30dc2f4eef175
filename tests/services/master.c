// Master of the services test mudlib: flag("NAME") loads /NAME.c and calls
// its start(). The test prints its results with debug_message and shuts
// the driver down after its last callback.
void log_error(string file, string message) {
  debug_message("COMPILE-ERROR " + message);
}

mixed *epilog(int load_empty) { return ({ }); }

// Any start whose arguments mention "refused" is turned down.
int valid_external(int index, string *args) {
  return member_array("refused", args) < 0;
}

void flag(string name) {
  object ob;
  string err = catch(ob = load_object("/" + name));
  if (err || !ob) {
    debug_message("FAIL load " + name + ": " + err);
    shutdown(1);
    return;
  }
  err = catch(ob->start());
  if (err) {
    debug_message("FAIL start " + name + ": " + err);
    shutdown(1);
  }
}
