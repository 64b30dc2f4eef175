#include "check.h"
string failures = "";

string run() {
  buffer b = allocate_buffer(3);
  CHECK(bufferp(b) && sizeof(b) == 3 && b[0] == 0 && b[2] == 0);
  b[1] = 200;
  CHECK(b[1] == 200);
  CHECK(sizeof(allocate_buffer(0)) == 0);
  CHECK(catch(allocate_buffer(-1)));
  CHECK(catch(b[0] = 256) && catch(b[0] = -1) && b[0] == 0);
  buffer c = allocate_buffer(2);
  c[0] = 7;
  buffer d = b + c;
  CHECK(sizeof(d) == 5 && d[1] == 200 && d[3] == 7 && sizeof(b) == 3);
  mixed bad = 5;
  CHECK(catch(b + bad));
  buffer e = "AB";
  CHECK(bufferp(e) && sizeof(e) == 2 && e[1] == 'B');
  e += ({ 9 });
  CHECK(sizeof(e) == 3 && e[2] == 9);
  e[0..0] = "xy";
  CHECK(sizeof(e) == 4 && e[1] == 'y');
  // The value of a range store into a buffer is the bytes stored.
  mixed stored = (e[0..1] = "pq");
  CHECK(bufferp(stored) && sizeof(stored) == 2 && stored[0] == 'p' && e[0] == 'p');
  CHECK(sizeof(e + "z") == 5);
  CHECK(catch(e = ({ 300 })) ==
        "*Illegal array item in buffer conversion: must be ints 0..255.\n");
  CHECK(bufferp(to_buffer("hi")) && to_buffer(({ 200 }))[0] == 200);
  return failures;
}
