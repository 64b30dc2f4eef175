// The bottom of the well in the square.
inherit "/std/room";

void setup() {
    set_short("Bottom of the Well");
    set_long("You stand ankle-deep in cold water at the bottom of the well. A circle of " +
        "sky shows far above, and iron rungs lead back up.");
    set_exits((["up": __DIR__ "square"]));
    set_features(([
        "water": "Clear and very cold.",
        "rungs": "Rusty, but they hold.",
    ]));
}
