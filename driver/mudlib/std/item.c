// The base of things that lie around or are carried.
#include <mudlib.h>

private string short_description = "a thing";
private string long_description = "It is nothing special.\n";
private string *ids = ({"thing"});
private int no_get;

void setup() { }

void create() {
    setup();
}

void set_short(string text) {
    short_description = text;
}

void set_long(string text) {
    if (!strlen(text) || text[<1] != '\n') {
        text += "\n";
    }
    long_description = text;
}

// The words that name this thing, as in "get lamp".
void set_ids(string *words) {
    ids = words;
}

// Things that are fixed in place cannot be taken.
void set_no_get(int flag) {
    no_get = flag;
}

string short() {
    return short_description;
}

string query_long() {
    return long_description;
}

int id(string word) {
    return member_array(word, ids) != -1;
}

int query_no_get() {
    return no_get;
}

void move(mixed destination) {
    move_object(destination);
}
