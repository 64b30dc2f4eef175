// look: describe the room you are in.

int main(object who, string arg) {
    object room = environment(who);
    if (!room) {
        TELL(who, "You are nowhere.");
        return 1;
    }
    tell_object(who, room->describe(who));
    return 1;
}
