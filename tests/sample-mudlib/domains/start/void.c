// Where objects go when they have nowhere else to be.

inherit STD_ROOM;

void create() {
    set_short("the void");
    set_long("Grey mist in every direction. Type 'go square' to leave.\n");
    set_exits(([ "square": START_ROOM ]));
}
