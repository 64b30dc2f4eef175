// The object a telnet connection to the web test mudlib gets: it greets
// and echoes each line, so the metrics test sees bytes and commands.
void logon() {
  write("welcome\n");
}

mixed process_input(string line) {
  write("echo " + line + "\n");
  return 1;
}
