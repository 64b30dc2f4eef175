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

// Client streaming: every line of the stream at once, one answer.
mapping Collect(mapping *lines) {
  return ([ "code": sizeof(lines), "echo": implode(map(lines, (: $1["text"] :)), "+") ]);
}

// Both ways: the lines back in reverse order, shouted.
mapping *Chatter(mapping *lines) {
  mapping *out = ({ });
  foreach (mapping line in lines) {
    out = ({ ([ "who": "echo", "text": upper_case(line["text"]) ]) }) + out;
  }
  return out;
}
