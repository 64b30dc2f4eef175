// MUD mode sockets end to end: values cross a loopback connection whole,
// in the save format, and come back as the same values; the driver ends
// with shutdown().
#define CHECK(c) if (!(c)) failures += sprintf("line %d: %s; ", __LINE__, #c)

string failures = "";
int server, client, done;
mixed *heard = ({ });
mixed sample = ({ 1, "two\n\"quoted\"", ([ "k": 3.5 ]), ({ }), -7 });

void finish() {
  if (done++) return;
  CHECK(sizeof(heard) == 2);
  if (sizeof(heard) == 2) {
    CHECK(save_variable(heard[0]) == save_variable(({ "echo", sample })));
    CHECK(save_variable(heard[1]) == save_variable(({ "echo", 42 })));
  }
  debug_message(failures == "" ? "PASS mud_sockets" : "FAIL mud_sockets: " + failures);
  shutdown(0);
}

void server_read(int fd, mixed value) {
  CHECK(socket_write(fd, ({ "echo", value })) == 1);
}

void server_write(int fd) { }

void client_read(int fd, mixed value) {
  heard += ({ value });
  if (sizeof(heard) == 2) finish();
}

void client_write(int fd) {
  CHECK(socket_write(fd, sample) == 1);
  CHECK(socket_write(fd, 42) == 1);
  // Objects cannot travel.
  CHECK(socket_write(fd, this_object()) == -26);
}

void closed(int fd) { }

void server_listen(int fd) {
  CHECK(socket_accept(fd, "server_read", "server_write") > 0);
}

void start() {
  server = socket_create(0, "server_read", "closed");
  CHECK(socket_bind(server, 0, "127.0.0.1") == 1);
  CHECK(socket_listen(server, "server_listen") == 1);
  client = socket_create(0, "client_read", "closed");
  CHECK(socket_connect(client, socket_address(server, 1), "client_read", "client_write") == 1);
  call_out((: finish :), 5);
}
