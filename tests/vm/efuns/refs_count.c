// refs(): references to a value, not counting the argument.
#include "/check.h"

mixed *kept;

string run() {
  string failures = "";
  mixed *a = ({ 1 });
  mixed *b;
  mapping m = ([]);

  CHECK(refs(a) == 1);
  b = a;
  CHECK(refs(a) == 2);
  kept = a;
  CHECK(refs(b) == 3);
  kept = 0;
  b = 0;
  CHECK(refs(a) == 1);
  // A structure holding itself keeps one reference more.
  a[0] = a;
  CHECK(refs(a) == 2);
  a[0] = 0;
  CHECK(refs(m) == 1);
  CHECK(refs(5) == -1);
  CHECK(catch(refs(this_object())));
  return failures;
}
