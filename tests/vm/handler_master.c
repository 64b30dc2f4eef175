// Master for the error_handler test: the usual test master (copied to
// /test_master.c by the test) plus an error_handler that records what it
// is given and announces errors no catch took.
inherit "/test_master";

mixed *errors = ({ });

void error_handler(mapping info, int caught) {
  errors += ({ ({ info, caught }) });
  if (!caught) {
    debug_message("HANDLED " + info["error"]);
  }
}

mixed *query_errors() { return errors; }
void clear_errors() { errors = ({ }); }
