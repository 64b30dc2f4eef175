// The handler of the gRPC test service chat.Chat: one function per method.
mapping Send(mapping line) {
  return ([ "code": 7, "echo": line["who"] + ":" + line["text"] + ":" + line["count"] ]);
}

mapping *Replay(mapping line) {
  return ({ ([ "who": "a", "text": line["text"] ]),
            ([ "who": "b", "text": line["text"], "count": 2 ]) });
}

mapping Fail(mapping line) {
  error("cannot send");
}
