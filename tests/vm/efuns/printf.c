// printf(): formats as sprintf does and returns nothing.
#include "/check.h"

string run() {
  string failures = "";
  CHECK(undefinedp(printf("")) || printf("") == 0);
  CHECK(catch(printf("%d")) != 0);
  return failures;
}
