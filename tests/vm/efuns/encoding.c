// string_encode(), string_decode(), buffer_transcode().
#include "/check.h"

string run() {
  string failures = "";
  buffer b = string_encode("héllo", "utf-8");
  CHECK(sizeof(b) == 6);
  b = string_encode("héllo", "iso-8859-1");
  CHECK(sizeof(b) == 5 && b[1] == 0xe9);
  CHECK(string_decode(b, "iso-8859-1") == "héllo");
  CHECK(sizeof(string_encode("ab", "utf-16le")) == 4);
  CHECK(string_decode(string_encode("字", "gbk"), "gbk") == "字");
  CHECK(string_decode(buffer_transcode(string_encode("é", "latin1"), "latin1", "utf-8"), "utf-8") == "é");
  CHECK(catch(string_encode("x", "no-such-encoding")) != 0);
  // ICU's converter names and aliases name encodings too.
  CHECK(string_decode(string_encode("字", "cp936"), "windows-936-2000") == "字");
  b = string_encode("Я", "ibm-5347_P100-1998");
  CHECK(sizeof(b) == 1 && b[0] == 0xdf && string_decode(b, "CP_1251") == "Я");
  // A character the encoding lacks is written as '?'.
  b = string_encode("a字", "iso-8859-1");
  CHECK(sizeof(b) == 2 && b[1] == '?');
  return failures;
}
