// The sockets package end to end: a STREAM server on an ephemeral port,
// a client that connects, writes and reads the answer, then a DATAGRAM
// round trip; the driver ends with shutdown().
#define CHECK(c) if (!(c)) failures += sprintf("line %d: %s; ", __LINE__, #c)

string failures = "";
int server, client, udp_a, udp_b;
string heard = "";

void finish() {
  CHECK(heard == "pong:ping|dgram:hello");
  debug_message(failures == "" ? "PASS sockets" : "FAIL sockets: " + failures + " heard " + heard);
  shutdown(0);
}

void udp_read(int fd, mixed message, string address) {
  CHECK(fd == udp_b);
  CHECK(sizeof(explode(address, " ")) == 2);
  heard += "|dgram:" + message;
  finish();
}

void client_close(int fd) { }

void client_read(int fd, mixed message) {
  heard += message;
  socket_close(client);
  socket_close(server);
  udp_a = socket_create(2, "udp_read");
  udp_b = socket_create(2, "udp_read");
  CHECK(socket_bind(udp_b, 0, "127.0.0.1") == 1);
  CHECK(socket_write(udp_a, "hello", socket_address(udp_b, 1)) == 1);
}

// Connected: say something.
void client_write(int fd) {
  CHECK(fd == client);
  CHECK(socket_write(fd, "ping") == 1);
}

void server_read(int fd, mixed message) {
  CHECK(socket_write(fd, "pong:" + message) == 1);
}

void server_listen(int fd) {
  int conn = socket_accept(fd, "server_read", "client_write");
  CHECK(conn > 0);
  CHECK(socket_status(conn)[1] == "DATA_XFER");
}

void start() {
  string address;
  server = socket_create(1, "server_read", "client_close");
  CHECK(socket_bind(server, 0, "127.0.0.1") == 1);
  CHECK(socket_listen(server, "server_listen") == 1);
  address = socket_address(server, 1);
  CHECK(address[0..9] == "127.0.0.1 ");
  client = socket_create(1, "client_read", "client_close");
  CHECK(socket_connect(client, address, "client_read", "client_write") == 1);
  call_out((: finish :), 5);
}
