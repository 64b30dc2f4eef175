// An MQTT client owned by its own object, so that destructing the object
// drops the connection without a DISCONNECT and the broker sends its will.
void speak(string event, mixed detail, int handle) {
  if (event == "connected") {
    mqtt_publish(handle, "mud/room/chat", "q0", 0, 0);
    mqtt_publish(handle, "mud/room/chat", "q1", 1, 0);
    mqtt_publish(handle, "mud/room/chat", "q2", 2, 0);
  }
}

void start(int port, mapping options) {
  mqtt_connect("127.0.0.1", port, options, function(string t, mixed p, int h) {}, (: speak :));
}
