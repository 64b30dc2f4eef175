// compress, uncompress, compress_file and uncompress_file: zlib buffers,
// gzip files, the cap on inflated size, and compressedp.
#include "/check.h"

#define DIR "/compress_scratch"

string run() {
  string failures = "";
  buffer packed, bomb;
  string long_name = "/";
  string text = "hello hello hello hello hello hello hello hello\n";

  // A zlib stream: header byte 0x78, smaller than repetitive input.
  packed = compress(text);
  CHECK(bufferp(packed) && sizeof(packed) > 2 && sizeof(packed) < strlen(text));
  CHECK(packed[0] == 0x78);
  CHECK(read_buffer(uncompress(packed)) == text);
  CHECK(read_buffer(uncompress(compress(to_buffer("abc")))) == "abc");
  CHECK(sizeof(uncompress(compress(""))) == 0);
  CHECK(catch(uncompress(to_buffer("not compressed data"))) != 0);
  // A truncated stream never ends: an error too.
  CHECK(catch(uncompress(packed[0..sizeof(packed) - 3])) != 0);

  // Inflating past the buffer size limit stops with an error.
  // (The buffer size limit is 400000 here.)
  bomb = allocate_buffer(100000);
  packed = compress(bomb);
  CHECK(sizeof(packed) < 1000);
  CHECK(sizeof(uncompress(packed)) == 100000);
  packed = compress(bomb + bomb + bomb + bomb);
  CHECK(sizeof(uncompress(packed)) == 400000);
  // A 506-byte zlib stream of 500000 zero bytes.
  packed = allocate_buffer(506);
  foreach (int *at in ({ ({ 0, 120 }), ({ 1, 218 }), ({ 2, 237 }), ({ 3, 193 }), ({ 4, 1 }),
                         ({ 5, 1 }), ({ 9, 130 }), ({ 10, 32 }), ({ 11, 255 }), ({ 12, 175 }),
                         ({ 13, 110 }), ({ 14, 72 }), ({ 15, 64 }), ({ 16, 1 }), ({ 500, 240 }),
                         ({ 501, 108 }), ({ 502, 161 }), ({ 503, 137 }), ({ 505, 1 }) })) {
    packed[at[0]] = at[1];
  }
  CHECK(catch(uncompress(packed)) == "*uncompress: decompressed data exceeds maximum buffer size\n");

  // Files: gzip beside the original (which goes), and back.
  rm(DIR + "/t.txt");
  rm(DIR + "/t.txt.gz");
  rm(DIR + "/out.gz");
  rm(DIR + "/back.txt");
  rmdir(DIR);
  mkdir(DIR);
  write_file(DIR + "/t.txt", text, 1);
  CHECK(compress_file(DIR + "/t.txt") == 1);
  CHECK(file_size(DIR + "/t.txt") == -1);
  CHECK(file_size(DIR + "/t.txt.gz") > 0);
  // read_file reads gzip files transparently.
  CHECK(read_file(DIR + "/t.txt.gz") == text);
  CHECK(compress_file(DIR + "/t.txt.gz") == 0);
  CHECK(uncompress_file(DIR + "/t.txt.gz") == 1);
  CHECK(file_size(DIR + "/t.txt.gz") == -1);
  CHECK(read_file(DIR + "/t.txt") == text);
  CHECK(uncompress_file(DIR + "/t.txt") == 0);
  // Explicit output names.
  CHECK(compress_file(DIR + "/t.txt", DIR + "/out.gz") == 1);
  CHECK(uncompress_file(DIR + "/out.gz", DIR + "/back.txt") == 1);
  CHECK(read_file(DIR + "/back.txt") == text);
  CHECK(file_size(DIR + "/out.gz") == -1);
  // Missing, too long or escaping names give 0.
  CHECK(compress_file(DIR + "/none") == 0);
  while (strlen(long_name) < 1100) long_name += "aaaaaaaaaa";
  CHECK(compress_file(long_name) == 0);
  CHECK(uncompress_file(long_name + ".gz") == 0);
  CHECK(compress_file(DIR + "/back.txt", "/../out.gz") == 0);
  CHECK(file_size(DIR + "/back.txt") == strlen(text));
  // A damaged gzip file leaves no output behind.
  write_file(DIR + "/bad.gz", "plain text, not gzip", 1);
  CHECK(uncompress_file(DIR + "/bad.gz", DIR + "/bad.txt") == 0);
  CHECK(file_size(DIR + "/bad.txt") == -1);
  CHECK(file_size(DIR + "/bad.gz") > 0);

  rm(DIR + "/bad.gz");
  rm(DIR + "/back.txt");
  CHECK(rmdir(DIR) == 1);
  // Only a connection that agreed to MCCP is compressed; this object has
  // no connection at all.
  CHECK(compressedp(this_object()) == 0);
  CHECK(catch(compressedp(0)) != 0);
  return failures;
}
