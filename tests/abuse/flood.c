// Sockets that a test floods: a STREAM_BINARY client connected to the
// test's listener, and a DATAGRAM_BINARY socket bound to a port. Each
// read does some work, so the VM is slower than the flood; the bytes and
// reads are counted for the test to compare with what it sent. A
// websocket client and an MQTT subscriber count their messages the same way.
int bytes, reads;

varargs void slow_read(int fd, mixed data, string from) {
  int i, sum;
  bytes += sizeof(data);
  reads++;
  for (i = 0; i < 300; i++) {
    sum += i;
  }
}

void closed(int fd) { }

void ready(int fd) { }

string tcp(int port) {
  int fd = socket_create(3, "slow_read", "closed");
  return "TCP " + socket_connect(fd, "127.0.0.1 " + port, "slow_read", "ready");
}

string udp(int port) {
  int fd = socket_create(4, "slow_read", "closed");
  return "UDP " + socket_bind(fd, port, "127.0.0.1");
}

string count() {
  return "COUNT " + bytes + " " + reads + ".";
}

void ws_message(mixed message, int handle) {
  slow_read(handle, message);
}

void ws_closed(mixed code, mixed reason, int handle) { }

string ws(int port) {
  int handle = websocket_connect("ws://127.0.0.1:" + port + "/", (: ws_message :), (: ws_closed :));
  return "WS " + (handle > 0);
}

// An MQTT client subscribed to flood/# at QoS 1; each message counts as a
// read. Once subscribed it sends itself flood/ready, so the test knows when
// the flood may start.
int mq_ready;

void mq_message(string topic, mixed payload, int handle) {
  if (topic == "flood/ready") {
    mq_ready = 1;
    return;
  }
  slow_read(handle, payload);
}

void mq_event(string event, mixed detail, int handle) {
  if (event == "connected") {
    mqtt_subscribe(handle, "flood/#", 1);
    mqtt_publish(handle, "flood/ready", "1", 1, 0);
  }
}

string mqtt(int port) {
  int handle = mqtt_connect("127.0.0.1", port, ([ "client_id": "flooded", "protocol": "3.1.1" ]),
                            (: mq_message :), (: mq_event :));
  return "MQTT " + (handle > 0);
}

string mqready() {
  return "MQREADY " + mq_ready + ".";
}
