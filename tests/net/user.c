// A user object for the network tests: asks a name with input_to, then
// binds a few verbs with add_action and answers through write().
string name;
int port, width, height;
string term = "unknown";
string *gmcp_seen = ({ });

void set_port(int p) { port = p; }

void logon() {
  write("Welcome on port " + port + ".\nWhat is your name? ");
  input_to("got_name");
}

int do_echo(string arg) {
  write("ECHO: " + arg + "\n");
  return 1;
}

int do_say(string arg) {
  write("SAY[" + query_verb() + "]: " + arg + "\n");
  return 1;
}

int do_fail(string arg) {
  notify_fail("No way.\n");
  // Taking the command would print nothing: the check is that the message
  // is there to be read back.
  return query_notify_fail() != "No way.\n";
}

int do_who(string arg) {
  write("USERS " + sizeof(users()) + " " + (interactive(this_object()) ? "interactive" : "not") + "\n");
  return 1;
}

void tock(int n) {
  write("TOCK " + n + " " + (this_player() == this_object() ? "me" : "other") + "\n");
}

int do_tick(string arg) {
  call_out("tock", 0.2, 7);
  write("ticking\n");
  return 1;
}

void got_secret(string s, string extra) {
  write("SECRET " + strlen(s) + " " + extra + "\n");
}

int do_secret(string arg) {
  input_to("got_secret", 1, "extra");
  write("Password: ");
  return 1;
}

void got_key(string c) {
  write("KEY[" + c + "]\n");
}

int do_key(string arg) {
  get_char("got_key");
  return 1;
}

int do_size(string arg) {
  write("SIZE " + width + "x" + height + " " + term + "\n");
  return 1;
}

int do_quit(string arg) {
  write("Bye.\n");
  destruct(this_object());
  return 1;
}

int do_tell(string arg) {
  foreach (object u in users()) {
    if (u != this_object()) tell_object(u, name + " tells you: " + arg + "\n");
  }
  return 1;
}

int do_cmd(string arg) {
  write("COMMAND " + command("echo " + arg) + "\n");
  return 1;
}

void resolved(string name, string address, int key) {
  tell_object(this_object(), "RESOLVED " + name + " " + address + " " + key + "\n");
}

int do_resolve(string arg) {
  write("KEY " + resolve(arg, "resolved") + "\n");
  return 1;
}

// exec() moves this connection to a fresh body, which greets it.
int do_body(string arg) {
  object body = clone_object("/body");
  if (!exec(body, this_object())) return notify_fail("exec failed\n");
  tell_object(body, "BODY " + (interactive(body) ? "interactive" : "not") + " " +
    (interactive(this_object()) ? "still" : "gone") + "\n");
  destruct(this_object());
  return 1;
}

// snoop <name>: watch that user's screen.
int do_snoop(string arg) {
  foreach (object u in users()) {
    if (u->query_name() == arg) {
      write("SNOOP " + (snoop(this_object(), u) == u ? "on" : "failed") + "\n");
      return 1;
    }
  }
  write("SNOOP nobody\n");
  return 1;
}

string query_name() { return name; }

void got_name(string s) {
  name = s;
  write("Hello " + name + ".\n");
  add_action("do_echo", "echo");
  add_action("do_say", "'", 2);
  add_action("do_say", "sh", 1);
  add_action("do_fail", "fail");
  add_action("do_who", ({ "who", "users" }));
  add_action("do_tick", "tick");
  add_action("do_secret", "secret");
  add_action("do_key", "key");
  add_action("do_size", "size");
  add_action("do_quit", "quit");
  add_action("do_tell", "tell");
  add_action("do_cmd", "cmd");
  add_action("do_resolve", "resolve");
  add_action("do_body", "body");
  add_action("do_snoop", "snoop");
  add_action((: write("LAMBDA " + $1 + "\n"), 1 :), "lambda");
}

void window_size(int w, int h) { width = w; height = h; }

void terminal_type(string t) { term = t; }

void gmcp(string message) {
  gmcp_seen += ({ message });
  send_gmcp("Echo " + message + " " + has_gmcp(this_object()));
}

void net_dead() {
  debug_message("NETDEAD " + name);
}
