// The master object: the driver asks it before doing anything that matters.

#pragma strict_types

private mapping preload_list = ([ ]);

object connect(int port) {
    object login = new(LOGIN_OB);
    return login;
}

mixed compile_object(string file) {
    return 0;
}

string get_root_uid() { return "Root"; }
string get_bb_uid() { return "Backbone"; }
string creator_file(string file) { return "Sample"; }
string author_file(string file) { return "Sample"; }
string domain_file(string file) { return "Sample"; }

string *epilog(int load_empty) {
    return ({ START_ROOM });
}

void preload(string file) {
    mixed err = catch(load_object(file));
    if (err) {
        debug_message(sprintf("preload of %s failed: %O", file, err));
        return;
    }
    preload_list[file] = time();
}

void log_error(string file, string message) {
    write_file("/log/compile", file + ": " + message);
}

void error_handler(mapping error, int caught) {
    string text = sprintf("%s: %s line %d\n", error["error"], error["program"] || "?",
                          error["line"]);
    debug_message(text);
    if (this_player()) tell_object(this_player(), caught ? "" : "Something went wrong.\n");
}

int valid_read(string path, mixed who, string fn) { return 1; }
int valid_write(string path, mixed who, string fn) {
    return path[0..4] != "/etc/" && path[0..7] != "/secure/";
}

string privs_file(string file) { return file; }
