// A bench in the garden, too heavy to carry.
inherit "/std/item";

void setup() {
    set_short("a wooden bench");
    set_long("A weathered wooden bench, just right for watching the bees.");
    set_ids(({"bench", "wooden bench"}));
    set_no_get(1);
}
