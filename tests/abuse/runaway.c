// Its heart beat never ends by itself.
void create() {
  set_heart_beat(1);
}

void heart_beat() {
  debug_message("HEART_BEAT STARTS");
  while (1) ;
}
