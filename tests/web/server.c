// A server that goes away: it serves for two seconds, then destructs
// itself, which closes its port.
void leave() {
  destruct(this_object());
}

void start(int port) {
  http_serve(port, (: ([ "body": "temporary" ]) :), ([ "host": "127.0.0.1" ]));
  call_out("leave", 2);
}
