// The server side of the HTTP benchmark: start(port) serves every request
// from an LPC handler that answers with a small JSON body built from the
// request, so each answer costs a call into LPC and back.
int served;

mapping handle(mapping request) {
  served++;
  return ([
    "status": 200,
    "headers": ([ "content-type": "application/json" ]),
    "body": json_encode(([ "path": request["path"], "n": served ])),
  ]);
}

int start(int port) {
  return http_serve(port, (: handle :), ([ "host": "127.0.0.1" ]));
}
