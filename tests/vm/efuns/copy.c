// copy(): deep and independent; a reference loop is an error.
#include "/check.h"

class point { int x; int *tags; }

string run() {
  string failures = "";
  mixed *orig = ({ 1, ({ 2, 3 }), ([ "k": ({ 4 }) ]) });
  mixed *dup = copy(orig);
  mixed *loop = ({ 1, 0 });
  mixed *loop_copy;
  class point p = new(class point, x: 1, tags: ({ 5 }));
  class point q;
  buffer b = allocate_buffer(2);
  buffer bc;
  string err;

  CHECK(sprintf("%O", orig) == sprintf("%O", dup));
  dup[1][0] = 99;
  dup[2]["k"][0] = 98;
  CHECK(orig[1][0] == 2 && orig[2]["k"][0] == 4);
  CHECK(copy(7) == 7 && copy("s") == "s");

  q = copy(p);
  q->tags[0] = 6;
  CHECK(p->tags[0] == 5 && q->x == 1);
  bc = copy(b);
  bc[0] = 9;
  CHECK(b[0] == 0 && bc[0] == 9);

  // Shared parts are copied apart.
  loop_copy = copy(({ orig[1], orig[1] }));
  CHECK(loop_copy[0] != loop_copy[1] && loop_copy[0] != orig[1]);
  // A reference loop nests without end: copying it stops with an error.
  loop[1] = loop;
  err = catch(copy(loop));
  CHECK(err && strsrch(err, "too deep") != -1);
  loop[1] = 0;
  return failures;
}
