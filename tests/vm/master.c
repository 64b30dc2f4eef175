// Master of the VM test mudlib: flag("NAME") loads /NAME.c, runs its
// run(), and prints PASS or FAIL with the failing checks. A run() returns
// "" when every check passed, else the failures.
void log_error(string file, string message) {
  debug_message("COMPILE-ERROR " + message);
}

mixed *epilog(int load_empty) { return ({ }); }

// /gip_user.c searches /gip before the configured include directories.
mixed get_include_path(string file) {
  if (file == "/gip_user.c") {
    return ({ "/gip", ":DEFAULT:" });
  }
  return ({ ":DEFAULT:" });
}

// efun:: calls are recorded; /no_override may not make them.
mixed *overrides = ({ });

int valid_override(string file, string name, string main) {
  overrides += ({ ({ file, name, main }) });
  return file != "/no_override";
}

mixed *query_overrides() { return overrides; }

// Every object may load but /refused.
int valid_object(object ob) {
  return file_name(ob) != "/refused";
}

// Virtual objects: any /virtual/NAME is a counter starting at NAME's length,
// except /virtual/none, which does not exist.
mixed compile_object(string file, int is_clone) {
  if (file[0..8] != "/virtual/" || file == "/virtual/none") {
    return 0;
  }
  return clone_object("/counter", strlen(file) - 9);
}

// Runs one test file and reports it; returns 1 when it passed.
int run_test(string name) {
  object ob;
  string err;
  mixed result;

  err = catch(ob = load_object("/" + name));
  if (err || !ob) {
    debug_message("FAIL " + name + ": load: " + err);
    return 0;
  }
  err = catch(result = ob->run());
  if (err) {
    debug_message("FAIL " + name + ": " + err);
    return 0;
  }
  if (result != "") {
    debug_message("FAIL " + name + ": " + result);
    return 0;
  }
  debug_message("PASS " + name);
  return 1;
}

// flag("one:DIR/NAME") runs one file of a directory of tests and goes on;
// flag("done") ends the run. Any other flag runs one test and stops.
void flag(string name) {
  object ob;
  string err;
  mixed result;

  if (name == "done") {
    shutdown(0);
    return;
  }
  if (name[0..3] == "one:") {
    run_test(name[4..]);
    return;
  }

  err = catch(ob = load_object("/" + name));
  if (err || !ob) {
    debug_message("FAIL " + name + ": load: " + err);
    shutdown(1);
    return;
  }
  if (name == "uncaught") {
    // Errors here reach the driver, which prints them with a trace.
    result = ob->run();
  }
  err = catch(result = ob->run());
  if (err) {
    debug_message("FAIL " + name + ": " + err);
    shutdown(1);
    return;
  }
  if (result != "") {
    debug_message("FAIL " + name + ": " + result);
    shutdown(1);
    return;
  }
  debug_message("PASS " + name);
  shutdown(0);
}

// User ids, privileges and statistics: files in a directory u/NAME/
// belong to NAME, everything else to Root.
string get_root_uid() { return "Root"; }
string get_bb_uid() { return "Backbone"; }

// The NAME of a path with a u/NAME/ directory in it, else 0.
string owner_of(string file) {
  string *parts = explode(file, "/");
  int i = member_array("u", parts);
  if (i >= 0 && i + 2 < sizeof(parts)) return parts[i + 1];
  return 0;
}

string creator_file(string file) { return owner_of(file) || "Root"; }

string domain_file(string file) { return owner_of(file) ? "users" : "base"; }

string author_file(string file) { return creator_file(file); }

string privs_file(string file) { return "privs:" + creator_file(file); }

int valid_seteuid(object ob, string euid) { return euid != "Forbidden"; }

// Words parse_command() lets stand for any object, and its prepositions.
string *parse_command_id_list() { return ({ "one", "thing" }); }
string *parse_command_plural_id_list() { return ({ "ones", "things", "them" }); }
string *parse_command_adjectiv_id_list() { return ({ "iffish" }); }
string *parse_command_prepos_list() { return ({ "in", "on", "under", "out of" }); }
string parse_command_all_word() { return "all"; }

// The parser's errors, as they come: the kind and what it is about.
mixed parser_error_message(int kind, object ob, mixed arg, mixed flag) {
  return ({ kind, ob, arg, flag });
}

// Objects that say so may hide and see hidden objects.
int valid_hide(object ob) { return ob->query_may_hide(); }

// Objects that ask for it refuse to become the owner of a bound function.
int valid_bind(object binder, object old_owner, object new_owner) {
  return !new_owner->query_refuse_bind();
}

// include_file() and inherit_program(): rules set by master_compile.c map
// an include or inherit name to a new name (a string), its text (an array
// of lines) or a refusal (0); other names stand. Every call is recorded.
mapping include_rules = ([ ]), inherit_rules = ([ ]);
mixed *compile_calls = ({ });

void set_include_rule(string name, mixed answer) { include_rules[name] = ({ answer }); }
void set_inherit_rule(string name, mixed answer) { inherit_rules[name] = ({ answer }); }
void clear_compile_rules() { include_rules = ([ ]); inherit_rules = ([ ]); }
mixed *query_compile_calls() { return compile_calls; }

mixed include_file(string compiled, string from, string path) {
  compile_calls += ({ ({ "include", compiled, from, path }) });
  return include_rules[path] ? include_rules[path][0] : path;
}

mixed inherit_program(string from, string path, int priv) {
  compile_calls += ({ ({ "inherit", from, path, priv }) });
  return inherit_rules[path] ? inherit_rules[path][0] : path;
}
