// gRPC unary calls per second between the driver and a tonic peer, run by
// driver/examples/grpcbench.rs. call(target) keeps INFLIGHT calls of
// bench.Echo/Call going to the peer's server at target (each answer starts
// the next call) for WINDOW seconds, prints the rate and stops the driver;
// serve(port) serves bench.Echo from this object for the peer's client.

#define WINDOW 5
#define INFLIGHT 16

string target;
int started, calls, failures, running;

void report(string line) {
  debug_message(line);
}

// The service method: echoes the request back.
mapping Call(mapping ping) {
  return ([ "n": ping["n"], "text": ping["text"] ]);
}

void next_call(int n);

// Gets the response and the call id, or a status code, message and call id.
void answered(int n, mixed reply, mixed b, mixed c) {
  if (mapp(reply)) {
    // proto3 JSON gives int64 as a string or an int: compare as text.
    if ("" + reply["n"] != "" + n) failures++;
    else calls++;
  } else if (reply != 0) {
    failures++;
    if (failures < 4) report(sprintf("grpc call failed: %O %O", reply, b));
  }
  if (running) next_call(n + INFLIGHT);
}

void next_call(int n) {
  grpc_call(target, "bench.Echo/Call", ([ "n": n, "text": "ping" ]), (: answered, n :));
}

void finish() {
  int ns = perf_counter_ns() - started;
  running = 0;
  report(sprintf("gRPC unary calls (grpc_call -> tonic server, %d in flight): "
                 "%d calls in %d ms = %d calls/s, %d failures",
                 INFLIGHT, calls, ns / 1000000, calls * 1000000000 / ns, failures));
  shutdown(failures ? 1 : 0);
}

int call(string to) {
  target = to;
  grpc_load_proto("/bench.proto");
  running = 1;
  started = perf_counter_ns();
  for (int i = 0; i < INFLIGHT; i++) next_call(i);
  call_out("finish", WINDOW);
  return 1;
}

int serve(int port) {
  grpc_load_proto("/bench.proto");
  return grpc_serve(port, "bench.Echo", this_object()) > 0;
}
