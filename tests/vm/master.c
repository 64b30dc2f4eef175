// Master of the VM test mudlib: flag("NAME") loads /NAME.c, runs its
// run(), and prints PASS or FAIL with the failing checks.
void log_error(string file, string message) {
  debug_message("COMPILE-ERROR " + message);
}

mixed *epilog(int load_empty) { return ({ }); }

void flag(string name) {
  object ob;
  string err;
  mixed result;

  err = catch(ob = load_object("/" + name));
  if (err || !ob) {
    debug_message("FAIL " + name + ": load: " + err);
    shutdown(1);
    return;
  }
  if (name == "uncaught") {
    // Errors here reach the driver, which prints them with a trace.
    result = ob->run();
  }
  err = catch(result = ob->run());
  if (err) {
    debug_message("FAIL " + name + ": " + err);
    shutdown(1);
    return;
  }
  if (result != "") {
    debug_message("FAIL " + name + ": " + result);
    shutdown(1);
    return;
  }
  debug_message("PASS " + name);
  shutdown(0);
}
