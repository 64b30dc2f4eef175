// member_array(): arrays and strings, start index, prefix, reverse and predicate flags.
#include "/check.h"

string run() {
  string failures = "";
  mixed *a = ({ 1, "foo", 2.0, 1, "food" });
  int *list = ({ 1 });
  function f = (: 1 :);

  CHECK(member_array(1, a) == 0);
  CHECK(member_array(1, a, 1) == 3);
  CHECK(member_array("foo", a) == 1);
  CHECK(member_array(2.0, a) == 2);
  // Numbers match only their own type.
  CHECK(member_array(2, a) == -1);
  CHECK(member_array(7, a) == -1);
  // Flag 1: a string matches as a prefix.
  CHECK(member_array("fo", a, 0, 1) == 1);
  CHECK(member_array("fo", a) == -1);
  // Flag 2: from the end.
  CHECK(member_array(1, a, 0, 2) == 3);
  CHECK(member_array(1, a, 2, 2) == 0);
  CHECK(member_array(99, a, 0, 2) == -1);
  // Flag 4: a function is a test.
  CHECK(member_array((: stringp($1) :), a, 0, 4) == 1);
  CHECK(member_array((: stringp($1) :), a, 0, 6) == 4);
  CHECK(member_array(f, ({ 0, f })) == 1);
  // Other values match by identity.
  CHECK(member_array(list, ({ ({ 1 }), list })) == 1);
  // Strings: characters, from a start index.
  CHECK(member_array('y', "xyzzy") == 1);
  CHECK(member_array('y', "xyzzy", 2) == 4);
  CHECK(member_array('q', "xyzzy") == -1);
  CHECK(catch(member_array('y', "xy", 5)));
  CHECK(catch(member_array('y', "xy", 0, 2)));
  CHECK(catch(member_array(1, a, -1)));
  return failures;
}
