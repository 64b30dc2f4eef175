// say <text>: speak to everyone in the room.

int main(object who, string text) {
    if (!text || text == "") {
        TELL(who, "Say what?");
        return 1;
    }
    TELL(who, "You say: " + text);
    say(CAP(who->query_name()) + " says: " + text + "\n", ({ who }));
    return 1;
}
