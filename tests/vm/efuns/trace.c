// trace_start() and trace_end(): LPC calls recorded as Chrome trace events.
#include "/check.h"

int helper(int n) { return n + 1; }

void failing() { error("stop"); }

int count(string text, string what) {
  return sizeof(explode("x" + text + "x", what)) - 1;
}

string run() {
  string failures = "";
  string text;

  CHECK(catch(trace_start("/trace_out.json", -1)));
  CHECK(catch(trace_start("/trace_out.json", 301)));
  CHECK(catch(trace_start("/../outside.json", 5)));

  trace_start("/trace_out.json", 5);
  helper(1);
  helper(2);
  catch(failing());
  this_object()->helper(3);
  trace_end();
  text = read_file("/trace_out.json");
  CHECK(text && text[0] == '[' && text[<1] == ']');
  CHECK(count(text, "\"name\":\"helper at /efuns/trace.c:4\"") == 6);
  CHECK(count(text, "\"name\":\"failing at /efuns/trace.c:6\"") == 2);
  CHECK(count(text, "\"ph\":\"B\"") == count(text, "\"ph\":\"E\""));
  CHECK(count(text, "\"ph\":\"B\"") == 4);
  CHECK(count(text, "\"cat\":\"LPC Function\"") == 8);

  // Nothing is recorded once it ended; ending twice is harmless.
  rm("/trace_out.json");
  helper(4);
  trace_end();
  CHECK(file_size("/trace_out.json") == -1);

  // A trace of no seconds stops at the first call after it started.
  trace_start("/trace_out.json", 0);
  helper(5);
  CHECK(file_size("/trace_out.json") > 0);
  rm("/trace_out.json");
  return failures;
}
