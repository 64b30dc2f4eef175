// A quiet garden west of the square.
inherit "/std/room";

void setup() {
    set_short("The Herb Garden");
    set_long("Neat beds of herbs and flowers fill this walled garden, and bees drift " +
        "lazily from bloom to bloom. A gravel path leads east, back through the " +
        "gate to the square.");
    set_exits((["east": __DIR__ "square"]));
    set_features(([
        "flowers": "Marigolds, lavender and sage, all carefully tended.",
        "herbs": "Thyme, rosemary and mint grow in tidy rows.",
        "bees": "They are far too busy to notice you.",
    ]));
    set_things(({__DIR__ "obj/bench"}));
}
