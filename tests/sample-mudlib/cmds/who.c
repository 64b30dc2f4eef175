// who: list the players connected.

int main(object who, string arg) {
    string *names = map(users(), (: CAP($1->query_name() || "someone") :));
    TELL(who, sprintf("%d %s online: %s", sizeof(names),
                      pluralize("player", sizeof(names)), list_words(sort_array(names, 1))));
    return 1;
}
