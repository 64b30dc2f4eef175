// get_os_env() and set_os_env(): only names the config file allows.
#include "/check.h"

string run() {
  string failures = "";

  CHECK(stringp(get_os_env("PATH")));
  CHECK(undefinedp(get_os_env("LPC_TEST_UNSET")));
  CHECK(catch(get_os_env("HOME")));
  CHECK(catch(get_os_env("")));

  CHECK(undefinedp(get_os_env("LPC_TEST_RW")));
  CHECK(set_os_env("LPC_TEST_RW", "hello") == 1);
  CHECK(get_os_env("LPC_TEST_RW") == "hello");
  CHECK(set_os_env("LPC_TEST_RW") == 1);
  CHECK(undefinedp(get_os_env("LPC_TEST_RW")));

  CHECK(catch(set_os_env("PATH", "/tmp")));
  CHECK(catch(set_os_env("LPC_TEST_OTHER", "x")));
  CHECK(stringp(get_os_env("PATH")) && get_os_env("PATH") != "/tmp");
  return failures;
}
