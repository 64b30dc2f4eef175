// Everything that can be seen: a short name, a long description and ids.

nosave string short_desc = "something";
nosave string long_desc = "You see nothing special.\n";
nosave string *ids = ({ });

void set_short(string s) { short_desc = s; }
string query_short() { return short_desc; }

void set_long(string s) { long_desc = s; }
string query_long() { return long_desc; }

void set_id(string *list...) { ids = list; }
int id(string word) { return member_array(word, ids) != -1; }

int move(mixed dest) {
    object target = objectp(dest) ? dest : load_object(dest);
    if (!target) return 0;
    move_object(target);
    return 1;
}
