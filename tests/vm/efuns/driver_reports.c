// malloc_status(), mud_status(), cache_stats(), dumpallobj(),
// dump_file_descriptors(), dump_stralloc(), dump_jemalloc() and
// query_load_average().
#include "/check.h"

string marker = "a-very-distinctive-string-" + "for-dump-stralloc";

int answer() { return 1; }

string run() {
  string failures = "";
  string text;
  int n, sites;

  CHECK(strsrch(malloc_status(), "malloc") >= 0);
  CHECK(strsrch(mud_status(), "Total accounted:") == 0);
  text = mud_status(1);
  CHECK(strsrch(text, "current working directory:") == 0);
  foreach (string line in explode(text, "\n")) {
    string *words = explode(line, " ") - ({ "" });
    if (sizeof(words) == 3 && words[0] == "Objects") n = to_int(words[1]);
  }
  CHECK(n > 1);

  this_object()->answer();
  CHECK(sscanf(cache_stats(), "Call-other cache: %d call sites", sites) == 1 && sites > 0);

  dumpallobj("/dump_test.out");
  text = read_file("/dump_test.out");
  CHECK(text && strsrch(text, file_name(this_object()) + " ") >= 0);
  CHECK(text && strsrch(text, "/master ") >= 0);
  rm("/dump_test.out");
  CHECK(catch(dumpallobj("/no/such/dir/out")));

  CHECK(strsrch(dump_file_descriptors(), "Fd  Target") == 0);

  text = dump_stralloc("/strings_test.out");
  CHECK(strsrch(text, "distinct strings") >= 0);
  CHECK(strsrch(text, "\"" + marker + "\"") >= 0);
  CHECK(read_file("/strings_test.out") == text);
  rm("/strings_test.out");

  // Without jemalloc, dump_jemalloc() says so in the debug log.
  dump_jemalloc();
  text = read_file("/debug.log");
  CHECK(text && strsrch(text, "dump_jemalloc(): this driver does not use jemalloc") >= 0);

  // Compiling this file counted its lines.
  float cmds, lines;
  CHECK(sscanf(query_load_average(), "%f cmds/s, %f comp lines/s", cmds, lines) == 2);
  CHECK(cmds == 0.0 && lines > 0.0);
  return failures;
}
