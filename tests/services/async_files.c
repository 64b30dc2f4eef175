// async_write, async_read and async_getdir round trips; each step starts
// in the callback of the one before.
void say(string what) { debug_message("ASYNC " + what); }

void step_missing() {
  async_read("/no_such_file", function(mixed res) {
    say("missing " + res);
    async_getdir("/nowhere/", function(mixed res) {
      say("nowhere " + sizeof(res));
      shutdown(0);
    });
  });
}

void step_dir() {
  mkdir("/listing");
  write_file("/listing/b", "2");
  write_file("/listing/a", "1");
  async_getdir("/listing/", function(mixed res) {
    say("dir " + implode(res, ","));
    step_missing();
  });
}

void step_append() {
  async_write("/out.txt", " world", 0, function(int res) {
    say("append " + res);
    async_read("/out.txt", function(mixed text) {
      say("read2 " + text);
      step_dir();
    });
  });
}

void start() {
  mixed name = "not_a_function";
  int r = catch(async_read("/out.txt", name)) ? 1 : 0;
  say("name callback refused " + r);
  async_write("/out.txt", "hello", 1, function(int res) {
    say("write " + res);
    async_read("/out.txt", function(mixed text) {
      say("read " + text);
      step_append();
    });
  });
  async_write("/", "x", 1, function(int res) { say("write dir " + res); });
}
