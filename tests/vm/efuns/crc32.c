// crc32(): the CRC-32 register of a string or buffer, without the final inversion.
#include "/check.h"

string run() {
  string failures = "";
  CHECK(crc32("123456789") == (0xCBF43926 ^ 0xFFFFFFFF));
  CHECK(crc32("") == 0xFFFFFFFF);
  CHECK(crc32(to_buffer("123456789")) == (0xCBF43926 ^ 0xFFFFFFFF));
  return failures;
}
