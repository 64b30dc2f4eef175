// The starting room.

inherit STD_ROOM;

void create() {
    set_short("the village square");
    set_long(@TEXT
A quiet square paved with worn stones. A fountain murmurs in the
middle, and a lane leads north towards a small garden.
TEXT
    );
    set_exits(([ "north": "/domains/start/garden" ]));
}
