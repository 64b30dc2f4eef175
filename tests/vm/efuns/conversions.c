// to_int() and to_float(): the C library's reading of leading numbers.
#include "/check.h"

string run() {
  string failures = "";
  buffer b = allocate_buffer(4);

  CHECK(to_int(6.7) == 6 && to_int(-6.7) == -6);
  CHECK(to_int("7") == 7 && to_int("  -42") == -42 && to_int("+3") == 3);
  CHECK(to_int("10x") == 10);
  CHECK(undefinedp(to_int("ajdfj")) && undefinedp(to_int("  ")) && undefinedp(to_int("-")));
  CHECK(to_int("") == 0 && !undefinedp(to_int("")));
  CHECK(to_int("99999999999999999999") == 9223372036854775807);
  CHECK(to_int("-99999999999999999999") == -9223372036854775807 - 1);
  b[0] = 0; b[1] = 0; b[2] = 1; b[3] = 2;
  CHECK(to_int(b) == 258);
  b[0] = 255; b[1] = 255; b[2] = 255; b[3] = 254;
  CHECK(to_int(b) == -2);
  CHECK(to_int(allocate_buffer(3)) == 0);

  CHECK(to_float(5) == 5.0 && to_float("1.23") == 1.23);
  CHECK(to_float("3.5abc") == 3.5 && to_float("  -2") == -2.0);
  CHECK(to_float("1e3") == 1000.0 && to_float("2.5E-1x") == 0.25 && to_float("7e") == 7.0);
  CHECK(to_float(".5") == 0.5 && to_float("5.") == 5.0 && to_float(".") == 0.0);
  CHECK(to_float("0x1p4") == 16.0 && to_float("0x.8") == 0.5 && to_float("0xff") == 255.0);
  CHECK(to_float("ajdfj") == 0.0);
  CHECK(to_float("inf") > 1e308 && to_float("-Infinity") < -1e308);
  return failures;
}
