// A user of the abuse mudlib: `echo` answers at once, `abuse NAME` runs
// one of the abusive functions of /abuse.
void logon() {
  write("Welcome.\n");
  add_action("do_echo", "echo");
  add_action("do_abuse", "abuse");
}

int do_echo(string arg) {
  write("ECHO: " + arg + "\n");
  return 1;
}

int do_abuse(string arg) {
  write("ABUSING " + arg + "\n");
  call_other("/abuse", arg);
  write("SURVIVED " + arg + "\n");
  return 1;
}
