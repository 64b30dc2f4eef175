// The external package against real programs: /bin/cat as command 1 and
// /bin/sh as command 2 (see the config the driver test writes). Each step
// starts when the one before has ended; the last shuts the driver down.
string data;
int fd;

void say(string what) { debug_message("EXT " + what); }
void step_sh();
void step_term();
void step_flood();
void step_refused();
void step_owner();

void start() {
  data = "";
  fd = external_start(1, ({ }), function(int f, string text) {
    data += text;
    if (data == "ping\n") {
      say("cat echoed " + data[0..<2]);
      // An empty write closes the input, so cat ends.
      external_write_process(fd, "");
    }
  }, function(int f) {}, function(int f) {
    mapping st = external_status(f);
    say("cat closed running " + st["running"] + " exit " + st["exit_code"]);
    step_sh();
  });
  say("cat fd " + (fd > 0));
  say("cat queued " + external_write_process(fd, "ping\n"));
  say("cat running " + external_status(fd)["running"]);
}

void step_sh() {
  data = "";
  fd = external_start(2, ({ "-c", "echo out; echo err >&2; exit 3" }),
    function(int f, string text) { data += text; }, 0,
    function(int f) {
      mapping st = external_status(f);
      say("sh output " + replace_string(data, "\n", "|"));
      say("sh exit " + st["exit_code"] + " signal " + st["signal"]);
      step_term();
    });
}

void step_term() {
  data = "";
  fd = external_start(2, ({ "-c", "trap '' TERM; echo ready; while :; do sleep 1; done" }),
    function(int f, string text) {
      data += text;
      if (data == "ready\n") {
        say("term sent " + external_kill(f, 15));
        call_out(function(int f) {
          say("after term running " + external_status(f)["running"]);
          say("kill sent " + external_kill(f, 9));
        }, 1, f);
      }
    }, 0,
    function(int f) {
      mapping st = external_status(f);
      say("term closed running " + st["running"] + " signal " + st["signal"]);
      say("kill after end " + external_kill(f, 9));
      step_flood();
    });
}

void step_flood() {
  fd = external_start(2, ({ "-c", "while :; do echo x; done" }), 0, 0,
    function(int f) {
      string out = external_read_process(f, 100000000);
      mapping st = external_status(f);
      say("flood bytes " + strlen(out) + " signal " + st["signal"]);
      say("flood rest " + strlen(external_read_process(f, 10)));
      step_refused();
    });
  say("flood fd " + (fd > 0));
}

void step_refused() {
  say("refused " + external_start(2, ({ "refused" }), 0, 0, 0));
  say("unknown " + (catch(external_start(9, ({ }), 0, 0, 0)) ? "error" : "none"));
  say("status of nothing " + external_status(123456));
  step_owner();
}

// A process dies with the object that started it, long before its wall
// time (two seconds in the test's config) would end it.
void step_owner() {
  object owner = clone_object("/ext_owner");
  int f = owner->start_sleeper();
  say("owner started running " + external_status(f)["running"]);
  destruct(owner);
  call_out(function(int f) {
    mapping st = external_status(f);
    say("owner gone running " + st["running"] + " signal " + st["signal"]);
    shutdown(0);
  }, 1, f);
}
