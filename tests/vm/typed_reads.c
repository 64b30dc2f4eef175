// Reads whose declared type is float (an element of a float array, a
// class member declared float) are truncated on their way into an int.
#include "check.h"
string failures = "";

class point {
  float x;
  int n;
}

class holder {
  float weight;
  float *samples;
}

float *shared = ({ 3.75, -1.5 });

// No declared return type: elements are not typed here, so the float
// arrives unchanged; class members are typed everywhere.
untyped_element() {
  float *fs = ({ 2.5 });
  int i = fs[0];
  return i;
}

untyped_member() {
  class point p = new(class point, x: 6.5);
  int i = p->x;
  return i;
}

string run() {
  float *floats = ({ 1.5, 2.9, -3.7 });
  float **grid = ({ ({ 0.5, 7.25 }) });
  class point p = new(class point, x: 4.8, n: 3);
  class holder h = new(class holder, weight: 9.99, samples: ({ 5.5 }));
  mixed any = p;
  mixed *loose = ({ 1.5 });
  int i;

  i = floats[1];
  CHECK(intp(i) && i == 2);
  int j = floats[2];
  CHECK(intp(j) && j == -3);
  i = floats[<3];
  CHECK(intp(i) && i == 1);
  i = shared[0];
  CHECK(intp(i) && i == 3);
  i = grid[0][1];
  CHECK(intp(i) && i == 7);
  i = 10;
  i += floats[0];
  CHECK(intp(i) && i == 11);

  i = p->x;
  CHECK(intp(i) && i == 4);
  i = p.x;
  CHECK(intp(i) && i == 4);
  i = h->weight;
  CHECK(intp(i) && i == 9);
  i = h->samples[0];
  CHECK(intp(i) && i == 5);
  // A value of no declared class takes the type of the class in scope
  // with a member of that name.
  i = any->x;
  CHECK(intp(i) && i == 4);

  // A mixed array's elements and an int member are not converted.
  i = loose[0];
  CHECK(floatp(i) && i == 1.5);
  p->n = 2;
  i = p->n;
  CHECK(intp(i) && i == 2);

  i = untyped_element();
  CHECK(floatp(i) && i == 2.5);
  CHECK(intp(untyped_member()) && untyped_member() == 6);

  // A loop variable declared float is one too.
  foreach (float f in floats) {
    i = f;
    CHECK(intp(i));
  }
  // So are the parameters of a function literal.
  function trunc = function(float f) { int k = f; return k; };
  CHECK(evaluate(trunc, 8.6) == 8 && intp(evaluate(trunc, 8.6)));
  return failures;
}
