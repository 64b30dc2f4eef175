// The math efuns: trigonometry, roots, logarithms, rounding, vectors, abs, random.
#include "/check.h"

int near(float a, float b) { return a - b < 0.000001 && b - a < 0.000001; }

string run() {
  string failures = "";
  int i, r, seen_low, seen_high;

  CHECK(near(cos(0.0), 1.0) && near(sin(0.0), 0.0));
  CHECK(near(tan(0.7853981633974483), 1.0));
  CHECK(near(asin(1.0), 1.5707963267948966) && near(acos(1.0), 0.0));
  CHECK(near(atan(1.0), 0.7853981633974483));
  CHECK(catch(asin(1.5)) && catch(acos(-1.5)));
  CHECK(sqrt(16) == 4.0 && sqrt(2.25) == 1.5);
  CHECK(catch(sqrt(-1.0)));
  CHECK(near(log(2.718281828459045), 1.0) && log10(1000) == 3.0 && log2(1024) == 10.0);
  CHECK(catch(log(0.0)) && catch(log10(-2)) && catch(log2(0)));
  CHECK(pow(2, 10) == 1024.0 && pow(4.0, 0.5) == 2.0);
  CHECK(near(exp(1.0), 2.718281828459045));
  CHECK(floor(2.7) == 2.0 && floor(-2.1) == -3.0);
  CHECK(ceil(2.1) == 3.0 && ceil(-2.7) == -2.0);
  // Halves round away from zero.
  CHECK(round(2.5) == 3.0 && round(-2.5) == -3.0 && round(2.4) == 2.0);

  CHECK(abs(-5) == 5 && abs(5) == 5 && intp(abs(-5)));
  CHECK(abs(-2.5) == 2.5 && floatp(abs(-2.5)));

  CHECK(norm(({ 3, 4 })) == 5.0);
  CHECK(dotprod(({ 1, 2, 3 }), ({ 4, 5, 6.0 })) == 32.0);
  CHECK(distance(({ 0, 0 }), ({ 3.0, 4 })) == 5.0);
  CHECK(near(angle(({ 1, 0 }), ({ 0, 1 })), 1.5707963267948966));
  CHECK(catch(dotprod(({ 1 }), ({ 1, 2 }))));
  CHECK(catch(norm(({ "x" }))));
  CHECK(catch(distance(({ 1 }), ({ "y" }))));

  // random(n) stays in 0..n-1 and reaches both ends.
  for (i = 0; i < 200; i++) {
    r = random(4);
    if (r < 0 || r > 3) failures += "random out of range; ";
    if (r == 0) seen_low = 1;
    if (r == 3) seen_high = 1;
  }
  CHECK(seen_low && seen_high);
  CHECK(random(0) == 0 && random(-3) == 0 && random(1) == 0);
  for (i = 0; i < 50; i++) {
    r = secure_random(10);
    if (r < 0 || r > 9) failures += "secure_random out of range; ";
  }
  CHECK(secure_random(0) == 0);
  for (i = 0; i < 50; i++) {
    r = roll_MdN(3, 6, 2);
    if (r < 5 || r > 20) failures += "roll_MdN out of range; ";
  }
  CHECK(roll_MdN(0, 6, 2) == 0);
  return failures;
}
