// A tavern east of the square.
inherit "/std/room";

void setup() {
    set_short("The Leaning Lantern");
    set_long("A low-beamed tavern, crowded with mismatched tables and benches. A fire " +
        "crackles in a wide hearth and the smell of bread and ale hangs in the air. " +
        "The door west leads back to the square.");
    set_exits((["west": __DIR__ "square"]));
    set_features(([
        "fire": "The fire burns low and steady; someone keeps it well fed.",
        "hearth": "Soot-blackened stones, older than the rest of the building.",
    ]));
    set_things(({__DIR__ "obj/lamp"}));
}
