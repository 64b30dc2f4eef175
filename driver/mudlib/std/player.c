// A player's body: the saved character and every command a player types.
#include <mudlib.h>

// Saved with save_object().
private string name;
private string password;
private int admin;
private string last_room;
private int created;
private int last_login;

// Not saved.
private nosave int linkdead;
private nosave string typed_password;

#define DIRECTIONS ([ "n" : "north", "s" : "south", "e" : "east", "w" : "west", \
                      "u" : "up", "d" : "down", "ne" : "northeast", "nw" : "northwest", \
                      "se" : "southeast", "sw" : "southwest" ])

void look_around();
void quit_game();

// Only the login object and the master may set up a character.
int trusted_caller() {
    object caller = previous_object();

    return caller && (caller == master() || file_name(caller)[0..7] == "/secure/");
}

// Whether this player is the one acting: commands and typed replies run
// with this_player() set to the body that typed them.
int acting() {
    return this_player() == this_object();
}

// ---------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------

string query_name() {
    return name;
}

string query_cap_name() {
    return name ? capitalize(name) : "Someone";
}

int query_admin() {
    return admin || (name && master()->is_listed_admin(name));
}

int query_linkdead() {
    return linkdead;
}

int is_player() {
    return 1;
}

int id(string word) {
    return word == name;
}

string short() {
    return query_cap_name() + (linkdead ? " (link-dead)" : "");
}

string query_long() {
    return query_cap_name() + " is an adventurer" + (query_admin() ? ", and one of the admins" : "") +
        ".\n";
}

// Sends text to this player's connection.
void tell(string text) {
    tell_object(this_object(), text);
}

// Text to everybody else in the same room.
void tell_others(string text) {
    if (environment()) {
        tell_room(environment(), text, ({this_object()}));
    }
}

// ---------------------------------------------------------------------------
// Saving and restoring
// ---------------------------------------------------------------------------

int restore_player(string who) {
    if (!trusted_caller()) {
        return 0;
    }
    name = who;
    if (!restore_object(player_save_file(who))) {
        name = 0;
        return 0;
    }
    return 1;
}

int check_password(string typed) {
    if (!trusted_caller() || !password) {
        return 0;
    }
    return crypt(typed, password) == password;
}

int save_player() {
    string folder;

    if (!name) {
        return 0;
    }
    if (environment()) {
        last_room = file_name(environment());
    }
    folder = PLAYER_DIR + name[0..0];
    if (file_size(folder) != -2) {
        mkdir(folder);
    }
    return save_object(player_save_file(name));
}

int create_character(string who, string hash, int is_admin) {
    if (!trusted_caller()) {
        return 0;
    }
    name = who;
    password = hash;
    admin = is_admin;
    created = time();
    return save_player();
}

// ---------------------------------------------------------------------------
// Entering and leaving the game
// ---------------------------------------------------------------------------

void add_commands();

// Moves the body into a room by path; falls back to the start room, then to
// the void, when a room does not load.
void move_to_room(string path) {
    foreach (string room in ({path, START_ROOM, VOID_ROOM})) {
        if (room && !catch(load_object(room))) {
            move_object(room);
            return;
        }
    }
}

void enter_game(int is_new) {
    if (!trusted_caller()) {
        return;
    }
    enable_commands();
    set_living_name(name);
    add_commands();
    last_login = time();
    move_to_room(last_room);
    tell_others(query_cap_name() + " enters the game.\n");
    if (is_new) {
        tell("\nWelcome, " + query_cap_name() + "! Type 'help' to see what you can do.\n");
        if (admin) {
            tell("You are an administrator of " + MUD_NAME + ": see 'help admin'.\n");
        }
    } else {
        tell("\nWelcome back, " + query_cap_name() + ".\n");
    }
    tell("\n");
    look_around();
    save_player();
}

// A new connection took over this body.
void reconnect() {
    if (!trusted_caller()) {
        return;
    }
    linkdead = 0;
    remove_call_out("linkdead_timeout");
    tell("You are back in your body.\n");
    tell_others(query_cap_name() + " has reconnected.\n");
    look_around();
}

// The driver calls this when the connection drops: the body stays in the
// game, link-dead, until its player returns or the timeout.
void net_dead() {
    linkdead = 1;
    tell_others(query_cap_name() + " has lost their link.\n");
    save_player();
    call_out("linkdead_timeout", LINKDEAD_TIMEOUT);
}

void linkdead_timeout() {
    if (linkdead && !interactive(this_object())) {
        quit_game();
    }
}

void quit_game() {
    object room = environment();

    save_player();
    if (room) {
        foreach (object thing in all_inventory(this_object())) {
            thing->move(room);
        }
    }
    tell_others(query_cap_name() + " leaves the game.\n");
    destruct(this_object());
}

void write_prompt() {
    receive("> ");
}

// ---------------------------------------------------------------------------
// Looking around
// ---------------------------------------------------------------------------

// "north, east and up"
string list_words(string *words) {
    int count = sizeof(words);

    if (count == 0) {
        return "";
    }
    if (count == 1) {
        return words[0];
    }
    return implode(words[0..count - 2], ", ") + " and " + words[count - 1];
}

void look_around() {
    object room = environment();
    string *exits;
    string text;

    if (!room) {
        tell("You float in nothingness.\n");
        return;
    }
    text = room->query_short() + "\n" + room->query_long();
    exits = room->query_exit_directions();
    if (!sizeof(exits)) {
        text += "There are no obvious exits.\n";
    } else if (sizeof(exits) == 1) {
        text += "The only obvious exit is " + exits[0] + ".\n";
    } else {
        text += "Obvious exits: " + list_words(exits) + ".\n";
    }
    foreach (object thing in all_inventory(room)) {
        string description;

        if (thing == this_object()) {
            continue;
        }
        description = thing->short();
        if (!description) {
            continue;
        }
        if (thing->is_player()) {
            text += description + " is here.\n";
        } else {
            text += capitalize(description) + ".\n";
        }
    }
    tell(text);
}

int cmd_look(string arg) {
    object thing;
    string feature;

    if (!arg || arg == "" || arg == "around") {
        look_around();
        return 1;
    }
    sscanf(arg, "at %s", arg);
    thing = present(arg, this_object());
    if (!thing && environment()) {
        thing = present(arg, environment());
    }
    if (thing) {
        tell(thing->query_long());
        return 1;
    }
    feature = environment() ? environment()->query_item(arg) : 0;
    if (feature) {
        tell(feature);
        return 1;
    }
    tell("You see no " + arg + " here.\n");
    return 1;
}

// ---------------------------------------------------------------------------
// Moving
// ---------------------------------------------------------------------------

// Goes through the exit `direction` of the current room, if there is one.
int move_direction(string direction) {
    object from = environment();
    string destination = from ? from->query_exit(direction) : 0;
    string err;

    if (!destination) {
        tell("You cannot go " + direction + " from here.\n");
        return 1;
    }
    err = catch(load_object(destination));
    if (err) {
        tell("Something blocks the way " + direction + ".\n");
        return 1;
    }
    tell_others(query_cap_name() + " leaves " + direction + ".\n");
    move_object(destination);
    tell_others(query_cap_name() + " arrives.\n");
    look_around();
    return 1;
}

int cmd_go(string arg) {
    if (!arg || arg == "") {
        tell("Go where?\n");
        return 1;
    }
    arg = lower_case(arg);
    return move_direction(DIRECTIONS[arg] ? DIRECTIONS[arg] : arg);
}

int cmd_direction(string arg) {
    string verb = query_verb();

    return move_direction(DIRECTIONS[verb] ? DIRECTIONS[verb] : verb);
}

// ---------------------------------------------------------------------------
// Talking
// ---------------------------------------------------------------------------

int cmd_say(string arg) {
    if (!arg || arg == "") {
        tell("Say what?\n");
        return 1;
    }
    tell("You say: " + arg + "\n");
    tell_others(query_cap_name() + " says: " + arg + "\n");
    return 1;
}

int cmd_tell(string arg) {
    string who;
    string text;
    object target;

    if (!arg || sscanf(arg, "%s %s", who, text) != 2) {
        tell("Tell whom what?\n");
        return 1;
    }
    target = find_body(lower_case(who));
    if (!target) {
        tell("Nobody called " + capitalize(who) + " is playing.\n");
        return 1;
    }
    if (target == this_object()) {
        tell("You mutter to yourself.\n");
        return 1;
    }
    if (!interactive(target)) {
        tell(target->query_cap_name() + " is link-dead and cannot hear you.\n");
        return 1;
    }
    tell_object(target, query_cap_name() + " tells you: " + text + "\n");
    tell("You tell " + target->query_cap_name() + ": " + text + "\n");
    return 1;
}

int cmd_emote(string arg) {
    if (!arg || arg == "") {
        tell("Emote what?\n");
        return 1;
    }
    tell(query_cap_name() + " " + arg + "\n");
    tell_others(query_cap_name() + " " + arg + "\n");
    return 1;
}

int cmd_who(string arg) {
    object *bodies = sort_array(player_bodies(), (: strcmp($1->query_name(), $2->query_name()) :));
    string text = sprintf("%d %s in %s:\n", sizeof(bodies),
        sizeof(bodies) == 1 ? "player" : "players", MUD_NAME);

    foreach (object body in bodies) {
        string notes = "";

        if (body->query_admin()) {
            notes += " (admin)";
        }
        if (!interactive(body)) {
            notes += " (link-dead)";
        } else if (query_idle(body) >= 300) {
            notes += sprintf(" (idle %d min)", query_idle(body) / 60);
        }
        text += "  " + body->query_cap_name() + notes + "\n";
    }
    tell(text);
    return 1;
}

// ---------------------------------------------------------------------------
// Things
// ---------------------------------------------------------------------------

int cmd_inventory(string arg) {
    object *things = all_inventory(this_object());
    string text;

    if (!sizeof(things)) {
        tell("You carry nothing.\n");
        return 1;
    }
    text = "You carry:\n";
    foreach (object thing in things) {
        text += "  " + (thing->short() ? thing->short() : file_name(thing)) + "\n";
    }
    tell(text);
    return 1;
}

int cmd_get(string arg) {
    object thing;

    if (!arg || arg == "") {
        tell("Get what?\n");
        return 1;
    }
    thing = environment() ? present(arg, environment()) : 0;
    if (!thing || thing == this_object()) {
        tell("There is no " + arg + " here.\n");
        return 1;
    }
    if (thing->is_player() || thing->query_no_get()) {
        tell("You cannot take that.\n");
        return 1;
    }
    thing->move(this_object());
    tell("You take " + thing->short() + ".\n");
    tell_others(query_cap_name() + " takes " + thing->short() + ".\n");
    return 1;
}

int cmd_drop(string arg) {
    object thing;

    if (!arg || arg == "") {
        tell("Drop what?\n");
        return 1;
    }
    thing = present(arg, this_object());
    if (!thing) {
        tell("You carry no " + arg + ".\n");
        return 1;
    }
    if (!environment()) {
        tell("There is nowhere to drop it.\n");
        return 1;
    }
    thing->move(environment());
    tell("You drop " + thing->short() + ".\n");
    tell_others(query_cap_name() + " drops " + thing->short() + ".\n");
    return 1;
}

// ---------------------------------------------------------------------------
// Help, saving, quitting, the password
// ---------------------------------------------------------------------------

int cmd_help(string arg) {
    string text;

    arg = arg ? lower_case(arg) : "commands";
    foreach (int c in arg) {
        if (c < 'a' || c > 'z') {
            tell("There is no help on that.\n");
            return 1;
        }
    }
    if (arg == "admin" && !query_admin()) {
        tell("That help is for administrators.\n");
        return 1;
    }
    text = read_file(HELP_DIR + arg);
    tell(text ? text : "There is no help on " + arg + ". Try 'help commands'.\n");
    return 1;
}

int cmd_save(string arg) {
    tell(save_player() ? "Saved.\n" : "Saving failed; please tell an administrator.\n");
    return 1;
}

int cmd_quit(string arg) {
    tell("Saving " + query_cap_name() + ". Goodbye!\n");
    quit_game();
    return 1;
}

int cmd_password(string arg) {
    if (!acting()) {
        return 0;
    }
    tell("Current password: ");
    input_to("password_old", 3);
    return 1;
}

void password_old(string typed) {
    if (!acting()) {
        return;
    }
    tell("\n");
    if (crypt(typed, password) != password) {
        tell("That is not your password.\n");
        return;
    }
    tell(sprintf("New password (at least %d characters): ", MIN_PASSWORD_LENGTH));
    input_to("password_new", 3);
}

void password_new(string typed) {
    if (!acting()) {
        return;
    }
    tell("\n");
    if (strlen(typed) < MIN_PASSWORD_LENGTH) {
        tell("That password is too short; it stays as it was.\n");
        return;
    }
    typed_password = typed;
    tell("Type the new password again: ");
    input_to("password_confirm", 3);
}

void password_confirm(string typed) {
    if (!acting()) {
        return;
    }
    tell("\n");
    if (typed != typed_password) {
        typed_password = 0;
        tell("The passwords differ; it stays as it was.\n");
        return;
    }
    typed_password = 0;
    password = crypt(typed, 0);
    save_player();
    tell("Your password is changed.\n");
}

// ---------------------------------------------------------------------------
// Administrator commands
// ---------------------------------------------------------------------------

// A file name typed by an administrator: "here" is the current room, and a
// trailing ".c" is dropped.
string typed_path(string arg) {
    if (arg == "here") {
        return environment() ? file_name(environment()) : 0;
    }
    if (arg[0] != '/') {
        arg = "/" + arg;
    }
    if (strlen(arg) > 2 && arg[<2..] == ".c") {
        arg = arg[0..<3];
    }
    return arg;
}

int cmd_shutdown(string arg) {
    if (!acting()) {
        return 0;
    }
    foreach (object body in player_bodies()) {
        tell_object(body, query_cap_name() + " shuts the game down. Your character is saved.\n");
        body->save_player();
    }
    master()->log_line("boot", query_cap_name() + " shuts the game down.");
    shutdown(0);
    return 1;
}

// Destructs a loaded object and loads it again from its source; players
// inside wait in the void meanwhile.
int cmd_update(string arg) {
    string path;
    object old;
    object *players = ({});
    string err;

    if (!acting()) {
        return 0;
    }
    if (!arg || arg == "") {
        arg = "here";
    }
    path = typed_path(arg);
    if (!path) {
        tell("Update what?\n");
        return 1;
    }
    old = find_object(path);
    if (old) {
        players = filter(all_inventory(old), (: $1->is_player() :));
        if (sizeof(players) && path == VOID_ROOM) {
            tell("Players are in the void; it cannot be updated now.\n");
            return 1;
        }
        foreach (object body in players) {
            body->move_silently(VOID_ROOM);
        }
        destruct(old);
    }
    err = catch(load_object(path));
    foreach (object body in players) {
        body->move_silently(err ? START_ROOM : path);
    }
    if (err) {
        tell("Loading " + path + " failed: " + err);
        return 1;
    }
    tell("Updated " + path + ".\n");
    return 1;
}

// Moves without a word to anyone; used by administrator commands.
void move_silently(string path) {
    object caller = previous_object();

    if (caller && caller != this_object() && !caller->query_admin() && !trusted_caller()) {
        return;
    }
    move_to_room(path);
}

int cmd_goto(string arg) {
    object target;
    string path;

    if (!acting()) {
        return 0;
    }
    if (!arg || arg == "") {
        tell("Go to whom or where?\n");
        return 1;
    }
    target = find_body(lower_case(arg));
    if (target && environment(target)) {
        path = file_name(environment(target));
    } else {
        path = typed_path(arg);
        if (catch(load_object(path))) {
            tell("There is no room " + path + ".\n");
            return 1;
        }
    }
    tell_others(query_cap_name() + " vanishes.\n");
    move_object(path);
    tell_others(query_cap_name() + " appears.\n");
    look_around();
    return 1;
}

int cmd_clone(string arg) {
    object thing;
    string err;

    if (!acting()) {
        return 0;
    }
    if (!arg || arg == "") {
        tell("Clone what?\n");
        return 1;
    }
    arg = typed_path(arg);
    err = catch(thing = new(arg));
    if (err || !thing) {
        tell("Cloning " + arg + " failed: " + (err ? err : "no object\n"));
        return 1;
    }
    if (thing->query_no_get() || !function_exists("move", thing)) {
        if (environment()) {
            thing->move(environment());
        }
    } else {
        thing->move(this_object());
    }
    tell("You clone " + (thing->short() ? thing->short() : file_name(thing)) + ".\n");
    return 1;
}

int cmd_dest(string arg) {
    object thing;

    if (!acting()) {
        return 0;
    }
    if (!arg || arg == "") {
        tell("Destruct what?\n");
        return 1;
    }
    thing = present(arg, this_object());
    if (!thing && environment()) {
        thing = present(arg, environment());
    }
    if (!thing) {
        tell("There is no " + arg + " here.\n");
        return 1;
    }
    if (thing->is_player()) {
        tell("Players are not destructed this way.\n");
        return 1;
    }
    tell("You destruct " + (thing->short() ? thing->short() : file_name(thing)) + ".\n");
    destruct(thing);
    return 1;
}

void add_commands() {
    add_action("cmd_look", ({"look", "l", "examine", "exa"}));
    add_action("cmd_go", "go");
    add_action("cmd_direction", keys(DIRECTIONS) + values(DIRECTIONS));
    add_action("cmd_say", "say");
    add_action("cmd_tell", "tell");
    add_action("cmd_emote", ({"emote", "me"}));
    add_action("cmd_who", "who");
    add_action("cmd_inventory", ({"inventory", "i"}));
    add_action("cmd_get", ({"get", "take"}));
    add_action("cmd_drop", "drop");
    add_action("cmd_help", "help");
    add_action("cmd_save", "save");
    add_action("cmd_quit", "quit");
    add_action("cmd_password", "password");
    if (query_admin()) {
        add_action("cmd_shutdown", "shutdown");
        add_action("cmd_update", "update");
        add_action("cmd_goto", "goto");
        add_action("cmd_clone", "clone");
        add_action("cmd_dest", "dest");
    }
}
