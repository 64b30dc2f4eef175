// Records what reaches it through catch_tell() and receive_message();
// created with 1 it is living, so the room messages reach it.
string *heard = ({ });

void create(int live) {
  if (live) enable_commands();
}
void catch_tell(string text) { heard += ({ text }); }
void receive_message(mixed kind, string text) { heard += ({ kind + ":" + text }); }
string query_heard() { return implode(heard, "|"); }
void forget() { heard = ({ }); }
void move_to(object where) { move_object(where); }
