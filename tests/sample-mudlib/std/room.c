// A room: an object with exits and things lying in it.

#include <dirs.h>

inherit STD_OBJECT;

protected mapping exits = ([ ]);

void set_exits(mapping m) { exits = m; }
mapping query_exits() { return exits; }
string query_exit(string dir) { return exits[dir]; }

void add_exit(string dir, string dest) {
    exits[dir] = dest;
}

string query_back_exit(string dir) {
    return OPPOSITE[dir] ?? "back";
}

string describe(object viewer) {
    string text = query_short() + "\n" + query_long();
    string *dirs = sort_array(keys(exits), 1);
    object *things = filter(all_inventory(this_object()), (: $1 != $(viewer) :));

    text += sizeof(dirs) ? `Exits: ${implode(dirs, ", ")}.\n` : "There are no obvious exits.\n";
    foreach (object ob in things) {
        text += "  " + CAP(ob->query_short()) + "\n";
    }
    return text;
}
