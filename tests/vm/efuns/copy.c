// copy(): deep and independent, loops copied as loops.
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

  // A reference loop: the copy loops back to itself, not to the original.
  loop[1] = loop;
  loop_copy = copy(loop);
  CHECK(loop_copy != loop);
  CHECK(loop_copy[1] == loop_copy);
  return failures;
}
