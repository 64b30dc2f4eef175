// The top of the watchtower above the square.
inherit "/std/room";

void setup() {
    set_short("Top of the Watchtower");
    set_long("Wind tugs at you on this small platform high above the square. From here " +
        "you can see the four roads winding away over fields and hills. A stair " +
        "leads down.");
    set_exits((["down": __DIR__ "square"]));
    set_features(([
        "roads": "The roads lead off towards places that do not exist yet.",
        "view": "Fields, hills, and a glint of sea far to the south.",
    ]));
}
