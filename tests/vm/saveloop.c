// Saves itself over and over, each save a little different, until the
// driver is killed: driver/tests/save_crash.rs checks that the save file
// on disk is always one whole save.
int counter;
string payload;

string run() {
  payload = "";
  debug_message("SAVING");
  for (int i = 1; i < 1000000; i++) {
    counter = i;
    if (strlen(payload) >= 20000) payload = "";
    payload += "x";
    save_object("/saveloop_data");
  }
  return "";
}
