// The base of every room: descriptions, exits (each one a command while a
// player is here), features one can look at, and things the room makes
// sure are present after every reset.
#include <mudlib.h>

private string short_description = "A room";
private string long_description = "An empty room.\n";
// Direction => path of the room it leads to.
private mapping exits = ([]);
// Word => what looking at it shows.
private mapping features = ([]);
// Path of a thing => the copy of it this room made.
private mapping things = ([]);

// Rooms describe themselves here.
void setup() { }

void reset() {
    foreach (string path in keys(things)) {
        object thing = things[path];

        if (thing && environment(thing) == this_object()) {
            continue;
        }
        if (catch(thing = new(path))) {
            things[path] = 0;
            continue;
        }
        thing->move(this_object());
        things[path] = thing;
    }
}

void create() {
    setup();
    reset();
}

void set_short(string text) {
    short_description = text;
}

// A long description ends with a newline; one is added when missing.
void set_long(string text) {
    if (!strlen(text) || text[<1] != '\n') {
        text += "\n";
    }
    long_description = text;
}

void set_exits(mapping directions) {
    exits = directions;
}

void add_exit(string direction, string path) {
    exits[direction] = path;
}

// Words a player can look at, with what they show.
void set_features(mapping descriptions) {
    features = ([]);
    foreach (string word, string text in descriptions) {
        if (!strlen(text) || text[<1] != '\n') {
            text += "\n";
        }
        features[word] = text;
    }
}

// Files of things this room keeps one copy of, remade by reset().
void set_things(string *paths) {
    foreach (string path in paths) {
        things[path] = 0;
    }
}

string query_short() {
    return short_description;
}

string query_long() {
    return long_description;
}

string query_exit(string direction) {
    return exits[direction];
}

string *query_exit_directions() {
    return sort_array(keys(exits), 1);
}

string query_item(string word) {
    return features[word];
}

// Every exit is a command for whoever enters.
void init() {
    foreach (string direction in keys(exits)) {
        add_action("do_exit", direction);
    }
}

int do_exit(string arg) {
    object who = this_player();

    if (!who) {
        return 0;
    }
    return who->move_direction(query_verb());
}
