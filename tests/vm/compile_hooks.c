// The master's compile-time applies: get_include_path() picks include
// directories per file; valid_override() rules on each efun:: call.
#include "/check.h"

string run() {
  string failures = "";
  object ob;
  mixed *last;

  write_file("/gip_user.c", "#include <gip.h>\nint value() { return GIP; }\n", 1);
  write_file("/gip_other.c", "#include <gip.h>\nint value() { return GIP; }\n", 1);
  CHECK(load_object("/gip_user")->value() == 2);
  CHECK(load_object("/gip_other")->value() == 1);

  write_file("/override_ok.c", "int f() { return efun::strlen(\"abc\"); }\n", 1);
  ob = load_object("/override_ok");
  CHECK(ob && ob->f() == 3);
  last = master()->query_overrides()[<1];
  CHECK(last[0] == "/override_ok");
  CHECK(last[1] == "strlen");
  CHECK(last[2] == "/override_ok.c");

  write_file("/no_override.c", "int f() { return efun::strlen(\"abc\"); }\n", 1);
  CHECK(catch(load_object("/no_override")));
  CHECK(find_object("/no_override") == 0);
  rm("/gip_user.c");
  rm("/gip_other.c");
  rm("/override_ok.c");
  rm("/no_override.c");
  return failures;
}
