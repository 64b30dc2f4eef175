// Master of the benchmark mudlib: flag("json:PATH") runs /json_bench.c
// against the LPC JSON library at mudlib path PATH, prints its report and
// stops the driver.
mixed *epilog(int load_empty) { return ({ }); }

void log_error(string file, string message) {
  debug_message("COMPILE-ERROR " + message);
}

void flag(string arg) {
  string err;

  if (arg[0..4] != "json:") {
    debug_message("usage: -fjson:/path/of/the/lpc/json/library");
    shutdown(2);
    return;
  }
  err = catch(load_object("/json_bench")->run(arg[5..]));
  if (err) {
    debug_message("benchmark failed: " + err);
    shutdown(1);
    return;
  }
  shutdown(0);
}
