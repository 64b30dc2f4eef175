// A garden north of the square.

inherit STD_ROOM;

class flower {
    string name;
    int petals;
}

private class flower *flowers = ({ });

void create() {
    set_short("a small garden");
    set_long("Flower beds line a gravel path. The square lies south.\n");
    set_exits(([ "south": "/domains/start/square" ]));
    flowers = map(({ "rose", "tulip", "daisy" }),
                  (: new(class flower, name: $1, petals: strlen($1) * 2) :));
}

string query_long() {
    string *names = map(flowers, (: ((class flower)$1)->name :));
    return ::query_long() + "You notice " + list_words(names) + ".\n";
}
