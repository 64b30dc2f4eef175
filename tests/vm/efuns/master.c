// master(): the master object.
#include "/check.h"

string run() {
  string failures = "";
  CHECK(objectp(master()));
  CHECK(file_name(master()) == "/master");
  CHECK(master() == find_object("/master"));
  return failures;
}
