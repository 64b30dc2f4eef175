// read_file, write_file, read_bytes, write_bytes, read_buffer,
// write_buffer, file_size, file_length, rm, rename, cp, mkdir, rmdir,
// stat and link, in a scratch directory of the mudlib; and the jail that
// keeps every path inside the mudlib.
#include "/check.h"

#define DIR "/files_scratch"

string run() {
  string failures = "";
  mixed st;
  buffer b;

  // Start from nothing, whatever an earlier run left.
  foreach (string name in get_dir(DIR + "/") || ({})) {
    rm(DIR + "/" + name);
    rmdir(DIR + "/" + name);
  }
  rmdir(DIR);
  CHECK(file_size(DIR) == -1);
  CHECK(mkdir(DIR) == 1);
  CHECK(mkdir(DIR) == 0);
  CHECK(file_size(DIR) == -2);
  CHECK(file_size(DIR + "/") == -2);

  // write_file appends; flag 1 overwrites.
  CHECK(write_file(DIR + "/a.txt", "one\n") == 1);
  CHECK(write_file(DIR + "/a.txt", "two\nthree\n") == 1);
  CHECK(read_file(DIR + "/a.txt") == "one\ntwo\nthree\n");
  CHECK(file_size(DIR + "/a.txt") == 14);
  CHECK(file_length(DIR + "/a.txt") == 3);
  CHECK(file_length(DIR) == -2);
  CHECK(file_length(DIR + "/none") == -1);
  CHECK(write_file(DIR + "/a.txt", "1\n2\n3\n4\n5\n", 1) == 1);
  CHECK(read_file(DIR + "/a.txt") == "1\n2\n3\n4\n5\n");

  // Lines: a start line and a count, from the end when negative.
  CHECK(read_file(DIR + "/a.txt", 2, 2) == "2\n3\n");
  CHECK(read_file(DIR + "/a.txt", 4) == "4\n5\n");
  CHECK(read_file(DIR + "/a.txt", -2, 1) == "4\n");
  CHECK(read_file(DIR + "/a.txt", -2) == "4\n5\n");
  CHECK(read_file(DIR + "/a.txt", -100, 1) == "1\n");
  CHECK(read_file(DIR + "/a.txt", 3, 100) == "3\n4\n5\n");
  CHECK(read_file(DIR + "/a.txt", 99, 1) == 0);
  CHECK(read_file(DIR + "/a.txt", 1, -1) == 0);
  CHECK(read_file(DIR + "/none") == 0);
  CHECK(read_file(DIR) == 0);
  // CRLF reads as LF.
  write_file(DIR + "/crlf.txt", "a\r\nb\r\n", 1);
  CHECK(read_file(DIR + "/crlf.txt") == "a\nb\n");
  CHECK(file_size(DIR + "/crlf.txt") == 6);
  write_file(DIR + "/empty.txt", "", 1);
  CHECK(read_file(DIR + "/empty.txt") == "");

  // Bytes: a start (from the end when negative) and a length.
  write_file(DIR + "/b.txt", "ABCDEFGH", 1);
  CHECK(read_bytes(DIR + "/b.txt") == "ABCDEFGH");
  CHECK(read_bytes(DIR + "/b.txt", 2, 3) == "CDE");
  CHECK(read_bytes(DIR + "/b.txt", -3) == "FGH");
  CHECK(read_bytes(DIR + "/b.txt", -3, 2) == "FG");
  CHECK(read_bytes(DIR + "/b.txt", 6, 100) == "GH");
  CHECK(read_bytes(DIR + "/b.txt", 8, 1) == 0);
  CHECK(read_bytes(DIR + "/b.txt", -100, 1) == 0);
  CHECK(read_bytes(DIR + "/none", 0, 1) == 0);
  CHECK(write_bytes(DIR + "/b.txt", 2, "xy") == 1);
  CHECK(read_file(DIR + "/b.txt") == "ABxyEFGH");
  CHECK(write_bytes(DIR + "/b.txt", -1, "z") == 1);
  CHECK(read_file(DIR + "/b.txt") == "ABxyEFGz");
  CHECK(write_bytes(DIR + "/b.txt", 8, "!") == 1);
  CHECK(read_file(DIR + "/b.txt") == "ABxyEFGz!");
  CHECK(write_bytes(DIR + "/b.txt", 20, "?") == 0);
  CHECK(write_bytes(DIR + "/b.txt", -20, "?") == 0);

  // Buffers from and into files; strings from and into buffers.
  b = read_buffer(DIR + "/b.txt", 0, 2);
  CHECK(bufferp(b) && sizeof(b) == 2 && b[0] == 'A' && b[1] == 'B');
  CHECK(read_buffer(DIR + "/none") == 0);
  CHECK(write_buffer(DIR + "/b.txt", 0, to_buffer("ab")) == 1);
  CHECK(read_file(DIR + "/b.txt") == "abxyEFGz!");
  CHECK(write_buffer(DIR + "/b.txt", 0, 0x41424344) == 1);
  CHECK(read_file(DIR + "/b.txt") == "ABCDEFGz!");
  b = allocate_buffer(4);
  CHECK(write_buffer(b, 0, "abcd") == 1);
  CHECK(read_buffer(b) == "abcd");
  CHECK(read_buffer(b, 1, 2) == "bc");
  CHECK(read_buffer(b, -1) == "d");
  CHECK(read_buffer(b, 4) == 0);
  CHECK(write_buffer(b, 3, "zz") == 0);
  CHECK(write_buffer(b, 2147483647, "z") == 0);
  CHECK(read_buffer(b) == "abcd");

  // rename: 0 on success; into a directory keeps the name.
  CHECK(rename(DIR + "/b.txt", DIR + "/c.txt") == 0);
  CHECK(file_size(DIR + "/b.txt") == -1);
  CHECK(read_file(DIR + "/c.txt") == "ABCDEFGz!");
  CHECK(mkdir(DIR + "/sub") == 1);
  CHECK(rename(DIR + "/c.txt", DIR + "/sub") == 0);
  CHECK(read_file(DIR + "/sub/c.txt") == "ABCDEFGz!");
  CHECK(catch(rename(DIR + "/none", DIR + "/x")) != 0);
  // rename overwrites a file.
  write_file(DIR + "/d.txt", "new", 1);
  write_file(DIR + "/e.txt", "old", 1);
  CHECK(rename(DIR + "/d.txt", DIR + "/e.txt") == 0);
  CHECK(read_file(DIR + "/e.txt") == "new");

  // cp: 1 on success; into a directory keeps the name.
  CHECK(cp(DIR + "/e.txt", DIR + "/f.txt") == 1);
  CHECK(read_file(DIR + "/f.txt") == "new");
  CHECK(read_file(DIR + "/e.txt") == "new");
  CHECK(cp(DIR + "/e.txt", DIR + "/sub") == 1);
  CHECK(read_file(DIR + "/sub/e.txt") == "new");
  CHECK(catch(cp(DIR + "/none", DIR + "/g.txt")) != 0);

  // stat: size, mtime, load time, ctime for a file; a listing otherwise.
  st = stat(DIR + "/f.txt");
  CHECK(arrayp(st) && sizeof(st) == 4 && st[0] == 3 && st[1] > 0);
  CHECK(sizeof(stat(DIR + "/sub/", -1)) == 2);
  CHECK(stat(DIR + "/none") == 0 || sizeof(stat(DIR + "/none")) == 0);

  // rmdir only removes empty directories; rm only files.
  CHECK(rmdir(DIR + "/sub") == 0);
  CHECK(rm(DIR + "/sub") == 0);
  CHECK(rm(DIR + "/sub/c.txt") == 1);
  CHECK(rm(DIR + "/sub/c.txt") == 0);
  CHECK(rm(DIR + "/sub/e.txt") == 1);
  CHECK(rmdir(DIR + "/sub") == 1);
  CHECK(file_size(DIR + "/sub") == -1);

  // The master here defines no valid_link, which denies every link.
  CHECK(link(DIR + "/e.txt", DIR + "/h.txt") == 0);
  CHECK(file_size(DIR + "/h.txt") == -1);

  // Paths count from the mudlib root and never leave it.
  CHECK(file_size("files_scratch/e.txt") == 3);
  CHECK(read_file("/../etc/passwd") == 0);
  CHECK(read_file(DIR + "/../master.c") == 0);
  CHECK(file_size("/efuns/../master.c") == -1);
  CHECK(write_file("/../escaped.txt", "x") == 0);
  CHECK(write_file(DIR + "/nul\0name", "x") == 0);
  CHECK(read_file("/etc/passwd") == 0);
  CHECK(get_dir("/../") == 0);
  CHECK(mkdir("/../outside") == 0);
  CHECK(rename(DIR + "/e.txt", "/../e.txt") == 1);
  CHECK(read_file(DIR + "/e.txt") == "new");
  CHECK(cp(DIR + "/e.txt", "/../e.txt") == -2);
  CHECK(cp("/../etc/passwd", DIR + "/stolen") == -1);
  CHECK(file_size(DIR + "/stolen") == -1);

  rm(DIR + "/a.txt");
  rm(DIR + "/crlf.txt");
  rm(DIR + "/empty.txt");
  rm(DIR + "/e.txt");
  rm(DIR + "/f.txt");
  CHECK(rmdir(DIR) == 1);
  return failures;
}
