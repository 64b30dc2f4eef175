#include "check.h"
string failures = "";

int depth(int n) { return depth(n + 1); }
void fail() { error("inner failure\n"); }

string run() {
  string err;
  mixed v;
  err = catch(fail());
  CHECK(err == "*inner failure\n");
  err = catch(depth(0));
  CHECK(err == "*Too deep recursion.\n");
  v = ({ 1 });
  err = catch(v = v[5]);
  CHECK(stringp(err));
  v = catch(throw(({ 1, 2 })));
  CHECK(sizeof(v) == 2);
  v = 0;
  err = catch(v = 1 / v);
  CHECK(err == "*Division by zero\n");
  CHECK(catch(v = 1) == 0 && v == 1);
  return failures;
}
