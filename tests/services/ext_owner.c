// Starts a helper process that would run for a long time; the external
// test destructs this object and checks that the process died with it.
int start_sleeper() {
  return external_start(2, ({ "-c", "echo up; while :; do sleep 1; done" }),
                        function(int f, string text) {}, 0, 0);
}
