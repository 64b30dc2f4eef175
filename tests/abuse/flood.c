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

// gRPC: items of flood.Flood arrive numbered from 1; each counts as a
// read, and one out of turn is remembered. `grpcpull PORT` calls Pour of
// the test's tonic server, whose items stream in; `grpcserve PORT` serves
// the service from here for the test's tonic client, which streams its
// items to Drink (answered with the count at the end) or Gulp.
int grpc_seen, grpc_disorder, grpc_status = -1;

void grpc_in_turn(mapping item) {
  if (item["seq"] != grpc_seen + 1 && !grpc_disorder) {
    grpc_disorder = item["seq"];
  }
  grpc_seen = item["seq"];
}

void grpc_item(mapping item, int handle) {
  grpc_in_turn(item);
  slow_read(handle, item["text"]);
}

void grpc_heard(mixed a, mixed b, mixed c) {
  if (mapp(a)) {
    grpc_item(a, b);
  } else {
    grpc_status = a;
  }
}

string grpcpull(int port) {
  grpc_load_proto("/flood.proto");
  return "GRPC " + (grpc_call("http://127.0.0.1:" + port, "flood.Flood/Pour", ([ ]),
                              (: grpc_heard :), ([ "deadline": 120 ])) > 0);
}

string grpcserve(int port) {
  grpc_load_proto("/flood.proto");
  return "GRPCSERVE " + (grpc_serve(port, "flood.Flood", this_object()) > 0);
}

string grpcreset() {
  grpc_seen = 0;
  grpc_disorder = 0;
  grpc_status = -1;
  return "GRPCRESET";
}

string grpcstate() {
  return "GRPCSTATE " + grpc_seen + " " + grpc_disorder + " " + grpc_status + ".";
}

// Served because grpc_serve wants a function for every method; the test
// pours from a server of its own.
mapping *Pour(mapping item) {
  return ({ });
}

mixed Drink(mapping item, int stream) {
  if (!item) {
    return ({ ([ "seq": grpc_seen, "text": grpc_disorder ? "out of order" : "in order" ]) });
  }
  grpc_item(item, stream);
  return 0;
}

mapping Gulp(mapping *items) {
  foreach (mapping item in items) {
    grpc_in_turn(item);
  }
  return ([ "seq": grpc_seen, "text": grpc_disorder ? "out of order" : "in order" ]);
}
