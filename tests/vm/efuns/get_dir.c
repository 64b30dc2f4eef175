// get_dir: a directory's entries, one named entry, or the entries matching
// a wildcard; -1 as flag gives ({ name, size or -2, mtime }) each.
#include "/check.h"

#define DIR "/get_dir_scratch"

string run() {
  string failures = "";
  mixed *details;

  foreach (string name in get_dir(DIR + "/") || ({})) {
    rm(DIR + "/" + name);
    rmdir(DIR + "/" + name);
  }
  rmdir(DIR);
  mkdir(DIR);
  write_file(DIR + "/beta.c", "12345");
  write_file(DIR + "/alpha.c", "1");
  write_file(DIR + "/alpha.h", "");
  write_file(DIR + "/a*b", "");
  mkdir(DIR + "/zdir");

  // A trailing slash or "/." lists the directory, sorted, without . and ..
  CHECK(implode(get_dir(DIR + "/"), ",") == "a*b,alpha.c,alpha.h,beta.c,zdir");
  CHECK(implode(get_dir(DIR + "/."), ",") == "a*b,alpha.c,alpha.h,beta.c,zdir");
  // Without it, the path names one entry.
  CHECK(implode(get_dir(DIR), ",") == "get_dir_scratch");
  CHECK(implode(get_dir(DIR + "/beta.c"), ",") == "beta.c");
  // Wildcards: * and ? (and \ to match them literally).
  CHECK(implode(get_dir(DIR + "/*.c"), ",") == "alpha.c,beta.c");
  CHECK(implode(get_dir(DIR + "/alpha.?"), ",") == "alpha.c,alpha.h");
  CHECK(implode(get_dir(DIR + "/*ph*"), ",") == "alpha.c,alpha.h");
  CHECK(implode(get_dir(DIR + "/a\\*?"), ",") == "a*b");
  CHECK(implode(get_dir(DIR + "/nothing*"), ",") == "");
  // A wildcard also matches . and .., as the host listing has them.
  CHECK(member_array(".", get_dir(DIR + "/*")) != -1);
  CHECK(member_array("..", get_dir(DIR + "/.*")) != -1);
  // A missing directory gives 0.
  CHECK(get_dir(DIR + "/none/") == 0);
  CHECK(get_dir(DIR + "/none/*") == 0);

  details = get_dir(DIR + "/", -1);
  CHECK(sizeof(details) == 5);
  CHECK(details[3][0] == "beta.c" && details[3][1] == 5 && details[3][2] > 0);
  CHECK(details[4][0] == "zdir" && details[4][1] == -2);
  details = get_dir(DIR + "/alpha.c", -1);
  CHECK(sizeof(details) == 1 && details[0][0] == "alpha.c" && details[0][1] == 1);
  // stat agrees with get_dir on directories and patterns.
  CHECK(implode(stat(DIR + "/*.c"), ",") == "alpha.c,beta.c");
  CHECK(sizeof(stat(DIR + "/", -1)) == 5);

  rm(DIR + "/beta.c");
  rm(DIR + "/alpha.c");
  rm(DIR + "/alpha.h");
  rm(DIR + "/a*b");
  rmdir(DIR + "/zdir");
  CHECK(rmdir(DIR) == 1);
  return failures;
}
