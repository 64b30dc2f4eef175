// A library north of the square.
inherit "/std/room";

void setup() {
    set_short("The Old Library");
    set_long("Tall shelves crammed with books rise into the gloom under a vaulted " +
        "ceiling. Dust dances in the light from a high window. The way out lies " +
        "south.");
    set_exits((["south": __DIR__ "square"]));
    set_features(([
        "shelves": "Thousands of books; most of their spines are too faded to read.",
        "window": "A round window, far out of reach.",
    ]));
    set_things(({__DIR__ "obj/book"}));
}
