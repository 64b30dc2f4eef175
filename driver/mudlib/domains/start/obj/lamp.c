// A lamp lying in the tavern.
inherit "/std/item";

void setup() {
    set_short("a brass lamp");
    set_long("A small brass oil lamp, dented but polished to a shine.");
    set_ids(({"lamp", "brass lamp"}));
}
