// Where players wait while their room is reloaded, or land when a room
// fails to load.
inherit "/std/room";

void setup() {
    set_short("The Void");
    set_long("Grey nothingness surrounds you. A way out shimmers faintly.");
    set_exits((["out": __DIR__ "square"]));
}
