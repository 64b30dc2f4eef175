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

// Takes a living name and looks itself up as a player, then sends a NUL.
int do_findme(string arg) {
  enable_commands();
  set_living_name(arg);
  write("PLAYER " + (find_player(arg) == this_object() ? "me" : "other")
        + " LIVING " + (find_living(arg) == this_object() ? "me" : "other") + "\n");
  write("NUL " + send_nullbyte(this_object()) + "\n");
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

// The client protocols beyond GMCP.
int do_protocols(string arg) {
  write(sprintf("PROTOCOLS mxp=%d msdp=%d zmp=%d msp=%d charmode=%d\n",
    has_mxp(this_object()), has_msdp(this_object()), has_zmp(this_object()),
    has_msp(this_object()), query_charmode(this_object())));
  return 1;
}

int do_send(string arg) {
  switch (arg) {
  case "msdp": send_msdp_variable("HP", 42); break;
  case "msdp float": send_msdp_variable("RATE", 1.5); break;
  case "zmp": send_zmp("zmp.ping", ({ "a", 7, "b" })); break;
  case "oob": telnet_msp_oob("!!SOUND(cow.wav)"); break;
  case "nop": telnet_nop(); break;
  case "ga": telnet_ga(); break;
  case "mxp": act_mxp(); break;
  }
  write("SENT " + arg + "\n");
  return 1;
}

int do_ports(string arg) {
  write("PORTS " + implode(map(sys_network_ports(), (: sprintf("%d:%s:%d:%d", $1[0], $1[1], $1[2], $1[3]) :)), " ") + "\n");
  return 1;
}

// What the driver knows of this connection.
int do_netinfo(string arg) {
  object me = this_object();
  write(sprintf("NETINFO ip=%s name=%s port=%d idle=%d input=%d\n", query_ip_number(me),
    query_ip_name(me), query_ip_port(me), query_idle(me), in_input(me)));
  return 1;
}

void got_pending(string s) {
  write("GOT " + s + " input=" + in_input(this_object()) + "\n");
}

// An input_to is pending until the next line; remove_get_char() cancels
// a get_char.
int do_pending(string arg) {
  if (arg == "cancel") {
    get_char("got_key");
    write(sprintf("CANCEL %d %d %d %d\n", in_input(this_object()),
      remove_get_char(this_object()), remove_get_char(this_object()), in_input(this_object())));
    return 1;
  }
  input_to("got_pending");
  write("PENDING input=" + in_input(this_object()) + "\n");
  return 1;
}

// receive() sends text, or the bytes of a buffer, as they are.
int do_raw(string arg) {
  receive("RAW " + arg + "\n");
  receive(string_encode("BYTES\n", "utf-8"));
  flush_messages(this_object());
  flush_messages();
  return 1;
}

int do_encoding(string arg) {
  string set;
  if (catch(set = arg == "reset" ? set_encoding() : set_encoding(arg))) {
    write("ENCODING REFUSED " + query_encoding() + "\n");
    return 1;
  }
  write("ENCODING " + set + " " + query_encoding() + " \u4e2d\n");
  return 1;
}

// The telnet requests about the terminal.
int do_term(string arg) {
  switch (arg) {
  case "type": request_term_type(); break;
  case "restart": start_request_term_type(); break;
  case "size": request_term_size(); break;
  case "nosize": request_term_size(0); break;
  }
  write("TERM " + arg + "\n");
  return 1;
}

int do_snoops(string arg) {
  object watching = query_snooping(this_object()), watcher = query_snoop(this_object());
  write("SNOOPS watching=" + (watching ? watching->query_name() : "none") + " watched_by=" +
    (watcher ? watcher->query_name() : "none") + "\n");
  return 1;
}

// Drops the connection but keeps the object.
int do_drop(string arg) {
  object me = this_object();
  write("DROPPING\n");
  debug_message("DROPPED " + remove_interactive(me) + " " + interactive(me) + " " +
    remove_interactive(me));
  return 1;
}

int do_reload(string arg) {
  string err = catch(sys_reload_tls(to_int(arg)));
  write(err ? "RELOAD FAILED " + err : "RELOADED\n");
  return 1;
}

int do_stats(string arg) {
  mapping m = network_stats();
  write(sprintf("STATS in=%d out=%d port_in=%d\n", m["incoming volume total"],
    m["outgoing volume total"], m["incoming volume port " + port]));
  return 1;
}

void mxp_enable() { debug_message("MXP ON " + name); }
void msp_enable() { debug_message("MSP ON"); }
void msdp_enable() { debug_message("MSDP ON"); }
void msdp(string data) { write("MSDP[" + replace_string(replace_string(data, "\x01", "<v>"), "\x02", "<=>") + "]\n"); }
void zmp_command(string command, string *args) { write("ZMP " + command + "(" + implode(args, ",") + ")\n"); }
int mxp_tag(string tag) {
  write("MXPTAG " + tag[1..] + "\n");
  return 1;
}

void got_name(string s) {
  name = s;
  write("Hello " + name + ".\n");
  add_action("do_echo", "echo");
  add_action("do_findme", "findme");
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
  add_action("do_protocols", "protocols");
  add_action("do_send", "send");
  add_action("do_ports", "ports");
  add_action("do_stats", "stats");
  add_action("do_reload", "reload");
  add_action("do_netinfo", "netinfo");
  add_action("do_pending", "pending");
  add_action("do_raw", "raw");
  add_action("do_encoding", "encoding");
  add_action("do_term", "term");
  add_action("do_snoops", "snoops");
  add_action("do_drop", "drop");
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
