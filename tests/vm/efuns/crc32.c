// crc32(): the standard CRC-32 of a string or buffer.
#include "/check.h"

string run() {
  string failures = "";
  CHECK(crc32("123456789") == 0xCBF43926);
  CHECK(crc32("") == 0);
  CHECK(crc32(to_buffer("123456789")) == 0xCBF43926);
  return failures;
}
