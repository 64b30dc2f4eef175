#include "check.h"
string failures = "";

int pairs(mixed c) {
  int n;
  foreach (mixed x, mixed y in c) n++;
  return n;
}

int *wide_seen;

void wide_by_ref(string s) {
  wide_seen = ({});
  foreach (int ref c in s) {
    wide_seen += ({ c });
  }
}

string run() {
  int *a = ({ 1, 2, 3, 4 });
  mapping m = ([ "x": 1, "y": 2 ]);
  foreach (int ref x in a) x *= 10;
  CHECK(a[0] == 10 && a[3] == 40);
  foreach (int ref x in a) {
    if (x == 20) continue;
    if (x == 30) { x = 0; break; }
    x++;
  }
  CHECK(a[0] == 11 && a[1] == 20 && a[2] == 0 && a[3] == 40);
  foreach (string k, int ref v in m) v += 100;
  CHECK(m["x"] == 101 && m["y"] == 102);
  // A key deleted in the body is not brought back by the store.
  foreach (string k, int ref v in m) {
    map_delete(m, k);
    v = 7;
  }
  CHECK(sizeof(m) == 0);
  // Over a string the loop reads each character; writes change nothing.
  string s = "abc";
  int sum = 0;
  foreach (int ref c in s) {
    sum = sum * 1000 + c;
    c++;
  }
  CHECK(sum == 97098099 && s == "abc");
  // Two variables need a mapping.
  CHECK(catch(pairs(a)) && catch(pairs(s)) && !catch(pairs(([ 1: 2 ]))));
  // Over a buffer the bytes change in place; a value that is no byte is
  // refused where it is stored, and the byte stays.
  buffer b = allocate_buffer(2);
  b[0] = 1;
  b[1] = 2;
  foreach (int ref x in b) {
    x *= 10;
  }
  CHECK(b[0] == 10 && b[1] == 20);
  foreach (int ref x in b) {
    CHECK(catch(x = 256) == "*Buffer byte value out of range: must be 0..255.\n");
    CHECK(catch(x--) == 0 && x == 9);
    break;
  }
  CHECK(b[0] == 9);
  // Characters written through a string loop must be characters.
  foreach (int ref c in "ab") {
    CHECK(catch(c = 0) == "*Strings cannot contain 0 byte.\n");
    break;
  }
  foreach (int ref c in "ab") {
    CHECK(catch(c = 0x110000) == "*Strings cannot contain invalid utf8 codepoint.\n");
    break;
  }
  // A cluster wider than a character reads as -1, and cannot be a
  // character by reference.
  int *seen = ({});
  foreach (int c in "a👍🏽b") {
    seen += ({ c });
  }
  CHECK(sizeof(seen) == 3 && seen[0] == 'a' && seen[1] == -1 && seen[2] == 'b');
  CHECK(catch(wide_by_ref("a👍🏽b")) == "*Indexed character is multi-codepoint.\n");
  CHECK(sizeof(wide_seen) == 1 && wide_seen[0] == 'a');
  // `ref` marks call arguments only.
  write_file("/gen_ref.c", "void f() { int x = 1; int y = ref x; }\n", 1);
  CHECK(catch(load_object("/gen_ref")));
  write_file("/gen_ref.c", "void f() { int x = 1; int y = & x; }\n", 1);
  CHECK(catch(load_object("/gen_ref")));
  rm("/gen_ref.c");
  return failures;
}

