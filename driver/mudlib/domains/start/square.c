// The start room, where every new character arrives.
inherit "/std/room";

void setup() {
    set_short("Crossroads Square");
    set_long("Four cobbled roads meet in this small square. A stone well stands in the " +
        "middle, its rope disappearing into darkness. To the east, warm light and " +
        "laughter spill from a tavern; to the north rises the grey front of a " +
        "library; a garden gate stands open to the west. A narrow stair climbs a " +
        "watchtower above you. A notice board is nailed to a post by the well.");
    set_exits(([
        "north": __DIR__ "library",
        "east": __DIR__ "tavern",
        "west": __DIR__ "garden",
        "up": __DIR__ "tower",
        "down": __DIR__ "well",
    ]));
    set_features(([
        "well": "An old stone well. Iron rungs lead down inside it.",
        "board": "The notice board reads: 'Welcome, traveller! Type help to learn the " +
        "commands, who to see who is about, and say to talk to the people here.'",
        "notice board": "The notice board reads: 'Welcome, traveller! Type help to learn " +
        "the commands, who to see who is about, and say to talk to the " +
        "people here.'",
        "stair": "Worn stone steps spiral up the side of the watchtower.",
    ]));
}
