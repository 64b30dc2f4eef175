// Default arguments are computed where the call is made: this_object()
// in one is the calling object, while the body runs in the called one.
#include "/check.h"

string run() {
  string failures = "";
  object helper = load_object("/default_helper");

  CHECK(helper->who() == this_object());
  CHECK(helper->who(helper) == helper);
  CHECK(helper->me() == helper);
  // Called from inside the helper, the caller is the helper itself.
  CHECK(helper->local() == helper);
  CHECK(call_other(helper, "who") == this_object());
  // After the defaults, the body sees its own object again.
  CHECK(helper->me() == helper);
  return failures;
}
