// The object a new connection talks to first: it asks for a name.

inherit STD_OBJECT;

private int attempts;

void logon() {
    write("Welcome to the sample mud.\nWhat is your name? ");
    input_to("get_name");
}

protected void get_name(string name) {
    object user;

    name = lower_case(trim(name || ""));
    if (!regexp(name, "^[a-z]+$") || strlen(name) > 12) {
        if (++attempts >= 3) {
            write("Too many tries. Goodbye.\n");
            destruct(this_object());
            return;
        }
        write("Names are letters only, at most 12. What is your name? ");
        input_to("get_name");
        return;
    }
    user = new(USER_OB);
    user->set_name(name);
    exec(user, this_object());
    user->setup();
    destruct(this_object());
}
