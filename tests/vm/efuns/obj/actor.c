// Turns its commands on and off when told and lists the verbs it has.
void on(int meet) { enable_commands(meet); }
void off() { disable_commands(); }
mixed *verbs() { return commands(); }
int twiddle(string arg) { return 1; }

// Gives itself a verb while it has no environment: disabling its commands
// keeps that one.
int keep_own_verb() {
  enable_commands();
  add_action("twiddle", "twiddle");
  disable_commands();
  return sizeof(commands());
}
