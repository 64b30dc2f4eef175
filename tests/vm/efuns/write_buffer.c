// write_buffer() and read_buffer(), on buffers and on files.
#include "/check.h"

string run() {
  string failures = "";
  buffer b = allocate_buffer(6);
  buffer f;

  // Into a buffer: strings as bytes, ints as four bytes, big-endian.
  CHECK(write_buffer(b, 0, "hi") == 1);
  CHECK(b[0] == 'h' && b[1] == 'i' && b[2] == 0);
  CHECK(write_buffer(b, 2, 258) == 1);
  CHECK(b[2] == 0 && b[3] == 0 && b[4] == 1 && b[5] == 2);
  CHECK(write_buffer(b, -1, "z") == 1);
  CHECK(b[5] == 'z');
  // A buffer never grows: a write past its end writes nothing.
  CHECK(write_buffer(b, 5, "xy") == 0);
  CHECK(b[5] == 'z');
  CHECK(write_buffer(b, 7, "x") == 0);
  CHECK(sizeof(b) == 6);

  // Out of a buffer: a string that stops at the first zero byte.
  CHECK(read_buffer(b, 0, 2) == "hi");
  CHECK(read_buffer(b) == "hi");
  CHECK(read_buffer(b, -1, 1) == "z");
  CHECK(read_buffer(b, 6, 1) == 0);

  // Files: written at a byte offset, read back as a buffer.
  rm("/wb_test.bin");
  CHECK(write_buffer("/wb_test.bin", 0, "abcdef") == 1);
  CHECK(write_buffer("/wb_test.bin", 2, to_buffer(({ 'X', 'Y' }))) == 1);
  CHECK(read_file("/wb_test.bin") == "abXYef");
  CHECK(write_buffer("/wb_test.bin", 10, "late") == 0);
  f = read_buffer("/wb_test.bin");
  CHECK(bufferp(f) && sizeof(f) == 6 && f[2] == 'X');
  f = read_buffer("/wb_test.bin", 1, 3);
  CHECK(sizeof(f) == 3 && f[0] == 'b' && f[2] == 'Y');
  CHECK(read_buffer("/no_such_file.bin") == 0);
  rm("/wb_test.bin");
  return failures;
}
