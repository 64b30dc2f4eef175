// The login object: every connection starts here. It asks for a name, then
// either checks the password of an existing character or creates a new
// one, and finally hands the connection over to the character's body.
#include <mudlib.h>

// Names nobody may take.
#define RESERVED_NAMES ({ "all", "everyone", "guest", "new", "nobody", "root", \
                          "someone", "quit" })
#define MIN_NAME_LENGTH 3
#define MAX_NAME_LENGTH 12

private string name;
private string chosen_password;
private int tries;

void ask_name();
void ask_new_password();

void time_out() {
    receive("\nLogin timed out; goodbye.\n");
    destruct(this_object());
}

// The driver calls this once the connection is attached to this object.
void logon() {
    string welcome = read_file(WELCOME_FILE);

    call_out("time_out", LOGIN_TIMEOUT);
    receive(welcome ? welcome : "Welcome to " + MUD_NAME + ".\n");
    ask_name();
}

// The connection closed during login: nothing to keep.
void net_dead() {
    remove_call_out("time_out");
    call_out("time_out", 0);
}

// Why `text` cannot be a character name, or 0 when it can.
string bad_name(string text) {
    if (strlen(text) < MIN_NAME_LENGTH || strlen(text) > MAX_NAME_LENGTH) {
        return sprintf("A name has %d to %d letters.\n", MIN_NAME_LENGTH, MAX_NAME_LENGTH);
    }
    foreach (int c in text) {
        if (c < 'a' || c > 'z') {
            return "A name has only the letters a to z.\n";
        }
    }
    if (member_array(text, RESERVED_NAMES) != -1) {
        return "That name is reserved; please pick another.\n";
    }
    return 0;
}

int character_exists(string who) {
    return file_size(player_save_file(who) + ".o") > 0 || objectp(find_body(who));
}

void ask_name() {
    receive("What is your name? ");
    input_to("got_name");
}

void got_name(string input) {
    string problem;

    input = lower_case(strip(input));
    if (input == "" || input == "quit") {
        receive("Goodbye.\n");
        destruct(this_object());
        return;
    }
    problem = bad_name(input);
    if (problem) {
        receive(problem);
        ask_name();
        return;
    }
    name = input;
    if (character_exists(name)) {
        receive("Password: ");
        input_to("got_password", 1);
        return;
    }
    receive("There is no character called " + capitalize(name) + ". Create it? (y/n) ");
    input_to("got_create_answer");
}

// ---------------------------------------------------------------------------
// An existing character
// ---------------------------------------------------------------------------

// Moves the connection into `body`, which must not be connected.
void hand_over(object body) {
    remove_call_out("time_out");
    exec(body, this_object());
}

// A second connection for a character that is still connected: the old
// connection is moved into a throwaway object and closed.
void take_over(object body) {
    object old_link = new(LOGIN_OB);

    tell_object(body, "Your character has been taken over by a new connection.\n");
    exec(old_link, body);
    destruct(old_link);
}

void got_password(string password) {
    object body;

    receive("\n");
    body = find_body(name);
    if (!body) {
        body = new(PLAYER_OB);
        if (!body->restore_player(name)) {
            destruct(body);
            receive("Your character could not be read; please tell an administrator.\n");
            master()->log_line("logins", "Cannot restore " + name + ".");
            destruct(this_object());
            return;
        }
        if (!body->check_password(password)) {
            destruct(body);
            body = 0;
        }
    } else if (!body->check_password(password)) {
        body = 0;
    }
    if (!body) {
        tries++;
        master()->log_line("logins", "Wrong password for " + name + " from " +
            query_ip_number(this_object()) + ".");
        if (tries >= MAX_PASSWORD_TRIES) {
            receive("Wrong password. Goodbye.\n");
            destruct(this_object());
            return;
        }
        receive("Wrong password.\nPassword: ");
        input_to("got_password", 1);
        return;
    }

    master()->log_line("logins", capitalize(name) + " logs in from " +
        query_ip_number(this_object()) + ".");
    if (environment(body) || body->query_linkdead() || interactive(body)) {
        // The body is already in the game: connected elsewhere or link-dead.
        if (interactive(body)) {
            take_over(body);
        }
        hand_over(body);
        body->reconnect();
    } else {
        hand_over(body);
        body->enter_game(0);
    }
    destruct(this_object());
}

// ---------------------------------------------------------------------------
// A new character
// ---------------------------------------------------------------------------

void got_create_answer(string answer) {
    answer = lower_case(strip(answer));
    if (answer == "y" || answer == "yes") {
        ask_new_password();
        return;
    }
    ask_name();
}

void ask_new_password() {
    receive(sprintf("Choose a password (at least %d characters): ", MIN_PASSWORD_LENGTH));
    input_to("got_new_password", 1);
}

void got_new_password(string password) {
    receive("\n");
    if (strlen(password) < MIN_PASSWORD_LENGTH) {
        receive("That password is too short.\n");
        ask_new_password();
        return;
    }
    chosen_password = password;
    receive("Type the password again: ");
    input_to("got_confirmation", 1);
}

void got_confirmation(string password) {
    object body;
    int admin;

    receive("\n");
    if (password != chosen_password) {
        chosen_password = 0;
        receive("The passwords differ; let us try again.\n");
        ask_new_password();
        return;
    }
    chosen_password = 0;
    // Someone else may have taken the name while we were typing.
    if (character_exists(name)) {
        receive("Someone has just taken that name.\n");
        ask_name();
        return;
    }
    admin = master()->new_character_is_admin(name);
    body = new(PLAYER_OB);
    if (!body->create_character(name, crypt(password, 0), admin)) {
        destruct(body);
        receive("Your character could not be saved; please tell an administrator.\n");
        destruct(this_object());
        return;
    }
    master()->log_line("logins", "New character " + capitalize(name) + (admin ? " (admin)" : "") +
        " from " + query_ip_number(this_object()) + ".");
    hand_over(body);
    body->enter_game(1);
    destruct(this_object());
}
