// hash(), sha1() and crc32().
#include "/check.h"

string run() {
  string failures = "";
  buffer b = allocate_buffer(3);

  CHECK(hash("md5", "abc") == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(hash("MD5", "abc") == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(hash("md4", "abc") == "a448017aaf21d8525fc10ae87aa6729d");
  CHECK(hash("sha1", "abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(hash("sha224", "abc") == "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7");
  CHECK(hash("sha256", "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hash("sha384", "abc") == "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
  CHECK(hash("sha512", "abc") == "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  CHECK(hash("sha3-256", "abc") == "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
  CHECK(hash("sha3-256", "") == "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
  CHECK(sizeof(hash("sha3-224", "x")) == 56 && sizeof(hash("sha3-512", "x")) == 128);
  CHECK(hash("ripemd160", "abc") == "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc");
  CHECK(sizeof(hash("blake2b512", "x")) == 128 && sizeof(hash("blake2s256", "x")) == 64);
  CHECK(hash("sm3", "abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
  CHECK(catch(hash("nope", "abc")));

  CHECK(sha1("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  CHECK(sha1("The quick brown fox jumps over the lazy dog") == "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12");
  b[0] = 'a'; b[1] = 'b'; b[2] = 'c';
  CHECK(sha1(b) == "a9993e364706816aba3e25717850c26c9cd0d89d");

  // The CRC-32 register without its final inversion: ~0xcbf43926.
  CHECK(crc32("123456789") == 0x340bc6d9);
  CHECK(crc32("") == 0xffffffff);
  CHECK(crc32(b) == crc32("abc"));
  return failures;
}
