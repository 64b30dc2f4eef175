// Used by the notify_destruct test: asks to hear of its own destruct.
object watcher;
int fail;

void create() { set_notify_destruct(1); }
void watch(object w, int fails) { watcher = w; fail = fails; }
void quiet() { set_notify_destruct(0); }
void on_destruct() {
  watcher->notified(this_object());
  if (fail) error("on_destruct failed");
}
