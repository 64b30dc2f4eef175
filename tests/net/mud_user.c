// The user object of the MUD port: every packet's value arrives whole in
// process_input and is described back as plain text.
void logon() {
  write("MUD READY\n");
}

void process_input(mixed value) {
  write(sprintf("GOT %O\n", value));
}

void net_dead() {
  debug_message("MUD NETDEAD");
}
