// STREAM_TLS sockets end to end: a TLS server with the test certificate,
// a client that checks nothing, one that trusts the certificate by name,
// and one that trusts only the public roots and so is refused. Options:
// 1 SO_TLS_VERIFY_PEER, 2 SO_TLS_SNI_HOSTNAME, 3 SO_TLS_CERT, 4 SO_TLS_KEY.
#define CHECK(c) if (!(c)) failures += sprintf("line %d: %s; ", __LINE__, #c)

string failures = "";
int server, open_client, trusting_client, doubting_client;
int handshakes, doubter_closed, done;
string *heard = ({ });

void finish() {
  if (done++) return;
  CHECK(implode(sort_array(heard, 1), ",") == "re:from open,re:from trusting");
  CHECK(doubter_closed);
  CHECK(handshakes == 2);
  debug_message(failures == "" ? "PASS tls_sockets" : "FAIL tls_sockets: " + failures);
  shutdown(0);
}

void check_done() {
  if (sizeof(heard) == 2 && doubter_closed) finish();
}

void server_listen(int fd) {
  int conn = socket_accept(fd, "server_read", "server_ready");
  CHECK(conn > 0);
  CHECK(socket_status(conn)[1] == "HANDSHAKE");
  // No data before the handshake is over.
  CHECK(socket_write(conn, "early") == -25);
}

// The write callback of an accepted TLS socket runs once its handshake is done.
void server_ready(int fd) {
  handshakes++;
  CHECK(socket_status(fd)[1] == "DATA_XFER");
}

void server_read(int fd, mixed message) {
  CHECK(socket_write(fd, "re:" + message) == 1);
}

void server_closed(int fd) { }

void client_write(int fd) {
  CHECK(socket_write(fd, fd == open_client ? "from open" : "from trusting") == 1);
}

void client_read(int fd, mixed message) {
  heard += ({ message });
  check_done();
}

void client_closed(int fd) {
  if (fd == doubting_client) {
    doubter_closed = 1;
    check_done();
  }
}

int tls_client(string address, int verify) {
  int fd = socket_create(5, "client_read", "client_closed");
  if (verify) {
    socket_set_option(fd, 1, 1);
    socket_set_option(fd, 2, "localhost");
  }
  CHECK(socket_connect(fd, address, "client_read", "client_write") == 1);
  return fd;
}

void start() {
  string address;
  server = socket_create(5, "server_read", "server_closed");
  socket_set_option(server, 3, "/cert.pem");
  socket_set_option(server, 4, "/key.pem");
  CHECK(socket_bind(server, 0, "127.0.0.1") == 1);
  CHECK(socket_listen(server, "server_listen") == 1);
  address = socket_address(server, 1);
  open_client = tls_client(address, 0);
  trusting_client = socket_create(5, "client_read", "client_closed");
  socket_set_option(trusting_client, 1, 1);
  socket_set_option(trusting_client, 2, "localhost");
  socket_set_option(trusting_client, 3, "/cert.pem");
  CHECK(socket_connect(trusting_client, address, "client_read", "client_write") == 1);
  doubting_client = tls_client(address, 1);
  call_out((: finish :), 5);
}
