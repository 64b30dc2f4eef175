int parse(string input, object ob) {
    int a, b;
    string word, *words;
    if (sscanf(input, "%d %s", a, word) == 2) return a;
    sscanf(input, "%d-%d", a, b);
    if (parse_command(input, ob, "'get' %s", word)) return 1;
    parse_command(input, all_inventory(ob), "%i", words);
    return b;
}
