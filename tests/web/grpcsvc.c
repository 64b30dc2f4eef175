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

// Both ways, as a conversation: each line is answered as it arrives
// (counted per stream); "later" is answered by a call_out, "stop" ends the
// stream from this side, "boom" fails it, and so does "odd" with an answer
// that is no message; "vanish" destructs this handler; "steal" answers with
// what another object gets when it uses the stream. The end of the
// client's lines gets a last line with their count, unless "wait" came
// first (a call_out answers after the end, then closes the stream),
// "forget" did (the stream is left open until its linger time) or "quiet"
// did (no last line, and the stream ends at once). After "slowend" the
// last line takes a while to work out; after "watch" the end is logged
// (the test's client cancels such a call).
mapping counts = ([ ]);
mapping after_end = ([ ]);

// Keeps the driver busy for about MS milliseconds, with few evaluation
// steps (each is a large hash).
void busy(int ms) {
  int until = perf_counter_ns() + ms * 1000000;
  string text = repeat_string("busy", 100000);
  while (perf_counter_ns() < until) {
    sha1(text);
  }
}

void answer_after_end(int stream, int n) {
  grpc_send(stream, ([ "who": "echo", "text": "after end", "count": n ]));
  grpc_close_send(stream);
}

void answer_later(int stream, int n) {
  grpc_send(stream, ([ "who": "echo", "text": "later", "count": n ]));
}

mixed Chatter(mapping line, int stream) {
  int n;
  if (!line) {
    n = counts[stream];
    map_delete(counts, stream);
    switch (after_end[stream]) {
    case "wait":
      call_out("answer_after_end", 0, stream, n);
      return 0;
    case "forget":
      return 0;
    case "quiet":
      return ({ });
    case "slowend":
      busy(200);
      break;
    case "watch":
      write_file("/log.txt", "watched end " + n + " send " + grpc_send(stream, ([ ])) + "\n");
      return 0;
    }
    return ({ ([ "who": "echo", "text": "bye", "count": n ]) });
  }
  n = ++counts[stream];
  switch (line["text"]) {
  case "later":
    call_out("answer_later", 0, stream, n);
    return 0;
  case "stop":
    return ([ "who": "echo", "text": "stopped " + grpc_close_send(stream) + grpc_close_send(stream),
              "count": n ]);
  case "boom":
    error("boom on purpose");
  case "odd":
    return "not a message";
  case "wait":
  case "forget":
  case "quiet":
  case "slowend":
  case "watch":
    after_end[stream] = line["text"];
    return 0;
  case "steal":
    return ([ "who": "echo", "text": load_object("/other")->use_grpc(stream), "count": n ]);
  case "vanish":
    destruct(this_object());
    return 0;
  }
  return ([ "who": "echo", "text": upper_case(line["text"]), "count": n ]);
}

// Never called: the test's client gives up first.
mapping Slow(mapping line) {
  return ([ ]);
}
