// MQTT messages per second through a broker, from LPC to LPC: start(port,
// protocol) connects a publisher and a subscriber, then for each QoS (0, 1
// and 2) keeps INFLIGHT messages on their way (each one received lets the
// publisher send the next) for WINDOW seconds, prints the rate and stops
// the driver after the last.

#define WINDOW 3
#define INFLIGHT 256
#define PAYLOAD "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

int pub, sub, qos, got, bad, started, running, phase;
string protocol;
int *rates = ({ });

void report(string line) {
  debug_message(line);
}

void publish_one() {
  mqtt_publish(pub, "bench/data", PAYLOAD, qos, 0);
}

void end_phase();

void begin_phase() {
  got = 0;
  bad = 0;
  running = 1;
  started = perf_counter_ns();
  for (int i = 0; i < INFLIGHT; i++) publish_one();
  call_out("end_phase", WINDOW);
}

// The marker goes out on the publisher's connection after the last phase's
// messages, so it arrives once they have drained.
void ready() {
  mqtt_publish(pub, "bench/ready", "" + phase, qos, 0);
}

void end_phase() {
  int ns = perf_counter_ns() - started;
  running = 0;
  rates += ({ got * 1000000000 / ns });
  report(sprintf("MQTT %s QoS %d (LPC publisher -> broker -> LPC subscriber, %d in flight): "
                 "%d messages in %d ms = %d messages/s, %d bad",
                 protocol, qos, INFLIGHT, got, ns / 1000000, got * 1000000000 / ns, bad));
  if (qos == 2) {
    mqtt_disconnect(pub);
    mqtt_disconnect(sub);
    shutdown(bad ? 1 : 0);
    return;
  }
  qos++;
  phase++;
  call_out("ready", 1);
}

void received(string topic, mixed payload, int handle) {
  if (topic == "bench/ready") {
    if (payload == "" + phase) begin_phase();
    return;
  }
  if (!running) return;
  if (payload != PAYLOAD) bad++;
  got++;
  publish_one();
}

void event(string name, mixed detail, int handle) {
  if (name == "disconnected") report("MQTT " + (handle == pub ? "publisher" : "subscriber")
                                     + " lost its connection: " + detail);
  if (name == "connected" && handle == sub) {
    mqtt_subscribe(sub, "bench/#", 2);
    // Published after the subscription on the same connection, so it
    // comes back once the subscription is in place.
    mqtt_publish(sub, "bench/ready", "0", 0, 0);
  }
}

int start(int port, string proto) {
  mapping options = ([ "protocol": proto, "keep_alive": 60, "reconnect": 0 ]);
  protocol = proto;
  pub = mqtt_connect("127.0.0.1", port, options + ([ "client_id": "bench-pub" ]),
                     (: received :), (: event :));
  sub = mqtt_connect("127.0.0.1", port, options + ([ "client_id": "bench-sub" ]),
                     (: received :), (: event :));
  return pub > 0 && sub > 0;
}
