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

// Gives itself two verbs and takes them back: what each remove_action()
// answers, then the verbs left.
mixed *add_and_remove() {
  mixed *answers = ({ });
  enable_commands();
  add_action("twiddle", "twiddle");
  add_action("twiddle", "fiddle");
  answers += ({ remove_action("twiddle", "twiddle") });
  answers += ({ remove_action("twiddle", "twiddle") });
  // The function must match too.
  answers += ({ remove_action("other", "fiddle") });
  answers += ({ implode(map(commands(), (: $1[0] :)), ",") });
  answers += ({ remove_action("twiddle", "fiddle") });
  answers += ({ sizeof(commands()) });
  disable_commands();
  return answers;
}
