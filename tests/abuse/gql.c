// A GraphQL endpoint for the per-address tests: `{ ping }` answers "pong".
string Query_ping(mapping args, mixed parent) {
  return "pong";
}

int serve(int port, int limit) {
  return graphql_serve(port, "/graphql", "type Query { ping: String }", this_object(),
                       ([ "connections_per_address": limit ]));
}
