#include "check.h"
string failures = "";
float total;
float seeded = 2;
int counter;

int truncated() { return 2.5 * 3; }
int from_float(float x) { return x; }
int from_seeded = seeded;
float promoted() { return 4; }
float zero() { return 0; }
mixed untouched() { return 1.5; }
float half(int n) { return n / 2.0; }
int from_call = half(7);
int from_efun_call() { return sqrt(10); }

string run() {
  float f;
  int i;
  int *ints = ({ 5 });
  mixed *any = ({ 5 });
  mixed m = 1;
  CHECK(undefinedp(f) && undefinedp(total));
  f += 1;
  CHECK(floatp(f) && f == 1.0);
  total += 2;
  CHECK(floatp(total) && total == 2.0);
  CHECK(floatp(seeded));
  f = 3;
  CHECK(floatp(f));
  f *= 2;
  CHECK(floatp(f) && f == 6.0);
  float g = 7;
  CHECK(floatp(g));
  i = 10;
  i += 1.5;
  CHECK(intp(i) && i == 11);
  i = 3;
  i *= 1.5;
  CHECK(intp(i) && i == 3);
  int j = 2.75;
  CHECK(intp(j) && j == 2);
  counter = 1;
  counter -= 0.5;
  CHECK(intp(counter) && counter == 1);
  ints[0] += 1.5;
  CHECK(intp(ints[0]) && ints[0] == 6);
  any[0] += 1.5;
  CHECK(floatp(any[0]) && any[0] == 6.5);
  m += 0.5;
  CHECK(floatp(m) && m == 1.5);
  CHECK(intp(truncated()) && truncated() == 7);
  CHECK(floatp(promoted()) && promoted() == 4.0);
  CHECK(floatp(zero()));
  CHECK(floatp(untouched()));
  CHECK(sqrt(16) == 4.0 && sqrt(2.25) == 1.5);
  // A float held in a float variable is truncated too, as a literal is.
  f = 6.7;
  i = f;
  CHECK(intp(i) && i == 6);
  i = -f;
  CHECK(intp(i) && i == -6);
  int k = f;
  CHECK(intp(k) && k == 6);
  i = 1;
  i += f;
  CHECK(intp(i) && i == 7);
  total = 9.9;
  counter = total;
  CHECK(intp(counter) && counter == 9);
  CHECK(intp(from_float(3.9)) && from_float(3.9) == 3);
  CHECK(intp(from_seeded) && from_seeded == 2);
  // A call of a function or efun declared to return float is truncated
  // on its way into an int, wherever the int is stored.
  i = half(5);
  CHECK(intp(i) && i == 2);
  int l = half(-5);
  CHECK(intp(l) && l == -2);
  counter = half(9);
  CHECK(intp(counter) && counter == 4);
  CHECK(intp(from_call) && from_call == 3);
  i = 1;
  i += half(3);
  CHECK(intp(i) && i == 2);
  ints[0] = half(11);
  CHECK(intp(ints[0]) && ints[0] == 5);
  i = sqrt(17);
  CHECK(intp(i) && i == 4);
  i = efun::sqrt(26);
  CHECK(intp(i) && i == 5);
  CHECK(intp(from_efun_call()) && from_efun_call() == 3);
  i = half(3) + 1;
  CHECK(intp(i) && i == 2);
  // A float argument to an efun parameter that takes an int but no float
  // is truncated too.
  CHECK(sizeof(allocate(f)) == 6);
  CHECK(sizeof(allocate(half(5))) == 2);
  CHECK(repeat_string("ab", 2.9) == "abab");
  CHECK(to_int(2.9) == 2 && to_float(3) == 3.0);
  // Parameters that take floats or anything keep it.
  CHECK(floatp(abs(-2.5)) && abs(-2.5) == 2.5);
  CHECK(sizeof(({ 1.5 })) == 1 && floatp(({ half(3) })[0]));
  // Stores that are not declared int keep the float.
  m = half(3);
  CHECK(floatp(m) && m == 1.5);
  // A mixed variable holding a float keeps it: only declared floats are known.
  m = 2.5;
  i = m;
  CHECK(floatp(i));
  return failures;
}
