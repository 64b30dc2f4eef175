// Master of the benchmark mudlib. flag("json:PATH") runs /json_bench.c
// against the LPC JSON library at mudlib path PATH; flag("db:sqlite") and
// flag("db:postgres/HOST/DATABASE/USER/PASSWORD") run /db_bench.c. Each
// prints its report and stops the driver. flag("http:PORT") starts the
// server of /http_bench.c and leaves the driver running for a client;
// flag("grpc-serve:PORT") does the same with the gRPC server of
// /grpc_bench.c. flag("grpc-call:URL") runs /grpc_bench.c's calls to a
// gRPC server at URL and flag("mqtt:PORT:PROTOCOL") runs /mqtt_bench.c
// against a broker on PORT; both stop the driver themselves.
mixed *epilog(int load_empty) { return ({ }); }

// The PostgreSQL password that valid_database hands to db_connect.
string db_password;

void log_error(string file, string message) {
  debug_message("COMPILE-ERROR " + message);
}

mixed valid_database(object caller, string action, mixed *info) {
  if (action == "connect" && db_password) return db_password;
  return 1;
}

void usage() {
  debug_message("usage: -fjson:/path/of/the/lpc/json/library | -fdb:sqlite | "
                "-fdb:postgres/HOST:PORT/DATABASE/USER/PASSWORD | -fhttp:PORT | -fgrpc-serve:PORT | "
                "-fgrpc-call:URL | "
                "-fmqtt:PORT:PROTOCOL");
  shutdown(2);
}

void flag(string arg) {
  string err;
  string *parts;

  if (arg[0..4] == "json:") {
    err = catch(load_object("/json_bench")->run(arg[5..]));
  } else if (arg == "db:sqlite") {
    err = catch(load_object("/db_bench")->run_sqlite());
  } else if (arg[0..11] == "db:postgres/") {
    parts = explode(arg[12..], "/");
    if (sizeof(parts) != 4) {
      usage();
      return;
    }
    db_password = parts[3];
    err = catch(load_object("/db_bench")->run_postgres(parts[0], parts[1], parts[2]));
  } else if (arg[0..4] == "http:") {
    // The server keeps the driver running until the client stops it.
    if (!load_object("/http_bench")->start(to_int(arg[5..]))) {
      debug_message("http_serve failed on port " + arg[5..]);
      shutdown(1);
    }
    return;
  } else if (arg[0..10] == "grpc-serve:") {
    // The server keeps the driver running until the client stops it.
    if (!load_object("/grpc_bench")->serve(to_int(arg[11..]))) {
      debug_message("grpc_serve failed on port " + arg[11..]);
      shutdown(1);
    }
    return;
  } else if (arg[0..9] == "grpc-call:") {
    // The benchmark stops the driver when its time is up.
    load_object("/grpc_bench")->call(arg[10..]);
    return;
  } else if (arg[0..4] == "mqtt:") {
    parts = explode(arg[5..], ":");
    // The benchmark stops the driver when its time is up.
    if (sizeof(parts) != 2 || !load_object("/mqtt_bench")->start(to_int(parts[0]), parts[1])) {
      debug_message("mqtt_connect failed: " + arg);
      shutdown(1);
    }
    return;
  } else {
    usage();
    return;
  }
  if (err) {
    debug_message("benchmark failed: " + err);
    shutdown(1);
    return;
  }
  shutdown(0);
}
