// File efuns ask the master: valid_read / valid_write get (path, object,
// efun), a 0 refuses the path and a string replaces it; and a symlink
// leading out of the mudlib is never followed. Run by driver/tests/files.rs
// with a master that refuses "/secret..." and maps "/alias..." to "/real...".
#include "/check.h"

string run() {
  string failures = "";
  mixed *last;

  // Refused reads look like missing files.
  CHECK(read_file("/secret/data.txt") == 0);
  last = "/master"->query_last_check();
  CHECK(last[0] == "read" && last[1] == "/secret/data.txt");
  CHECK(last[2] == this_object() && last[3] == "read_file");
  CHECK(file_size("/secret/data.txt") == -1);
  CHECK(read_bytes("/secret/data.txt") == 0);
  CHECK(get_dir("/secret/") == 0);
  CHECK(stat("/secret/data.txt") == 0);
  CHECK(file_length("/secret/data.txt") == -1);
  // Refused writes fail.
  CHECK(write_file("/secret/data.txt", "x") == 0);
  last = "/master"->query_last_check();
  CHECK(last[0] == "write" && last[3] == "write_file");
  CHECK(rm("/secret/data.txt") == 0);
  CHECK(mkdir("/secret/sub") == 0);
  CHECK(rename("/secret/data.txt", "/moved.txt") == 1);
  CHECK(cp("/secret/data.txt", "/copied.txt") == -1);
  CHECK(cp("/real/data.txt", "/secret/copy.txt") == -2);
  CHECK(catch(save_object("/secret/save")) == "*Denied write permission in save_object().\n");
  CHECK(catch(restore_object("/secret/save")) == "*restore_object: read permission denied: /secret/save.o.\n");
  CHECK(compress_file("/secret/data.txt") == 0);
  // A string from the master replaces the path.
  CHECK(read_file("/alias/data.txt") == "real data\n");
  CHECK(write_file("/alias/new.txt", "written\n") == 1);
  CHECK(read_file("/real/new.txt") == "written\n");
  CHECK(rm("/alias/new.txt") == 1);
  CHECK(file_size("/real/new.txt") == -1);
  // A symlink out of the mudlib is not followed, for reads or writes.
  CHECK(read_file("/out/outside.txt") == 0);
  CHECK(file_size("/out/outside.txt") == -1);
  CHECK(write_file("/out/new.txt", "x") == 0);
  CHECK(get_dir("/out/") == 0);
  CHECK(rm("/out/outside.txt") == 0);
  return failures;
}
