// A player's body: holds the name and turns input into commands.

inherit STD_OBJECT;

private string name;
private mapping aliases = ([ "l": "look", "n": "go north", "s": "go south",
                             "e": "go east", "w": "go west", ]);

void set_name(string s) {
    name = s;
    set_short(CAP(s));
    set_id(s, "player");
}

string query_name() { return name; }

void setup() {
    enable_commands();
    add_action("command_hook", "", 1);
    if (!move(START_ROOM)) move(VOID_ROOM);
    TELL(this_object(), "You arrive.");
    command("look");
}

int command_hook(string arg) {
    string verb = query_verb();
    string expanded = aliases[verb];
    object cmd;

    if (expanded) {
        return command(expanded + (arg ? " " + arg : ""));
    }
    cmd = load_object(CMD_DIR + verb);
    if (!cmd) return 0;
    return cmd->main(this_object(), arg);
}

void receive_message(string type, string msg) {
    receive(msg);
}

void net_dead() {
    destruct(this_object());
}
