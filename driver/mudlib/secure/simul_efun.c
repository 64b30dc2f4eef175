// Simulated efuns: small helpers every object of the mudlib may call as if
// they were efuns.
#include <mudlib.h>

// The save file of a character, without the ".o" that save_object adds.
string player_save_file(string name) {
    return PLAYER_DIR + name[0..0] + "/" + name;
}

// Every player body in the game, connected or link-dead.
object *player_bodies() {
    return filter(children(PLAYER_OB), (: clonep($1) && $1->query_name() :));
}

// The body of the named character, connected or link-dead, or 0.
object find_body(string name) {
    foreach (object body in player_bodies()) {
        if (body->query_name() == name) {
            return body;
        }
    }
    return 0;
}

// The text without leading and trailing blanks (spaces, tabs, newlines).
string strip(string text) {
    int start = 0;
    int end = strlen(text) - 1;

    while (start <= end && member_array(text[start], " \t\r\n") != -1) {
        start++;
    }
    while (end >= start && member_array(text[end], " \t\r\n") != -1) {
        end--;
    }
    return text[start..end];
}
