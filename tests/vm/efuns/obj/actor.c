// Turns its commands on and off when told and lists the verbs it has.
void on(int meet) { enable_commands(meet); }
void off() { disable_commands(); }
mixed *verbs() { return commands(); }
