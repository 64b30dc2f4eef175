// go <direction>: walk through an exit.

int main(object who, string dir) {
    object room = environment(who);
    string dest = room ? room->query_exit(dir) : 0;

    if (!dir || !dest) {
        TELL(who, "You can't go that way.");
        return 1;
    }
    if (!who->move(dest)) {
        TELL(who, "Something blocks your way.");
        return 1;
    }
    say(CAP(who->query_name()) + " leaves " + dir + ".\n");
    who->command("look");
    return 1;
}
