#include "check.h"
string failures = "";

class Point { int x; int y; }

void bump(int ref n) { n++; }

string run() {
  mapping m = ([ "key": "value", "inner": ([ "deep": 3 ]) ]);
  mapping none;
  class Point p = new(class Point, x: 1, y: 2);
  CHECK(m.key == "value" && m.inner.deep == 3);
  CHECK(undefinedp(m.missing));
  m.count = 4;
  m.count += 1;
  CHECK(m["count"] == 5);
  CHECK(catch(m.missing.deep) ==
        "*Tried to take a member of something that isn't a mapping.\n");
  CHECK(none?.key == 0 && m?.missing?.deep == 0 && m?.inner?.deep == 3);
  CHECK(p?.x == 1);
  bump(ref m.count);
  CHECK(m.count == 6);
  bump(ref p.y);
  CHECK(p.y == 3);
  return failures;
}
