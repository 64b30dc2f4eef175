// The LPC side of the web tests: servers whose handlers answer in the
// ways the tests check, and clients that log what they get to /log.txt,
// one line each, for the test to read.

void log(string line) {
  write_file("/log.txt", line + "\n");
}

void answer_later(int id) {
  int first = http_respond(id, ([ "status": 202, "body": "later" ]));
  int again = http_respond(id, ([ "status": 500 ]));
  log("respond " + first + " " + again);
}

mixed handle(mapping req) {
  string path = req["path"];
  if (path == "/hello") {
    return ([ "status": 200,
              "headers": ([ "content-type": "text/plain", "x-test": "yes" ]),
              "body": "hello " + req["method"] + " " + req["query"] ]);
  }
  if (path == "/echo") {
    return ([ "status": 201,
              "body": req["body"] + "|" + req["headers"]["x-name"] + "|" + req["remote"] ]);
  }
  if (path == "/later") {
    call_out("answer_later", 0, req["id"]);
    return 0;
  }
  if (path == "/error") {
    error("the handler fails on purpose");
  }
  if (path == "/never") {
    return 0;
  }
  if (path == "/clone") {
    destruct(clone_object("/mqspeaker"));
    return ([ "status": 200, "body": "cloned" ]);
  }
  if (path == "/stolen") {
    log("respond stolen " + load_object("/other")->use_request(req["id"]));
    return ([ "status": 200, "body": "kept" ]);
  }
  if (path == "/bad") {
    return ([ "status": "teapot" ]);
  }
  return ([ "status": 404, "body": "no page " + path ]);
}

void serve(string port) {
  int h = http_serve(to_int(port), (: handle :),
                     ([ "host": "127.0.0.1", "timeout": 1, "max_body": 64,
                        "static": "/www", "header_timeout": 2 ]));
  log("serve " + (h > 0));
  log("serve bad limit " + catch(http_serve(to_int(port) + 1, (: handle :),
                                            ([ "connections_per_address": "many" ]))));
}

void serve_tls(string port) {
  int h = http_serve(to_int(port), (: handle :),
                     ([ "host": "127.0.0.1", "cert": "/cert.pem", "key": "/key.pem" ]));
  log("serve tls " + (h > 0));
}

// Serves with a handler function of /other, whose object answers.
void serve_other(string port) {
  int h = http_serve(to_int(port), load_object("/other")->handler(), ([ "host": "127.0.0.1" ]));
  log("serve other " + (h > 0));
}

int respond_for(int id) {
  return http_respond(id, ([ "status": 200, "body": "from web" ]));
}

void refuse(string port) {
  log("refused " + http_serve(to_int(port), (: handle :), ([ "host": "127.0.0.1" ])));
}

void got(string name, mixed status, mapping headers, mixed body) {
  if (stringp(status)) {
    log(name + " error " + status);
    return;
  }
  log(name + " " + status + " " + headers["x-peer"] + " " + body);
}

// ARGUMENT is the base URL of the test's server.
void client(string base) {
  http_request("GET", base + "/plain", ([ "x-ask": "me" ]), "", (: got, "get" :));
  http_request("POST", base + "/post", ([ ]), "posted body", (: got, "post" :));
  http_request("GET", base + "/redirect", ([ ]), "", (: got, "redirect" :));
  http_request("GET", base + "/big", ([ ]), "", (: got, "big" :), ([ "max_size": 100 ]));
  http_request("GET", base + "/slow", ([ ]), "", (: got, "slow" :), ([ "timeout": 1 ]));
  http_request("GET", base + "/redirect", ([ ]), "", (: got, "noredirect" :),
               ([ "max_redirects": 0 ]));
}

void tls_client(string base) {
  http_request("GET", base + "/plain", ([ ]), "", (: got, "tls" :), ([ "ca": "/cert.pem" ]));
  http_request("GET", base + "/plain", ([ ]), "", (: got, "untrusted" :));
}

void refused_client(string base) {
  http_request("GET", base + "/plain", ([ ]), "", (: got, "nobody" :));
}

void bad_calls(string unused) {
  log("badurl " + catch(http_request("GET", "ftp://x/", ([ ]), "", (: got, "x" :))));
  log("badoption " + catch(http_request("GET", "http://127.0.0.1:1/", ([ ]), "",
                                        (: got, "x" :), ([ "timeut": 1 ]))));
  log("badrespond " + http_respond(424242, ([ ])));
}

int ws;

void ws_message(mixed message, int handle) {
  if (bufferp(message)) {
    log("ws buffer " + sizeof(message));
    websocket_send(handle, "bye");
    return;
  }
  log("ws text " + message);
}

void ws_closed(mixed code, mixed reason, int handle) {
  if (stringp(code)) {
    log("ws failed " + (handle == ws));
    log("ws send after close " + websocket_send(handle, "x"));
    return;
  }
  log("ws closed " + code + " " + reason + " " + (handle == ws));
  log("ws send after close " + websocket_send(handle, "x"));
}

void websocket(string url) {
  ws = websocket_connect(url, (: ws_message :), (: ws_closed :),
                         ([ "headers": ([ "x-who": "lpc" ]), "protocols": ({ "chat" }) ]));
  log("ws queued " + websocket_send(ws, "hi"));
  log("ws stolen " + load_object("/other")->use_websocket(ws));
}

void ws_local_close(mixed message, int handle) {
  log("wsl text " + message);
  websocket_close(handle);
}

void ws_local_closed(mixed code, mixed reason, int handle) {
  log("wsl closed " + code);
}

void websocket_close_test(string url) {
  int h = websocket_connect(url, (: ws_local_close :), (: ws_local_closed :));
  websocket_send(h, "first");
}

void ws_fail_closed(mixed code, mixed reason, int handle) {
  log("wsf " + (stringp(code) ? "error" : "code " + code));
}

void websocket_fail(string url) {
  websocket_connect(url, (: ws_message :), (: ws_fail_closed :), ([ "timeout": 2 ]));
}

// ARG is PORT, or PORT,LIMITED: a second endpoint on LIMITED lets one
// connection per address in.
void graphql(string arg) {
  int h, limited;
  string port = arg;
  if (sscanf(arg, "%s,%d", port, limited) == 2) {
    h = graphql_serve(limited, "/graphql", read_file("/schema.graphql"), load_object("/gql"),
                      ([ "connections_per_address": 1 ]));
    log("graphql limited " + (h > 0));
    log("graphql bad limit " + catch(graphql_serve(limited + 1, "/graphql",
        read_file("/schema.graphql"), load_object("/gql"), ([ "connections_per_address": -1 ]))));
  }
  h = graphql_serve(to_int(port), "/graphql", read_file("/schema.graphql"), load_object("/gql"));
  log("graphql " + (h > 0));
  log("graphql bad schema " + catch(graphql_serve(to_int(port) + 1, "/graphql",
                                                  "type Query { x: Int }", load_object("/gql"))));
}

void gql_answer(string name, mixed data, mixed errors) {
  if (stringp(data)) {
    log(name + " error " + data);
    return;
  }
  if (name == "gqlc") {
    log("gqlc " + implode(map(data["players"], (: $1["name"] + ":" + $1["level"] :)), ","));
    return;
  }
  log(name + " " + errors[0]["message"] + " at " + implode(errors[0]["path"], "."));
}

void gql_client(string url) {
  graphql_query(url, "query($n: String!) { players { name level } player(name: $n) { name } }",
                ([ "n": "ann" ]), (: gql_answer, "gqlc" :));
  graphql_query(url, "{ broken }", ([ ]), (: gql_answer, "gqlerr" :));
  graphql_query("http://127.0.0.1:1/graphql", "{ count }", ([ ]), (: gql_answer, "gqlnobody" :));
}

void temporary(string port) {
  clone_object("/server")->start(to_int(port));
}

// The MQTT tests run against a Mosquitto broker the test starts; the
// flag is PORT:PROTOCOL. Credentials are the broker's only user.
int mq_port;
string mq_protocol;
int watcher;
int connects;
object speaker;
int reconnect_test;

mapping mq_options(string id) {
  return ([ "client_id": id, "protocol": mq_protocol, "keep_alive": 30,
            "username": "mud", "password": "secret" ]);
}

void mq_watch_event(string event, mixed detail, int handle) {
  log("mqtt event " + event + (event == "reconnecting" ? " " + detail : ""));
  if (event == "connected") {
    connects++;
    if (connects == 1) {
      log("mqtt stolen " + load_object("/other")->use_mqtt(handle));
      // Published before the subscription, so only its being retained
      // brings it to this client.
      mqtt_publish(handle, "mud/motd", "welcome", 1, 1);
    }
    mqtt_subscribe(handle, "mud/#", 2);
    if (connects == 1 && !reconnect_test) {
      // A second subscription, cancelled once its first message is in.
      mqtt_subscribe(handle, "aside/#", 1);
    }
    // The broker keeps a client's packets in order: this comes back once
    // the subscription is in place.
    mqtt_publish(handle, "mud/ready", "" + connects, 0, 0);
  }
  if (event == "closed") {
    log("mqtt closed because " + detail);
    log("mqtt publish after close " + mqtt_publish(handle, "mud/x", "late", 0, 0));
  }
}

void mq_bad_event(string event, mixed detail, int handle) {
  if (event == "disconnected") {
    log("mqtt bad password " + detail);
  }
  if (event == "closed") {
    mqtt_disconnect(watcher);
  }
}

void mq_watch_message(string topic, mixed payload, int handle) {
  log("mqtt got " + topic + " " + payload);
  if (topic == "aside/one") {
    log("mqtt unsubscribe " + mqtt_unsubscribe(handle, "aside/#"));
    // Packets stay in order: had the subscription lived on, aside/two
    // would come back before mud/after.
    mqtt_publish(handle, "aside/two", "unheard", 1, 0);
    mqtt_publish(handle, "mud/after", "aside", 1, 0);
  }
  if (topic == "mud/ready" && payload == "1" && !reconnect_test) {
    mqtt_publish(handle, "aside/one", "first", 1, 0);
    speaker = clone_object("/mqspeaker");
    speaker->start(mq_port, mq_options("speaker") + ([
      "will": ([ "topic": "mud/status", "payload": "gone", "qos": 1 ]) ]));
  }
  if (topic == "mud/ready" && payload == "2") {
    mqtt_publish(handle, "mud/back", "again", 1, 0);
  }
  if (topic == "mud/back") {
    mqtt_disconnect(handle);
  }
  if (topic == "mud/room/chat" && payload == "q2") {
    // The speaker goes without a DISCONNECT: the broker sends its will.
    destruct(speaker);
  }
  if (topic == "mud/status") {
    mqtt_connect("127.0.0.1", mq_port,
                 mq_options("intruder") + ([ "password": "wrong", "reconnect": 0 ]),
                 (: mq_watch_message :), (: mq_bad_event :));
  }
}

// The test stops the broker once the first round trip is done, and starts
// it again after two failed attempts.
void mqtt_reconnect(string arg) {
  reconnect_test = 1;
  call_other(this_object(), "mqtt", arg);
}

void mqtt(string arg) {
  string *parts = explode(arg, ":");
  mq_port = to_int(parts[0]);
  mq_protocol = parts[1];
  watcher = mqtt_connect("127.0.0.1", mq_port, mq_options("watcher"),
                         (: mq_watch_message :), (: mq_watch_event :));
  log("mqtt bad option " + catch(mqtt_connect("127.0.0.1", 1, ([ "nonsense": 1 ]),
                                              (: mq_watch_message :), (: mq_watch_event :))));
  log("mqtt bad protocol " + catch(mqtt_connect("127.0.0.1", 1, ([ "protocol": "4" ]),
                                                (: mq_watch_message :), (: mq_watch_event :))));
}

// Against a broker that refuses subscriptions to forbidden/#: a retained
// message published before the subscription, and live ones at QoS 0 and 1.
void mq_flags_event(string event, mixed detail, int handle, mixed code) {
  if (event == "connected") {
    mqtt_publish(handle, "open/kept", "kept", 1, 1);
    mqtt_subscribe(handle, "forbidden/#", 1);
    mqtt_subscribe(handle, "open/#", 2);
    mqtt_publish(handle, "open/low", "low", 0, 0);
    mqtt_publish(handle, "open/live", "now", 1, 0);
  }
  if (event == "refused") {
    log("mqtt refused " + detail + " " + code);
  }
  if (event == "closed") {
    log("mqtt flags closed");
  }
}

void mq_flags_message(string topic, mixed payload, int handle, int qos, int retain) {
  log("mqtt flags " + topic + " " + payload + " qos " + qos + " retain " + retain);
  if (topic == "open/live") {
    mqtt_disconnect(handle);
  }
}

void mqtt_flags(string arg) {
  string *parts = explode(arg, ":");
  mqtt_connect("127.0.0.1", to_int(parts[0]), ([ "client_id": "flags", "protocol": parts[1] ]),
               (: mq_flags_message :), (: mq_flags_event :));
}

void grpc_got(string name, mixed a, mixed b) {
  if (mapp(a)) {
    log(name + " message " + implode(map(sort_array(keys(a), 1), (: $1 + "=" + $(a)[$1] :)), ","));
    return;
  }
  log(name + " status " + a + " " + b);
}

// Serves chat.Chat from /grpcsvc for the test's tonic client.
void grpc_server(string port) {
  log("grpc load " + grpc_load_proto("/chat.proto"));
  log("grpc serve " + (grpc_serve(to_int(port), "chat.Chat", load_object("/grpcsvc"),
                                  ([ "linger": 1 ])) > 0));
  log("grpc serve bad option " + catch(grpc_serve(to_int(port) + 1, "chat.Chat",
                                                  load_object("/grpcsvc"), ([ "nope": 1 ]))));
}

// The same service on a second port, whose streams linger only a moment.
void grpc_brief_server(string port) {
  log("grpc brief serve " + (grpc_serve(to_int(port), "chat.Chat", load_object("/grpcsvc"),
                                        ([ "linger": 0.001 ])) > 0));
}

// A ping-pong over a bidirectional stream: each answer sends the next
// ping, so the exchange only moves if answers come before the requests end.
void ping_heard(mixed a, mixed b, mixed c) {
  if (!mapp(a)) {
    log("pingpong status " + a + " " + b + " " + (c > 0));
    return;
  }
  log("pong " + a["who"] + " " + a["count"] + " " + a["text"]);
  if (a["who"] != "peer") {
    return;
  }
  if (a["count"] < 3) {
    log("ping sent " + grpc_send(b, ([ "text": "ping" + (a["count"] + 1), "count": a["count"] + 1 ])));
    return;
  }
  log("close " + grpc_close_send(b) + " " + grpc_close_send(b) + " " + grpc_send(b, ([ ])));
}

// Calls the test's tonic server at 127.0.0.1:PORT.
void grpc_peer(string port) {
  string target = "http://127.0.0.1:" + port;
  int talk;
  log("grpc load " + grpc_load_proto("/chat.proto"));
  log("grpc bad proto " + catch(grpc_load_proto("/nosuch.proto")));
  grpc_call(target, "chat.Chat/Send", ([ "who": "ann", "text": "hi", "count": 3 ]),
            (: grpc_got, "send" :), ([ "metadata": ([ "x-room": "hall" ]) ]));
  grpc_call(target, "chat.Chat/Replay", ([ "text": "again" ]), (: grpc_got, "replay" :));
  grpc_call(target, "chat.Chat/Fail", ([ ]), (: grpc_got, "fail" :));
  grpc_call(target, "chat.Chat/Collect", ({ ([ "text": "a" ]), ([ "text": "b" ]), ([ "text": "c" ]) }),
            (: grpc_got, "collect" :));
  grpc_call(target, "chat.Chat/Collect", ({ }), (: grpc_got, "collect none" :));
  grpc_call(target, "chat.Chat/Chatter", ({ ([ "text": "x", "count": 1 ]), ([ "text": "y", "count": 2 ]) }),
            (: grpc_got, "chatter" :));
  // Client streaming over time: one answer once the requests end.
  talk = grpc_stream(target, "chat.Chat/Collect", (: grpc_got, "streamed collect" :));
  grpc_send(talk, ([ "text": "p" ]));
  grpc_send(talk, ([ "text": "q" ]));
  grpc_close_send(talk);
  // A conversation left open ends at its deadline.
  talk = grpc_stream(target, "chat.Chat/Chatter", (: grpc_got, "open" :), ([ "deadline": 0.5 ]));
  grpc_send(talk, ([ "text": "hello", "count": 1 ]));
  talk = grpc_stream(target, "chat.Chat/Chatter", (: ping_heard :));
  log("ping sent " + grpc_send(talk, ([ "text": "ping1", "count": 1 ])));
  log("grpc stream stolen " + load_object("/other")->use_grpc(talk));
  log("grpc stream unary " + catch(grpc_stream(target, "chat.Chat/Send", (: grpc_got, "x" :))));
  log("grpc send bad field " + catch(grpc_send(talk, ([ "nope": 1 ]))));
  log("grpc send nowhere " + grpc_send(424242, ([ ])) + " " + grpc_close_send(424242));
  log("grpc array to unary " + catch(grpc_call(target, "chat.Chat/Send", ({ ([ ]) }),
                                               (: grpc_got, "x" :))));
  grpc_call("http://127.0.0.1:1", "chat.Chat/Send", ([ ]), (: grpc_got, "nobody" :),
            ([ "deadline": 5 ]));
  grpc_call(target, "chat.Chat/Slow", ([ ]), (: grpc_got, "slow" :), ([ "deadline": 0.5 ]));
  log("grpc bad method " + catch(grpc_call(target, "chat.Chat/Nope", ([ ]), (: grpc_got, "x" :))));
  log("grpc bad field " + catch(grpc_call(target, "chat.Chat/Send", ([ "nope": 1 ]),
                                          (: grpc_got, "x" :))));
}

void wss_message(mixed message, int handle) {
  log("wss text " + message);
  websocket_close(handle);
}

void wss_closed(mixed code, mixed reason, int handle) {
  log("wss closed " + code);
}

void wss(string url) {
  int h = websocket_connect(url, (: wss_message :), (: wss_closed :), ([ "ca": "/cert.pem" ]));
  websocket_send(h, "secret");
}
