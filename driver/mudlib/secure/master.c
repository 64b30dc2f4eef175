// The master object: the driver asks it for a login object for every new
// connection, for permission before any file access, and what to do with
// errors.
#include <mudlib.h>

// Objects loaded at boot, so the first player does not wait for them.
#define PRELOADS ({ START_ROOM, VOID_ROOM, LOGIN_OB, PLAYER_OB })

// ---------------------------------------------------------------------------
// Logging
// ---------------------------------------------------------------------------

// Appends one line (or several) to a log file under /log.
void log_line(string log, string text) {
    if (!strlen(text) || text[<1] != '\n') {
        text += "\n";
    }
    write_file(LOG_DIR + log, ctime(time()) + " " + text);
}

// ---------------------------------------------------------------------------
// Boot
// ---------------------------------------------------------------------------

string *epilog(int load_empty) {
    log_line("boot", "The mudlib is starting.");
    if (load_empty) {
        return ({});
    }
    return PRELOADS;
}

void preload(string file) {
    string err = catch(load_object(file));

    if (err) {
        log_line("boot", "Preloading " + file + " failed: " + err);
    }
}

// ---------------------------------------------------------------------------
// Connections
// ---------------------------------------------------------------------------

// Every new connection starts in its own login object.
object connect(int port) {
    object login;
    string err = catch(login = new(LOGIN_OB));

    if (err) {
        log_line("runtime", "Cannot create a login object: " + err);
        return 0;
    }
    return login;
}

// ---------------------------------------------------------------------------
// Who is an administrator
// ---------------------------------------------------------------------------

// The names listed in /etc/admins, one a line; `#` starts a comment.
string *listed_admins() {
    string text = read_file(ADMINS_FILE);
    string *names = ({});

    if (!text) {
        return names;
    }
    foreach (string line in explode(text, "\n")) {
        int hash = strsrch(line, "#");

        if (hash != -1) {
            line = hash > 0 ? line[0..hash - 1] : "";
        }
        line = lower_case(strip(line));
        if (strlen(line)) {
            names += ({line});
        }
    }
    return names;
}

int is_listed_admin(string name) {
    return member_array(name, listed_admins()) != -1;
}

// True until the first character has been saved.
int no_characters_yet() {
    mixed *letters = get_dir(PLAYER_DIR, -1);

    if (!arrayp(letters)) {
        return 1;
    }
    foreach (mixed *entry in letters) {
        mixed *files;

        if (entry[1] != -2) {
            continue;
        }
        files = get_dir(PLAYER_DIR + entry[0] + "/");
        if (!arrayp(files)) {
            continue;
        }
        foreach (string file in files) {
            if (strlen(file) > 2 && file[<2..] == ".o") {
                return 0;
            }
        }
    }
    return 1;
}

// Whether a character being created now becomes an administrator: the
// first character of the game does, and so does any listed name.
int new_character_is_admin(string name) {
    return no_characters_yet() || is_listed_admin(name);
}

// ---------------------------------------------------------------------------
// File permissions
// ---------------------------------------------------------------------------

string absolute(string file) {
    if (!strlen(file) || file[0] != '/') {
        return "/" + file;
    }
    return file;
}

int starts_with(string text, string prefix) {
    return strlen(text) >= strlen(prefix) && text[0..strlen(prefix) - 1] == prefix;
}

// The master and the objects under /secure may touch every file.
int is_trusted(object ob) {
    return ob == this_object() || starts_with(file_name(ob), "/secure/");
}

int is_player_body(object ob) {
    return starts_with(file_name(ob), PLAYER_OB + "#");
}

int is_admin_body(object ob) {
    return is_player_body(ob) && ob->query_admin();
}

// Whether `file` is the save file of the body `ob`.
int is_own_save(string file, object ob) {
    string name;
    string base;

    if (!is_player_body(ob)) {
        return 0;
    }
    name = ob->query_name();
    if (!stringp(name) || !strlen(name)) {
        return 0;
    }
    base = player_save_file(name);
    return file == base + ".o" || file == base + ".o.gz";
}

int is_save_file(string file) {
    return (strlen(file) > 2 && file[<2..] == ".o") ||
        (strlen(file) > 5 && file[<5..] == ".o.gz");
}

// Everything is readable except other characters' save files, which hold
// password hashes.
int valid_read(string file, mixed user, string func) {
    file = absolute(file);
    if (!objectp(user) || is_trusted(user) || is_admin_body(user)) {
        return 1;
    }
    if (starts_with(file, PLAYER_DIR) && is_save_file(file)) {
        return is_own_save(file, user);
    }
    return 1;
}

// Writing is for trusted objects and administrators; a player body may
// write only its own save file and make the folder it goes in.
int valid_write(string file, mixed user, string func) {
    string name;

    file = absolute(file);
    if (!objectp(user)) {
        return 0;
    }
    if (is_trusted(user) || is_admin_body(user)) {
        return 1;
    }
    if (strsrch(file, "..") != -1) {
        return 0;
    }
    if (is_own_save(file, user)) {
        return 1;
    }
    if (func == "mkdir" && is_player_body(user)) {
        name = user->query_name();
        return stringp(name) && strlen(name) && file == PLAYER_DIR + name[0..0];
    }
    return 0;
}

int valid_shadow(object ob) {
    return 0;
}

// ---------------------------------------------------------------------------
// Object ownership (uids)
// ---------------------------------------------------------------------------

string get_root_uid() {
    return "Root";
}

string get_bb_uid() {
    return "Backbone";
}

string creator_file(string file) {
    if (starts_with(absolute(file), "/secure/")) {
        return "Root";
    }
    return "Backbone";
}

string author_file(string file) {
    return creator_file(file);
}

// The domain of /domains/NAME/... is NAME; everything else is the mudlib's.
string domain_file(string file) {
    string *parts = explode(absolute(file), "/");

    if (sizeof(parts) > 2 && parts[0] == "" && parts[1] == "domains") {
        return parts[2];
    }
    if (sizeof(parts) > 1 && parts[0] == "domains") {
        return parts[1];
    }
    return "Backbone";
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

// Compile errors: logged, and shown to an administrator who is playing.
void log_error(string file, string message) {
    object who = this_player();

    if (!strlen(message) || message[<1] != '\n') {
        message += "\n";
    }
    log_line("compile", message);
    if (who && is_admin_body(who)) {
        tell_object(who, message);
    }
}

// The error and its call trace as text, one frame a line.
string format_error(mapping error) {
    string text = "" + error["error"];
    mixed trace = error["trace"];

    if (!strlen(text) || text[<1] != '\n') {
        text += "\n";
    }
    if (stringp(error["program"])) {
        text += sprintf("  in %s line %d\n", error["program"], error["line"]);
    }
    if (arrayp(trace)) {
        foreach (mixed frame in trace) {
            if (mapp(frame)) {
                text += sprintf("  '%s' at %s:%d\n", "" + frame["function"],
                    "" + frame["program"], frame["line"]);
            }
        }
    }
    return text;
}

// Errors nobody caught: logged in full; the player who ran into one is told,
// and an administrator sees the details.
void error_handler(mapping error, int caught) {
    string text = format_error(error);
    object who = this_player();

    if (caught) {
        return;
    }
    log_line("runtime", text);
    if (!who) {
        return;
    }
    if (is_admin_body(who)) {
        tell_object(who, "Error: " + text);
    } else {
        tell_object(who, "Something went wrong; it has been logged.\n");
    }
}

// The driver is about to die: save everybody and write down why.
void crash(string crash_message, object command_giver, object current_object) {
    log_line("crash", "The driver crashed: " + crash_message);
    foreach (object body in player_bodies()) {
        catch(body->save_player());
    }
}

// ---------------------------------------------------------------------------
// Mud Server Status Protocol
// ---------------------------------------------------------------------------

mapping get_mud_stats() {
    return ([
        "NAME": MUD_NAME,
        "PLAYERS": "" + sizeof(player_bodies()),
        "UPTIME": "" + (time() - uptime()),
        "PORT": "" + __PORT__,
        "CODEBASE": __VERSION__,
        "FAMILY": "LPMud",
        "GENRE": "Fantasy",
        "LANGUAGE": "English",
        "STATUS": "Alpha",
    ]);
}
