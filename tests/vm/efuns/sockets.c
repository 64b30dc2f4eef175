// The sockets package within one evaluation: descriptors, binding,
// listening and the errors of each misuse. Modes: 0 MUD, 1 STREAM,
// 2 DATAGRAM, 5 STREAM_TLS. Errors: 1 success, -6 bad descriptor, -7 not the
// owner, -8 already bound, -12 mode not supported, -13 not bound, -17 would block, -21 bad
// address, -25 not connected, -31 not released.
#include "/check.h"

void rcb(int fd, mixed message) { }

string run() {
  string failures = "";
  int fd, udp;
  object taker;
  mixed status;

  fd = socket_create(1, "rcb");
  CHECK(fd > 0);
  CHECK(socket_create(-1, "rcb") == -12);
  CHECK(socket_create(7, "rcb") == -12);
  CHECK(socket_listen(fd, "rcb") == -13);
  CHECK(socket_write(fd, "data") == -25);
  CHECK(socket_bind(fd, 0, "not an address") == -21);
  CHECK(socket_bind(fd, 0, "127.0.0.1") == 1);
  CHECK(socket_bind(fd, 0, "127.0.0.1") == -8);
  CHECK(sizeof(explode(socket_address(fd, 1), " ")) == 2);
  CHECK(socket_address(fd) == "0.0.0.0 0");
  CHECK(socket_listen(fd, "rcb") == 1);
  // Accepting is for the listen callback only.
  CHECK(socket_accept(fd, "rcb", "rcb") == -17);
  status = socket_status(fd);
  CHECK(status[0] == fd && status[1] == "LISTEN" && status[2] == "STREAM" && status[5] == this_object());
  CHECK(sizeof(filter(socket_status(), (: $1[0] == $(fd) :))) == 1);
  CHECK(socket_close(fd) == 1);
  CHECK(socket_close(fd) == -6);
  CHECK(socket_write(9999, "data") == -6);
  CHECK(socket_connect(9999, "127.0.0.1 1", "rcb", "rcb") == -6);

  udp = socket_create(2, "rcb");
  CHECK(socket_write(udp, "x", "nowhere") == -21);
  CHECK(socket_write(udp, "x", "127.0.0.1 9") == 1);
  CHECK(socket_status(udp)[2] == "DATAGRAM");
  CHECK(socket_close(udp) == 1);

  udp = socket_create(0, "rcb");
  CHECK(socket_status(udp)[2] == "MUD");
  // Not connected: nothing is sent, whatever it is.
  CHECK(socket_write(udp, ({ 1 })) == -25);
  CHECK(socket_write(udp, this_object()) == -25);
  CHECK(socket_close(udp) == 1);
  udp = socket_create(6, "rcb");
  CHECK(socket_status(udp)[2] == "STREAM_TLS_BINARY");
  CHECK(socket_close(udp) == 1);

  // Handing a socket over: the new owner's release callback accepts it
  // with socket_acquire(), or declines (-31) by not calling it.
  fd = socket_create(1, "rcb");
  taker = new("/efuns/obj/socket_taker");
  CHECK(socket_release(fd, taker, "released") == -31);
  CHECK(taker->query_offer()[0] == fd && taker->query_offer()[1] == this_object());
  CHECK(taker->query_offer()[2] == 0);
  CHECK(socket_status(fd)[5] == this_object());
  // Outside a release nobody may acquire it.
  CHECK(taker->try_acquire(fd) == -31);
  CHECK(taker->try_close(fd) == -7);
  taker->set_take(1);
  CHECK(socket_release(fd, taker, "released") == 1);
  CHECK(taker->query_offer()[2] == 1);
  CHECK(socket_status(fd)[5] == taker);
  // Only the owner may release or close it now.
  CHECK(socket_release(fd, taker, "released") == -7);
  CHECK(socket_close(fd) == -7);
  CHECK(socket_release(9999, taker, "released") == -6);
  CHECK(taker->try_close(fd) == 1);
  destruct(taker);

  CHECK(stringp(socket_error(-6)) && strlen(socket_error(-6)) > 0);
  CHECK(socket_error(-6) != socket_error(-8));
  return failures;
}
