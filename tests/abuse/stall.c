// LPC that keeps sending to a peer that does not read. `start KIND PORT`
// opens one channel toward the test's peer and pumps numbered messages of
// 1 KiB into it every 20 ms, as many as it takes, until `stop`: KIND is
// sock (a STREAM socket), ws (a websocket client), grpc (a grpc_stream
// call of flood.Flood/Drink), serve (the answers of a Drink stream served
// here), mqtt (QoS 1 publishes once connected), mqtt0 (QoS 0 publishes
// from the start, while the broker may be down) or http (a POST request each, whose
// answers are counted as callbacks). Every answer of the sending efun is
// counted, so the test sees which ones said "full".
#define PAD "................................................................"

string state();
void http_answered(mixed status, mixed headers, mixed body);

string kind;
int handle, pumping, taken, refused, callbacks;
mapping answers = ([ ]);

// Message `n`: its number in eight digits, then padding to 1 KiB.
string chunk(int n) {
  return sprintf("%08d", n) + PAD[0..55] + repeat_string(PAD, 15);
}

// Each HTTP request has an id of its own; 1 stands for all of them.
int requested(int id) {
  return id > 0 ? 1 : id;
}

int send(int n) {
  switch (kind) {
  case "sock":
    return socket_write(handle, chunk(n));
  case "ws":
    return websocket_send(handle, chunk(n));
  case "grpc":
  case "serve":
    return grpc_send(handle, ([ "seq": n, "text": chunk(n)[8..] ]));
  case "mqtt":
    return mqtt_publish(handle, "stall/n", chunk(n), 1, 0);
  case "mqtt0":
    return mqtt_publish(handle, "stall/n", chunk(n), 0, 0);
  case "http":
    return requested(http_request("POST", "http://127.0.0.1:" + handle + "/", ([ ]), chunk(n),
                                  (: http_answered :), ([ "timeout": 60 ])));
  }
  return 0;
}

// Whether an answer means the message was taken: 1, or for a socket
// EECALLBACK (taken, the write callback comes when the queue drains).
int took(int answer) {
  return answer == 1 || (kind == "sock" && answer == -29);
}

void pump() {
  if (!pumping) {
    return;
  }
  for (int i = 0; i < 100; i++) {
    int answer = send(taken + 1);
    answers[answer]++;
    if (!took(answer)) {
      refused++;
      break;
    }
    taken++;
  }
  call_out("pump", 0.02);
}

void begin() {
  if (!pumping) {
    pumping = 1;
    pump();
  }
}

// Sockets: the write callback runs once connected and then each time
// the queue drains after EECALLBACK.
void writable(int fd) {
  callbacks++;
  begin();
}

void sock_read(int fd, mixed data) { }

void sock_closed(int fd) { }

void ws_message(mixed message, int id) { }

void ws_closed(mixed code, mixed reason, int id) { }

void grpc_heard(mixed a, mixed b, mixed c) { }

void mq_message(string topic, mixed payload, int id) { }

void http_answered(mixed status, mixed headers, mixed body) {
  callbacks++;
}

void mq_event(string event, mixed detail, int id) {
  if (event == "connected") {
    begin();
  }
}

mapping *Pour(mapping item) {
  return ({ });
}

mapping Gulp(mapping *items) {
  return ([ ]);
}

// The served stream's first request starts the pump on its handle.
mixed Drink(mapping item, int stream) {
  if (item && !handle) {
    handle = stream;
    begin();
  }
  return 0;
}

string start(string what, int port) {
  kind = what;
  switch (kind) {
  case "sock":
    handle = socket_create(1, "sock_read", "sock_closed");
    return "STARTED " + socket_connect(handle, "127.0.0.1 " + port, "sock_read", "writable");
  case "ws":
    handle = websocket_connect("ws://127.0.0.1:" + port + "/", (: ws_message :), (: ws_closed :));
    begin();
    return "STARTED " + (handle > 0);
  case "grpc":
    grpc_load_proto("/flood.proto");
    handle = grpc_stream("http://127.0.0.1:" + port, "flood.Flood/Drink", (: grpc_heard :));
    begin();
    return "STARTED " + (handle > 0);
  case "serve":
    grpc_load_proto("/flood.proto");
    return "STARTED " + (grpc_serve(port, "flood.Flood", this_object()) > 0);
  case "http":
    handle = port;
    begin();
    return "STARTED 1";
  case "mqtt":
  case "mqtt0":
    handle = mqtt_connect("127.0.0.1", port, ([ "client_id": "stalled", "protocol": "3.1.1" ]),
                          (: mq_message :), (: mq_event :));
    if (kind == "mqtt0") {
      begin();
    }
    return "STARTED " + (handle > 0);
  }
  return "STARTED 0";
}

// Ends the pump; a gRPC stream is closed, so its peer sees the end.
string stop() {
  pumping = 0;
  remove_call_out("pump");
  if (kind == "grpc" || kind == "serve") {
    grpc_close_send(handle);
  }
  return state();
}

// Ends the pump and closes the socket or websocket with its output still
// queued.
string close() {
  pumping = 0;
  remove_call_out("pump");
  if (kind == "ws") {
    websocket_close(handle);
    return "CLOSED 1";
  }
  return "CLOSED " + socket_close(handle);
}

// "STATE taken refused callbacks answer:count ...."
string state() {
  string text = "STATE " + taken + " " + refused + " " + callbacks;
  foreach (int answer in sort_array(keys(answers), 1)) {
    text += " " + answer + ":" + answers[answer];
  }
  return text + ".";
}
