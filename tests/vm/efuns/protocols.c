// Telnet protocol efuns, traffic counters and socket options, seen from
// an object without a connection: the protocol checks answer 0, the
// senders only warn, and the charmode efuns report -2.
#include "/check.h"

void rcb(int fd, mixed message) { }

string run() {
  string failures = "";
  mapping stats;
  int fd;
  mixed err;

  CHECK(has_msdp(this_object()) == 0);
  CHECK(has_mxp(this_object()) == 0);
  CHECK(has_zmp(this_object()) == 0);
  CHECK(has_msp(this_object()) == 0);
  CHECK(has_gmcp(this_object()) == 0);
  telnet_ga();
  telnet_nop();
  telnet_msp_oob("!!SOUND(cow.wav)");
  send_msdp_variable("HP", 10);
  act_mxp();
  err = ({ 1 });
  CHECK(catch(send_msdp_variable("HP", err)) != 0);
  CHECK(query_charmode(this_object()) == -2);
  CHECK(remove_charmode(this_object()) == -2);

  stats = network_stats();
  CHECK(mapp(stats));
  CHECK(!undefinedp(stats["incoming packets total"]));
  CHECK(!undefinedp(stats["outgoing volume sockets"]));
  CHECK(intp(stats["incoming volume total"]));
  // The test config opens no ports.
  CHECK(arrayp(sys_network_ports()) && sizeof(sys_network_ports()) == 0);

  fd = socket_create(5, "rcb");
  CHECK(fd > 0);
  CHECK(socket_get_option(fd, 1) == 0);
  CHECK(socket_get_option(fd, 2) == 0);
  socket_set_option(fd, 1, 1);
  socket_set_option(fd, 2, "example.org");
  socket_set_option(fd, 3, "/cert.pem");
  socket_set_option(fd, 4, "/key.pem");
  CHECK(socket_get_option(fd, 1) == 1);
  CHECK(socket_get_option(fd, 2) == "example.org");
  CHECK(socket_get_option(fd, 3) == "/cert.pem");
  CHECK(socket_get_option(fd, 4) == "/key.pem");
  err = catch(socket_set_option(fd, 1, 2));
  CHECK(err && strsrch(err, "only 0 or 1") >= 0);
  err = catch(socket_set_option(fd, 9, 1));
  CHECK(err && strsrch(err, "Unknown socket option") >= 0);
  CHECK(catch(socket_set_option(fd, 2, 5)) != 0);
  err = catch(socket_get_option(fd + 1000, 1));
  CHECK(err && strsrch(err, "Bad socket descriptor") >= 0);
  // A TLS listener without a certificate cannot accept anyone, but binds.
  CHECK(socket_bind(fd, 0, "127.0.0.1") == 1);
  CHECK(socket_close(fd) == 1);
  return failures;
}
