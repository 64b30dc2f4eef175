#include "check.h"
string failures = "";

string run() {
  buffer b = allocate_buffer(3);
  CHECK(bufferp(b) && sizeof(b) == 3 && b[0] == 0 && b[2] == 0);
  b[1] = 200;
  CHECK(b[1] == 200);
  CHECK(sizeof(allocate_buffer(0)) == 0);
  CHECK(catch(allocate_buffer(-1)));
  return failures;
}
